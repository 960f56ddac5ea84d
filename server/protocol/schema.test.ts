// Round-trips every declared API at every version, plus golden bytes for the
// encodings clients depend on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Reader, Writer } from './buffers.ts';
import { API_DECLS, API_BY_KEY } from './apis/index.ts';
import { VersionRange, compileStruct, type FieldDecl } from './schema.ts';

function sample(fields: readonly FieldDecl[], v: number, seed: number): any {
  const o: any = {};
  for (const f of fields) {
    if (!VersionRange.parse(f.versions).has(v)) continue;
    o[f.name] = sampleValue(f, v, seed + f.name.length);
  }
  return o;
}

function prim(type: string, seed: number): any {
  switch (type) {
    case 'int8': return (seed % 100) + 1;
    case 'int16': return seed + 7;
    case 'uint16': return seed + 9;
    case 'int32': return seed * 1000 + 3;
    case 'int64': return BigInt(seed) * 1_000_000_007n;
    case 'float64': return seed + 0.5;
    case 'bool': return true;
    case 'string': return `s${seed}-é`;
    case 'bytes': case 'records': return Buffer.from(`b${seed}`);
    case 'uuid': return seed.toString(16).padStart(32, 'a');
  }
  throw new Error(type);
}

function sampleValue(f: FieldDecl, v: number, seed: number): any {
  if (f.type.startsWith('[]')) {
    const elem = f.type.slice(2);
    if (f.fields) return [sample(f.fields, v, seed + 1)];
    return [prim(elem, seed), prim(elem, seed + 1)];
  }
  if (f.fields) return sample(f.fields, v, seed + 1);
  return prim(f.type, seed);
}

test('every declared API round-trips at every version', () => {
  let n = 0;
  for (const d of API_DECLS) {
    const api = API_BY_KEY.get(d.key)!;
    for (let v = d.minVersion; v <= d.maxVersion; v++) {
      for (const [dir, fields] of [['request', d.request], ['response', d.response]] as const) {
        const codec = dir === 'request' ? api.request(v) : api.response(v);
        const obj = sample(fields, v, v + 1);
        const w = new Writer();
        codec.encode(w, obj);
        const buf = w.toBuffer();
        const r = new Reader(buf);
        const back = codec.decode(r);
        assert.equal(r.remaining(), 0, `${d.name} v${v} ${dir}: trailing bytes`);
        for (const k of Object.keys(obj)) if (!Array.isArray(obj[k]) && (typeof obj[k] !== 'object' || Buffer.isBuffer(obj[k]))) assert.deepEqual(back[k], obj[k], `${d.name} v${v} ${dir}: ${k}`);
        // Nested structures: decoding fills absent fields with defaults, so compare re-encoded bytes.
        const w2 = new Writer(); codec.encode(w2, back);
        assert.deepEqual(w2.toBuffer(), buf, `${d.name} v${v} ${dir}: re-encoding differs`);
        n++;
      }
    }
  }
  assert.ok(n > 100, `checked ${n} encodings`);
});

test('golden bytes', () => {
  // Metadata v1 request with topics = null: int32 -1
  const md = API_BY_KEY.get(3)!;
  const w1 = new Writer(); md.request(1).encode(w1, { topics: null });
  assert.equal(w1.toBuffer().toString('hex'), 'ffffffff');
  // Metadata v9 (flexible): compact array of one topic "ab", then tagged-field sections
  const w2 = new Writer(); md.request(9).encode(w2, { topics: [{ name: 'ab' }], allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false });
  // topics[1]{name "ab", tags}, allowAutoTopicCreation, includeClusterAuthorizedOperations, includeTopicAuthorizedOperations, tags
  assert.equal(w2.toBuffer().toString('hex'), '02' + '03' + '6162' + '00' + '01' + '00' + '00' + '00');
  // ApiVersions v0 request: empty body
  const w3 = new Writer(); API_BY_KEY.get(18)!.request(0).encode(w3, {});
  assert.equal(w3.toBuffer().length, 0);
  // Varints as Kafka's records use them (zigzag)
  const w4 = new Writer(); w4.varint(0).varint(-1).varint(1).varint(300).varlong(-2n);
  assert.equal(w4.toBuffer().toString('hex'), '000102d80403');
});

test('tagged fields: present ones round-trip, unknown tags are skipped', () => {
  const fields: FieldDecl[] = [
    { name: 'a', type: 'int32', versions: '0+' },
    { name: 't', type: 'string', versions: '0+', taggedVersions: '0+', tag: 1, nullableVersions: '0+', default: null },
  ];
  const c = compileStruct(fields, 0, true);
  const w = new Writer(); c.encode(w, { a: 5, t: 'x' });
  assert.deepEqual(c.decode(new Reader(w.toBuffer())), { a: 5, t: 'x' });
  // a = 5, then 2 tagged fields: tag 7 (unknown, 1 byte) and tag 1 ("y")
  const raw = Buffer.from('00000005' + '02' + '07' + '01' + 'ff' + '01' + '02' + '02' + '79', 'hex');
  const r = new Reader(raw);
  assert.deepEqual(c.decode(r), { a: 5, t: 'y' });
  assert.equal(r.remaining(), 0);
});

test('truncated and lying frames throw instead of reading past the end', () => {
  const md = API_BY_KEY.get(3)!;
  assert.throws(() => md.request(1).decode(new Reader(Buffer.from('0000000500', 'hex'))));
  assert.throws(() => md.request(9).decode(new Reader(Buffer.from('ff7f', 'hex'))));
});
