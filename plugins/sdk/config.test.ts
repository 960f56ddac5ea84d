import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigDef, ConfigException, Validators } from './index.ts';

test('LIST keys: the common validators check each element, not the joined text', () => {
  const def = new ConfigDef()
    .define({ name: 'tables', type: 'LIST', documentation: '', validator: Validators.pattern(/^[a-z_]+\.[a-z_]+$/, 'schema.table') })
    .define({ name: 'ports', type: 'LIST', default: '', documentation: '', validator: Validators.range(1, 65535) })
    .define({ name: 'ops', type: 'LIST', default: 'c', documentation: '', validator: Validators.oneOf('c', 'u', 'd') })
    .define({ name: 'hosts', type: 'LIST', default: 'a', documentation: '', validator: Validators.nonEmptyString() });
  // the joined text "public.a,public.b" does not match the pattern; each element does
  assert.deepEqual(def.parse({ tables: 'public.a, public.b', ports: '80,443' }).tables, ['public.a', 'public.b']);
  const errs = (props: Record<string, string>) => Object.fromEntries(def.validateAll(props).filter((v) => v.errors.length).map((v) => [v.name, v.errors[0]]));
  assert.deepEqual(errs({ tables: 'public.a,b', ports: '80,70000', ops: 'c,x', hosts: '' }), {
    tables: 'Invalid value b for configuration tables: must be schema.table',
    ports: 'Invalid value 70000 for configuration ports: Value must be no more than 65535',
    ops: 'Invalid value x for configuration ops: String must be one of: c, u, d',
    hosts: 'Invalid value for configuration hosts: List must be non-empty',
  });
  assert.throws(() => def.parse({ tables: 'x' }), (e: Error) => e instanceof ConfigException && e.key === 'tables');
  // single values as before
  const one = new ConfigDef().define({ name: 'n', type: 'INT', documentation: '', validator: Validators.range(0, 10) });
  assert.match(one.validateAll({ n: '11' })[0].errors[0], /no more than 10/);
});
