// Header transforms: HeaderFrom ($Key/$Value), DropHeaders, InsertHeader.
// Header values are bytes/strings here: strings stay strings, other values become JSON.
import { ConfigDef, ConfigException, Validators, type ConnectRecord, type Header, type Props, type Transformation } from '../../../plugins/sdk/index.ts';
import { SchemaCache, part, requireMap, requireStruct, withPart, type Part } from './common.ts';

function headerValue(v: unknown): Buffer | string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || Buffer.isBuffer(v)) return v;
  if (v instanceof Date) return String(v.getTime());
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
}

export abstract class HeaderFrom implements Transformation {
  abstract readonly part: Part;
  private fields: string[] = [];
  private headers: string[] = [];
  private move = false;
  private cache = new SchemaCache();
  config() {
    return new ConfigDef()
      .define({ name: 'fields', type: 'LIST', documentation: 'Field names in the record whose values are to be copied or moved to headers.' })
      .define({ name: 'headers', type: 'LIST', documentation: 'Header names, in the same order as the field names listed in the fields configuration property.' })
      .define({ name: 'operation', type: 'STRING', validator: Validators.oneOf('move', 'copy'), recommendedValues: ['move', 'copy'], documentation: 'Either move if the fields are to be moved to the headers (removed from the key/value), or copy if the fields are to be copied to the headers (retained in the key/value).' })
      .define({ name: 'replace.null.with.default', type: 'BOOLEAN', default: true, documentation: 'Whether to replace fields that have a default value and that are null to the default value.' });
  }
  configure(p: Props) {
    const c = this.config().parse(p);
    this.fields = c.fields as string[];
    this.headers = c.headers as string[];
    if (this.fields.length !== this.headers.length) throw new ConfigException('headers', "'fields' config must have the same number of elements as 'headers' config.");
    this.move = c.operation === 'move';
  }
  apply(r: ConnectRecord) {
    const { schema, value } = part(r, this.part);
    if (value === null || value === undefined) return r;
    const v = schema ? requireStruct(schema, value, 'header ' + (this.move ? 'move' : 'copy')) : requireMap(value, 'header ' + (this.move ? 'move' : 'copy'));
    const headers: Header[] = [...(r.headers ?? [])];
    this.fields.forEach((f, i) => headers.push({ key: this.headers[i], value: headerValue(v[f]) }));
    if (!this.move) return { ...r, headers };
    const out = { ...v };
    for (const f of this.fields) delete out[f];
    const ns = schema ? this.cache.get(schema, (s) => ({ ...s, fields: (s.fields ?? []).filter((x) => !this.fields.includes(x.name)) })) : null;
    return { ...withPart(r, this.part, ns, out), headers };
  }
  close() {}
}
export class HeaderFromKey extends HeaderFrom { readonly part = 'key' as const; }
export class HeaderFromValue extends HeaderFrom { readonly part = 'value' as const; }

export class DropHeaders implements Transformation {
  private names = new Set<string>();
  config() { return new ConfigDef().define({ name: 'headers', type: 'LIST', documentation: 'The name of the headers to be removed.', validator: Object.assign((n: string, v: unknown) => { if (!(v as string[]).length) return `Invalid value for configuration ${n}: Empty list`; }, { describe: 'non-empty list' }) }); }
  configure(p: Props) { this.names = new Set(this.config().parse(p).headers as string[]); }
  apply(r: ConnectRecord) { return { ...r, headers: (r.headers ?? []).filter((h) => !this.names.has(h.key)) }; }
  close() {}
}

export class InsertHeader implements Transformation {
  private header = '';
  private literal = '';
  config() {
    return new ConfigDef()
      .define({ name: 'header', type: 'STRING', documentation: 'The name of the header.' })
      .define({ name: 'value.literal', type: 'STRING', documentation: 'The literal value that is to be set as the header value on all records.' });
  }
  configure(p: Props) { const c = this.config().parse(p); this.header = c.header as string; this.literal = c['value.literal'] as string; }
  apply(r: ConnectRecord) { return { ...r, headers: [...(r.headers ?? []), { key: this.header, value: this.literal }] }; }
  close() {}
}
