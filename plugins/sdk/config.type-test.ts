// Type tests of ConfigDef (checked by tsc: `npm run typecheck`, and by
// config-types.test.ts in npm test). Every `@ts-expect-error` must be an error.
import { ConfigDef, Validators, type ConfigValues } from './index.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const expectType = <T extends true>(_ok: T) => undefined;

const def = () => new ConfigDef()
  .define({ name: 'topic', type: 'STRING', documentation: 'Topic.', validator: Validators.nonEmptyString() })
  .define({ name: 'count.to', type: 'LONG', default: 100, documentation: 'Limit.' })
  .define({ name: 'ratio', type: 'DOUBLE', default: 0.5, documentation: 'Ratio.' })
  .define({ name: 'enabled', type: 'BOOLEAN', default: true, documentation: 'On?' })
  .define({ name: 'tables', type: 'LIST', default: '', documentation: 'Tables.' })
  .define({ name: 'password', type: 'PASSWORD', default: null, documentation: 'Secret.' })
  .define({ name: 'cls', type: 'CLASS', documentation: 'A class.' });

const c = def().parse({ topic: 't', cls: 'X' });
expectType<Equal<typeof c.topic, string>>(true);
expectType<Equal<typeof c['count.to'], number>>(true);
expectType<Equal<typeof c.ratio, number>>(true);
expectType<Equal<typeof c.enabled, boolean>>(true);
expectType<Equal<typeof c.tables, string[]>>(true);
expectType<Equal<typeof c.password, string | null>>(true);
expectType<Equal<typeof c.cls, string>>(true);
expectType<Equal<ConfigValues<ReturnType<typeof def>>['count.to'], number>>(true);

// @ts-expect-error a LONG is a number, not a string
const s: string = c['count.to'];
// @ts-expect-error a nullable key needs a check before use
const p: string = c.password;
// @ts-expect-error the key's type is one of ConfigType
new ConfigDef().define({ name: 'x', type: 'NUMBER', documentation: '' });

// merge() keeps both sides' types; an untyped ConfigDef parses to Record<string, unknown>
const merged = new ConfigDef().define({ name: 'a', type: 'INT', default: 1, documentation: '' }).merge(def()).parse({});
expectType<Equal<typeof merged.a, number>>(true);
expectType<Equal<typeof merged.topic, string>>(true);
const loose: ConfigDef = def();
expectType<Equal<ReturnType<typeof loose.parse>, Record<string, unknown>>>(true);

export { s, p };
