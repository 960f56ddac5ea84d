import { test } from 'node:test';
import assert from 'node:assert/strict';
import { satisfies } from './semver.ts';

test('SDK ranges: the npm forms plugins declare', () => {
  const yes: [string, string][] = [['1.0.0', '^1.0.0'], ['1.4.2', '^1.0.0'], ['1.0.0', '1.x'], ['1.2.9', '~1.2.0'], ['1.0.0', '*'], ['1.0.0', '>=1.0.0 <2.0.0'],
    ['1.0.0', '1'], ['1.3.0', '1.0.0 - 1.4.0'], ['2.1.0', '^1.0.0 || ^2.0.0'], ['0.3.1', '^0.3.0'], ['1.0.0', '1.0.0'], ['1.0.0', '>= 1.0.0'], ['1.0.0', '<=1']];
  const no: [string, string][] = [['1.0.0', '^2.0.0'], ['2.0.0', '^1.0.0'], ['1.3.0', '~1.2.0'], ['0.4.0', '^0.3.0'], ['1.0.0', '>1.0.0'], ['2.0.0-beta.1', '^1.0.0'],
    ['1.0.0', '1.0.1'], ['1.5.0', '1.0.0 - 1.4.0'], ['1.0.0', '<1.0.0'], ['2.0.0', '<=1']];
  for (const [v, r] of yes) assert.equal(satisfies(v, r), true, `${v} in ${r}`);
  for (const [v, r] of no) assert.equal(satisfies(v, r), false, `${v} not in ${r}`);
  assert.throws(() => satisfies('1.0.0', 'latest'), /not a version range/);
});
