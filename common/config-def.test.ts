// The one config-definition helper: Kafka's type vocabulary and ranges, and each
// component's wording of a bad value (Connect's by default).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigDef, Validators, checkValue, type ConfigWording } from './config-def.ts';

test('Kafka\'s types: INT/SHORT ranges, LONG over Kafka\'s whole int64 range, LIST split and trimmed', () => {
  const def = new ConfigDef()
    .define({ name: 'i', type: 'INT', default: 1, documentation: '' })
    .define({ name: 's', type: 'SHORT', default: 1, documentation: '' })
    .define({ name: 'l', type: 'LONG', default: 1, documentation: '' })
    .define({ name: 'b', type: 'BOOLEAN', default: false, documentation: '' })
    .define({ name: 'list', type: 'LIST', default: '', documentation: '' });
  const v = def.parse({ i: '+7', s: '-32768', l: '9223372036854775807', b: 'TRUE', list: ' a, b ,,c' });
  assert.deepEqual([v.i, v.s, v.b, v.list], [7, -32768, true, ['a', 'b', 'c']]);
  assert.equal(v.l, 9223372036854775807);
  const errs = Object.fromEntries(def.validateAll({ i: '2147483648', s: '40000', l: '9223372036854775808', b: 'yes' }).map((x) => [x.name, x.errors[0]]));
  assert.equal(errs.i, 'Invalid value 2147483648 for configuration i: expected int');
  assert.equal(errs.s, 'Invalid value 40000 for configuration s: expected short');
  assert.equal(errs.l, 'Invalid value 9223372036854775808 for configuration l: expected long');
  assert.equal(errs.b, 'Invalid value yes for configuration b: expected boolean');
});

test('a component\'s wording words type, range and choice errors; checkValue checks one value', () => {
  const w: ConfigWording = {
    invalid: (name, shown, reason) => `${name}=${JSON.stringify(shown)}: ${reason}`,
    showRaw: true,
    type: (type, outOfRange) => (outOfRange ? `out of ${type} range` : `not ${type}`),
    atLeast: (min) => `>= ${min}`,
    atMost: (max) => `<= ${max}`,
    oneOf: (allowed) => `one of ${allowed.join('|')}`,
  };
  const def = new ConfigDef(w)
    .define({ name: 'n', type: 'INT', documentation: '', validator: Validators.range(1, 10, w) })
    .define({ name: 'c', type: 'STRING', default: 'a', documentation: '', validator: Validators.in(['a', 'b'], w) });
  const errs = (p: Record<string, string>) => def.validateAll(p).map((x) => x.errors[0] ?? null);
  assert.deepEqual(errs({ n: 'x' }), ['n="x": not INT', null]);
  assert.deepEqual(errs({ n: '99999999999' }), ['n="99999999999": out of INT range', null]);
  assert.deepEqual(errs({ n: '010', c: 'z' }), [null, 'c="z": one of a|b']);
  assert.deepEqual(errs({ n: '00' }), ['n="00": >= 1', null], 'the value as given, not as parsed');
  assert.equal(checkValue(def.keys.get('n')!, '11', w), 'n="11": <= 10');
  assert.equal(checkValue(def.keys.get('n')!, '5', w), null);
  // Connect's wording shows the parsed value, as Kafka Connect's validate does
  const connect = new ConfigDef().define({ name: 'n', type: 'INT', documentation: '', validator: Validators.range(1, null) });
  assert.equal(connect.validateAll({ n: '00' })[0].errors[0], 'Invalid value 0 for configuration n: Value must be at least 1');
});
