import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePredicate } from './predicate.ts';
import { UiError } from '../errors.ts';

const rec = (value: string | null, extra: Partial<{ key: string; partition: number }> = {}) =>
  ({ key: extra.key ?? 'k', value, headers: { h: 'v' }, partition: extra.partition ?? 0, offset: '7', timestamp: 1000 });

test('expressions and bodies over key, value, json, headers', () => {
  assert.equal(compilePredicate('json.n > 1')(rec('{"n":2}')), true);
  assert.equal(compilePredicate('json.n > 1')(rec('{"n":0}')), false);
  assert.equal(compilePredicate('if (!json) return false; return json.t === "a"')(rec('{"t":"a"}')), true);
  assert.equal(compilePredicate('headers.h === "v" && key === "k" && offset === "7"')(rec(null)), true);
});

test('a record the predicate throws on does not match', () => {
  assert.equal(compilePredicate('json.deep.missing === 1')(rec('not json')), false);
});

test('syntax errors and endless loops are reported', () => {
  assert.throws(() => compilePredicate('json.n >'), (e) => e instanceof UiError && e.code === 'predicate_invalid');
  const p = compilePredicate('while (true) {} return true', 20);
  assert.throws(() => p(rec('1')), (e) => e instanceof UiError && e.code === 'predicate_timeout');
});

test('the sandbox has no require, process or string compilation', () => {
  assert.equal(compilePredicate('typeof require === "undefined" && typeof process === "undefined"')(rec(null)), true);
  assert.equal(compilePredicate('(() => { try { return eval("1") === 1; } catch { return false; } })()')(rec(null)), false);
  assert.equal(compilePredicate('(() => { try { return new Function("return 1")() === 1; } catch { return false; } })()')(rec(null)), false);
});
