// The message browser's JavaScript filter, run in a node:vm context with a
// per-record time limit. The context has no require, process or timers, cannot
// compile code from strings, and receives each record as primitives (headers as a
// JSON string it parses itself), so no host object leaks in. node:vm is a fence against mistakes (an
// endless loop, a typo), not a security boundary against a hostile user.
import vm from 'node:vm';
import { UiError } from '../errors.ts';

export interface PredicateInput {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  partition: number;
  offset: string;
  timestamp: number;
}

export type Predicate = (m: PredicateInput) => boolean;

/**
 * Compiles `source`: an expression (`json.amount > 100`) or a function body that
 * returns (`if (!json) return false; return json.type === 'order'`). Names in
 * scope: key, value, json (value parsed as JSON, or null), headers, partition,
 * offset (string), timestamp (ms).
 */
export function compilePredicate(source: string, perRecordMs = 50): Predicate {
  const body = /\breturn\b/.test(source) ? source : `return (${source});`;
  const code = `(function () {
    let json = null;
    try { json = __value == null ? null : JSON.parse(__value); } catch (e) { json = null; }
    return (function (key, value, json, headers, partition, offset, timestamp) {
      ${body}
    })(__key, __value, json, JSON.parse(__headers), __partition, __offset, __timestamp);
  })()`;
  let script: vm.Script;
  try {
    script = new vm.Script(`!!${code}`, { filename: 'filter.js' });
  } catch (e) {
    throw new UiError('predicate_invalid', `The filter does not compile: ${(e as Error).message}`);
  }
  const context = vm.createContext(Object.create(null), {
    name: 'message-filter',
    codeGeneration: { strings: false, wasm: false },
    microtaskMode: 'afterEvaluate',
  });
  return (m) => {
    // Strings and numbers are primitives, safe to hand over as they are; only the
    // headers object goes through JSON (the value is not serialized a second time).
    Object.assign(context, { __key: m.key, __value: m.value, __headers: JSON.stringify(m.headers), __partition: m.partition, __offset: m.offset, __timestamp: m.timestamp });
    // The limit is wall-clock time: a busy process (GC, other work, the first run's
    // lazy compilation) can push a cheap filter past it once. Only a second timeout
    // on the same record counts as the filter's own.
    for (let attempt = 1; ; attempt++) {
      try {
        return script.runInContext(context, { timeout: perRecordMs, breakOnSigint: false }) === true;
      } catch (e) {
        const msg = (e as Error).message ?? String(e);
        if (!/timed out/i.test(msg)) return false; // a filter that throws on one record (e.g. json is null) simply does not match it
        if (attempt >= 2) throw new UiError('predicate_timeout', `The filter ran longer than ${perRecordMs} ms on offset ${m.offset} of partition ${m.partition}`);
      }
    }
  };
}
