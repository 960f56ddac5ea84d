import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataException, bigintToBytes, bytesToBigint, decimalToUnscaled, parseDecimal, unscaledToDecimal, toMillis } from './index.ts';

test('Decimal helpers: unscaled values, two\'s-complement bytes both ways, scale handling', () => {
  assert.equal(decimalToUnscaled('12.340', 3), 12340n);
  assert.equal(decimalToUnscaled('-0.5', 2), -50n);
  assert.equal(decimalToUnscaled(1.5, 2), 150n);
  assert.throws(() => decimalToUnscaled('1.234', 2), (e: Error) => e instanceof DataException && /more than 2 fraction digits/.test(e.message));
  assert.throws(() => decimalToUnscaled('abc', 2), DataException);
  assert.deepEqual(parseDecimal('1.239', 2, { truncate: true }), { unscaled: 123n, scale: 2 });
  assert.deepEqual(parseDecimal('123.4500', null), { unscaled: 1234500n, scale: 4 });
  assert.equal(unscaledToDecimal(-5n, 3), '-0.005');
  assert.equal(unscaledToDecimal(12340n, 0), '12340');
  for (const [n, hex] of [[0n, '00'], [127n, '7f'], [128n, '0080'], [-1n, 'ff'], [-128n, '80'], [-129n, 'ff7f'], [2n ** 70n, '400000000000000000']] as const) {
    assert.equal(bigintToBytes(n).toString('hex'), hex, `${n}`);
    assert.equal(bytesToBigint(Buffer.from(hex, 'hex')), n);
  }
  assert.equal(bytesToBigint(new Uint8Array()), 0n);
  assert.equal(toMillis(new Date(5)), 5);
  assert.throws(() => toMillis('never'), DataException);
});
