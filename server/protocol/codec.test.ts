// Codec tests: every declared API round-trips a populated request and response in
// every version it accepts, plus hand-derived golden bytes from Kafka's protocol spec.
// Run: node --import tsx --test server/protocol/codec.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Reader, Writer } from './buffers.ts';
import { VersionRange, compileApi, compileStruct, type ApiDecl, type FieldDecl } from './schema.ts';
import { API_DECLS, API_BY_KEY, API_BY_NAME } from './apis/index.ts';

const PRIMS = new Set(['int8', 'int16', 'uint16', 'int32', 'int64', 'float64', 'bool', 'string', 'bytes', 'records', 'uuid']);
const present = (fd: FieldDecl, v: number) => VersionRange.parse(fd.versions).has(v);
const nullable = (fd: FieldDecl, v: number) => VersionRange.parse(fd.nullableVersions).has(v);
const isArray = (fd: FieldDecl) => fd.type.startsWith('[]');
const elemType = (fd: FieldDecl) => (isArray(fd) ? fd.type.slice(2) : fd.type);
const isStruct = (fd: FieldDecl) => !!fd.fields;

// ---- sample objects built from the declarations -------------------------------------------

type Mode = 'full' | 'empty';

/** A non-default sample value of a primitive type; `n` makes values differ between fields. */
function samplePrim(type: string, n: number, def: unknown): unknown {
  switch (type) {
    case 'int8': return def === 5 ? 6 : 5;
    case 'int16': return 1000 + (n % 20000);
    case 'uint16': return 40000 + (n % 20000);
    case 'int32': return 100000 + n;
    case 'int64': return 2n ** 40n + BigInt(n);
    case 'float64': return 1.5 + n;
    case 'bool': return def !== true;
    case 'string': return `s${n}-é`;
    case 'bytes': return Buffer.from([1, 2, 3, n & 0xff]);
    case 'records': return Buffer.from(`records-${n}`);
    case 'uuid': return (0x0123456789abcdefn * 0x10000000000000000n + BigInt(n + 1)).toString(16).padStart(32, '0');
  }
  throw new Error(`no sample for ${type}`);
}

/**
 * A populated object for one version. 'full': every field present in the version gets a
 * non-default value, arrays one element. 'empty': nullable fields null, arrays empty,
 * other primitives their type's zero value.
 */
function sample(fields: readonly FieldDecl[], v: number, mode: Mode, counter: { n: number }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const fd of fields) {
    if (!present(fd, v)) continue;
    const n = counter.n++;
    const canNull = nullable(fd, v);
    if (mode === 'empty') {
      if (canNull) { out[fd.name] = null; continue; }
      if (isArray(fd)) { out[fd.name] = []; continue; }
      if (isStruct(fd)) { out[fd.name] = sample(fd.fields!, v, mode, counter); continue; }
      out[fd.name] = zeroOf(fd.type);
      continue;
    }
    if (isArray(fd)) {
      out[fd.name] = [isStruct(fd) ? sample(fd.fields!, v, mode, counter) : samplePrim(elemType(fd), n, undefined)];
    } else if (isStruct(fd)) {
      out[fd.name] = sample(fd.fields!, v, mode, counter);
    } else {
      out[fd.name] = samplePrim(fd.type, n, fd.default);
    }
  }
  return out;
}

function zeroOf(type: string): unknown {
  switch (type) {
    case 'int64': return 0n;
    case 'bool': return false;
    case 'string': return '';
    case 'bytes': case 'records': return Buffer.alloc(0);
    case 'uuid': return '00000000000000000000000000000000';
    default: return 0;
  }
}

/** The part of a decoded object covered by the fields present in version v. */
function project(fields: readonly FieldDecl[], v: number, obj: any): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const fd of fields) {
    if (!present(fd, v)) continue;
    const val = obj?.[fd.name];
    if (isStruct(fd) && isArray(fd)) out[fd.name] = val == null ? val : val.map((e: any) => project(fd.fields!, v, e));
    else if (isStruct(fd)) out[fd.name] = val === undefined ? undefined : project(fd.fields!, v, val);
    else out[fd.name] = val;
  }
  return out;
}

/** Fields absent from version v must still decode, to their declared default. */
function checkAbsentDefaults(fields: readonly FieldDecl[], v: number, obj: any, path: string): void {
  for (const fd of fields) {
    const p = `${path}.${fd.name}`;
    assert.ok(fd.name in obj, `${p} missing from decoded object`);
    if (!present(fd, v)) {
      if (fd.default !== undefined) assert.deepEqual(obj[fd.name], fd.default, `${p} default`);
      continue;
    }
    if (isStruct(fd) && isArray(fd) && Array.isArray(obj[fd.name])) {
      for (const e of obj[fd.name]) checkAbsentDefaults(fd.fields!, v, e, p + '[]');
    } else if (isStruct(fd) && obj[fd.name] != null) {
      checkAbsentDefaults(fd.fields!, v, obj[fd.name], p);
    }
  }
}

function encode(c: { encode(w: Writer, o: unknown): void }, obj: unknown): Buffer {
  const w = new Writer();
  c.encode(w, obj);
  return w.toBuffer();
}

function roundTrip(decl: ApiDecl, side: 'request' | 'response', v: number, mode: Mode): void {
  const codec = API_BY_KEY.get(decl.key)!;
  const fields = decl[side];
  const obj = sample(fields, v, mode, { n: 1 });
  const buf = encode(codec[side](v), obj);
  const r = new Reader(buf);
  const back = codec[side](v).decode(r);
  const where = `${decl.name} v${v} ${side} (${mode})`;
  assert.equal(r.offset, buf.length, `${where}: decoder left ${buf.length - r.offset} of ${buf.length} bytes`);
  assert.deepEqual(project(fields, v, back), obj, where);
  checkAbsentDefaults(fields, v, back, where);
  // Re-encoding the decoded object gives the same bytes.
  assert.deepEqual(encode(codec[side](v), back), buf, `${where}: re-encode`);
}

// ---- every API, every version ----------------------------------------------------------------

for (const decl of API_DECLS) {
  test(`${decl.name} (key ${decl.key}) v${decl.minVersion}-${decl.maxVersion} round-trips`, async (t) => {
    for (let v = decl.minVersion; v <= decl.maxVersion; v++) {
      await t.test(`v${v}`, () => {
        for (const side of ['request', 'response'] as const) {
          roundTrip(decl, side, v, 'full');
          roundTrip(decl, side, v, 'empty');
        }
      });
    }
  });
}

// ---- declaration hygiene ---------------------------------------------------------------------

test('declarations are well formed', () => {
  const keys = new Set<number>();
  for (const d of API_DECLS) {
    assert.ok(!keys.has(d.key), `duplicate key ${d.key}`);
    keys.add(d.key);
    assert.ok(d.minVersion <= d.maxVersion, d.name);
    const walk = (fields: readonly FieldDecl[], path: string) => {
      const names = new Set<string>();
      for (const fd of fields) {
        const p = `${d.name}.${path}${fd.name}`;
        assert.match(fd.name, /^[a-z][A-Za-z0-9]*$/, `${p} is not camelCase`);
        assert.ok(!names.has(fd.name), `${p} declared twice in one struct`);
        names.add(fd.name);
        assert.ok(isStruct(fd) || PRIMS.has(elemType(fd)), `${p}: unknown type ${fd.type}`);
        if (fd.taggedVersions) {
          assert.equal(typeof fd.tag, 'number', `${p} tagged without tag`);
          assert.ok(VersionRange.parse(fd.taggedVersions).min >= d.flexibleFrom, `${p} tagged before flexible versions`);
        }
        if (fd.type === 'int64' && fd.default !== undefined) assert.equal(typeof fd.default, 'bigint', `${p} int64 default must be a bigint`);
        if (fd.fields) walk(fd.fields, path + fd.name + '.');
      }
      const tags = fields.filter((x) => x.taggedVersions).map((x) => x.tag);
      assert.equal(new Set(tags).size, tags.length, `${d.name}.${path}: duplicate tag`);
    };
    walk(d.request, 'request.');
    walk(d.response, 'response.');
  }
});

test('API_BY_NAME and API_BY_KEY share the compiled codecs', () => {
  assert.equal(API_BY_KEY.size, API_DECLS.length);
  assert.equal(API_BY_NAME.size, API_DECLS.length);
  for (const d of API_DECLS) {
    const byKey = API_BY_KEY.get(d.key)!;
    assert.equal(API_BY_NAME.get(d.name), byKey, d.name);
    assert.equal(byKey.decl, d);
    assert.equal(byKey.request(d.maxVersion), byKey.request(d.maxVersion), 'per-version codec is cached');
  }
});

// ---- golden bytes, derived by hand from Kafka's protocol guide --------------------------------

const hex = (b: Buffer) => b.toString('hex');
const req = (name: string, v: number) => API_BY_NAME.get(name)!.request(v);
const res = (name: string, v: number) => API_BY_NAME.get(name)!.response(v);
const decodeAll = (c: { decode(r: Reader): any }, buf: Buffer) => {
  const r = new Reader(buf);
  const o = c.decode(r);
  assert.equal(r.remaining(), 0, 'decoder consumed every byte');
  return o;
};

test('golden: ApiVersions v0 request body is empty; v3 uses compact strings and a tag buffer', () => {
  assert.equal(encode(req('ApiVersions', 0), {}).length, 0);
  assert.equal(hex(encode(req('ApiVersions', 3), { clientSoftwareName: 'ab', clientSoftwareVersion: '1' })), '03616202' + '31' + '00');
});

test('golden: ApiVersions v0 response', () => {
  const buf = encode(res('ApiVersions', 0), { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }] });
  // error_code int16, api_keys int32 count, then int16 key/min/max
  assert.equal(hex(buf), '0000' + '00000001' + '0012' + '0000' + '0003');
});

test('golden: Metadata v1 request with topics=null is ff ff ff ff; v0 has no null', () => {
  assert.equal(hex(encode(req('Metadata', 1), { topics: null })), 'ffffffff');
  assert.deepEqual(decodeAll(req('Metadata', 1), Buffer.from('ffffffff', 'hex')).topics, null);
  assert.equal(hex(encode(req('Metadata', 0), { topics: [] })), '00000000');
  assert.throws(() => encode(req('Metadata', 0), { topics: null }), /null/);
  assert.throws(() => decodeAll(req('Metadata', 0), Buffer.from('ffffffff', 'hex')), /null/);
  // v4 adds allow_auto_topic_creation, default true
  assert.equal(hex(encode(req('Metadata', 4), { topics: [{ name: 'ab' }] })), '00000001' + '0002' + '6162' + '01');
});

test('golden: Metadata v9 (flexible) request: compact nullable array, compact string, tag buffers', () => {
  const buf = encode(req('Metadata', 9), { topics: [{ name: 'ab' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: true });
  // topics: uvarint 1+1; topic: compact string "ab" = 03 61 62, tag buffer 00; then the three bools
  // (include_cluster_authorized_operations exists in v8-10 only) and the struct's tag buffer
  assert.equal(hex(buf), '02' + '036162' + '00' + '00' + '00' + '01' + '00');
  assert.equal(hex(encode(req('Metadata', 9), { topics: null })), '00' + '01' + '00' + '00' + '00');
  assert.equal(hex(encode(req('Metadata', 11), { topics: null })), '00' + '01' + '00' + '00');
});

test('golden: flexible compact string "ab" is 03 61 62 and a flexible struct ends with 00', () => {
  // FindCoordinator v3: key (compact string) key_type (int8) TAG_BUFFER
  assert.equal(hex(encode(req('FindCoordinator', 3), { key: 'ab', keyType: 0 })), '036162' + '00' + '00');
  // Heartbeat v4 response: throttle_time_ms error_code TAG_BUFFER
  const hb = encode(res('Heartbeat', 4), { throttleTimeMs: 0, errorCode: 27 });
  assert.equal(hex(hb), '00000000' + '001b' + '00');
  // The same fields non-flexible (v3) have no tag buffer.
  assert.equal(hex(encode(res('Heartbeat', 3), { throttleTimeMs: 0, errorCode: 27 })), '00000000' + '001b');
});

test('golden: compact lengths are unsigned varints (200-byte string → c9 01)', () => {
  const s = 'x'.repeat(200);
  const buf = encode(req('FindCoordinator', 3), { key: s, keyType: 1 });
  assert.equal(hex(buf.subarray(0, 2)), 'c901');
  assert.equal(buf.length, 2 + 200 + 1 + 1);
  assert.equal(decodeAll(req('FindCoordinator', 3), buf).key, s);
});

test('golden: FindCoordinator v4 batched keys', () => {
  const buf = encode(req('FindCoordinator', 4), { keyType: 0, coordinatorKeys: ['g'] });
  assert.equal(hex(buf), '00' + '02' + '0267' + '00');
  const out = decodeAll(req('FindCoordinator', 4), buf);
  assert.deepEqual(out.coordinatorKeys, ['g']);
  assert.equal(out.key, '', 'v0-3 single key decodes as its default when absent');
});

test('golden: a tagged field round-trips and default-valued tags are omitted', () => {
  const topic = { name: 't', errorCode: 0, errorMessage: null, numPartitions: 1, replicationFactor: 1, configs: null };
  const c = res('CreateTopics', 5);
  // topic_config_error_code is tag 0 of the topic struct, written after its plain fields
  const withTag = encode(c, { throttleTimeMs: 0, topics: [{ ...topic, topicConfigErrorCode: 5 }] });
  const plain = '00000000' + '02' + '0274' + '0000' + '00' + '00000001' + '0001' + '00';
  assert.equal(hex(withTag), plain + '01' + '00' + '02' + '0005' + '00');
  assert.equal(decodeAll(c, withTag).topics[0].topicConfigErrorCode, 5);
  const noTag = encode(c, { throttleTimeMs: 0, topics: [{ ...topic, topicConfigErrorCode: 0 }] });
  assert.equal(hex(noTag), plain + '00' + '00');
  assert.equal(decodeAll(c, noTag).topics[0].topicConfigErrorCode, 0);
});

test('golden: unknown tags are skipped, known ones still read', () => {
  const c = res('Heartbeat', 4);
  const unknown = Buffer.from('00000000' + '001b' + '01' + '09' + '02' + 'aabb', 'hex');
  assert.deepEqual(decodeAll(c, unknown), { throttleTimeMs: 0, errorCode: 27 });
  // CreateTopics v5 topic with an unknown tag 7 after the known tag 0
  const ct = res('CreateTopics', 5);
  const buf = Buffer.from('00000000' + '02' + '0274' + '0000' + '00' + '00000001' + '0001' + '00'
    + '02' + '00' + '02' + '0005' + '07' + '03' + 'ffffff' + '00', 'hex');
  const out = decodeAll(ct, buf);
  assert.equal(out.topics[0].topicConfigErrorCode, 5);
  assert.equal(out.topics[0].numPartitions, 1);
  // a truncated tag is an error, not a silent success
  assert.throws(() => decodeAll(c, Buffer.from('00000000' + '001b' + '01' + '09' + '05' + 'aabb', 'hex')), /truncated/);
});

test('golden: Fetch v15 carries replica_state as tag 1 instead of replica_id; v12 cluster_id tag 0', () => {
  const base = { maxWaitMs: 500, minBytes: 1, maxBytes: 1024, isolationLevel: 1, sessionId: 0, sessionEpoch: -1, topics: [], forgottenTopicsData: [], rackId: '' };
  const body = '000001f4' + '00000001' + '00000400' + '01' + '00000000' + 'ffffffff' + '01' + '01' + '01';
  // v15: no replica_id int32 at the front; no tags when replica_state is absent
  assert.equal(hex(encode(req('Fetch', 15), base)), body + '00');
  // replica_state { replica_id 3, replica_epoch 7 } = 00000003 0000000000000007 00 (13 bytes)
  const tagged = encode(req('Fetch', 15), { ...base, replicaState: { replicaId: 3, replicaEpoch: 7n } });
  assert.equal(hex(tagged), body + '01' + '01' + '0d' + '00000003' + '0000000000000007' + '00');
  assert.deepEqual(decodeAll(req('Fetch', 15), tagged).replicaState, { replicaId: 3, replicaEpoch: 7n });
  // v14 still has replica_id (default -1) at the front
  assert.equal(hex(encode(req('Fetch', 14), base)), 'ffffffff' + body + '00');
  // v12: cluster_id is tag 0, omitted while null
  assert.equal(hex(encode(req('Fetch', 12), { ...base, clusterId: 'c' })), 'ffffffff' + body + '01' + '00' + '02' + '0263');
});

test('golden: Fetch v13 addresses topics by id, v12 by name', () => {
  const id = '00112233445566778899aabbccddeeff';
  const t = { topic: 'ab', topicId: id, partitions: [] };
  const v13 = encode(req('Fetch', 13), { maxWaitMs: 0, minBytes: 0, topics: [t] });
  assert.ok(hex(v13).includes('02' + id + '01' + '00'), 'topic id, empty partitions, tag buffer');
  assert.ok(!hex(v13).includes('036162'), 'no topic name');
  const v12 = encode(req('Fetch', 12), { maxWaitMs: 0, minBytes: 0, topics: [t] });
  assert.ok(hex(v12).includes('02' + '036162' + '01' + '00'));
  assert.equal(decodeAll(req('Fetch', 13), v13).topics[0].topicId, id);
});

test('golden: Fetch v4 response partition with an empty aborted list (not null) and records', () => {
  const p = { partitionIndex: 0, errorCode: 0, highWatermark: 10n, lastStableOffset: 10n, abortedTransactions: [], records: Buffer.from('abc') };
  const buf = encode(res('Fetch', 4), { throttleTimeMs: 0, responses: [{ topic: 'ab', partitions: [p] }] });
  assert.equal(hex(buf), '00000000' + '00000001' + '0002' + '6162' + '00000001'
    + '00000000' + '0000' + '000000000000000a' + '000000000000000a' + '00000000' + '00000003' + '616263');
  const out = decodeAll(res('Fetch', 4), buf);
  assert.deepEqual(out.responses[0].partitions[0].abortedTransactions, []);
  assert.equal(out.responses[0].partitions[0].logStartOffset, -1n, 'absent int64 default is a bigint');
});

test('golden: records may be written as several chunks and read back as one buffer', () => {
  const big = Buffer.alloc(5000, 7); // large chunks are referenced, not copied
  const small = Buffer.from('xyz');
  for (const v of [3, 9]) {
    const c = req('Produce', v);
    const buf = encode(c, { transactionalId: null, acks: -1, timeoutMs: 30000, topicData: [{ name: 't', partitionData: [{ index: 0, records: [small, big] }] }] });
    const out = decodeAll(c, buf);
    assert.deepEqual(out.topicData[0].partitionData[0].records, Buffer.concat([small, big]));
  }
  const v3 = encode(req('Produce', 3), { transactionalId: null, acks: -1, timeoutMs: 30000, topicData: [{ name: 't', partitionData: [{ index: 1, records: null }] }] });
  assert.equal(hex(v3), 'ffff' + 'ffff' + '00007530' + '00000001' + '0001' + '74' + '00000001' + '00000001' + 'ffffffff');
  const v9 = encode(req('Produce', 9), { transactionalId: null, acks: 1, timeoutMs: 30000, topicData: [{ name: 't', partitionData: [{ index: 1, records: Buffer.from('ab') }] }] });
  assert.equal(hex(v9), '00' + '0001' + '00007530' + '02' + '0274' + '02' + '00000001' + '03' + '6162' + '00' + '00' + '00');
});

test('golden: int64 values decode as bigint, ListOffsets v0 vs v1 shapes', () => {
  const v0 = encode(res('ListOffsets', 0), { topics: [{ name: 'a', partitions: [{ partitionIndex: 0, errorCode: 0, oldStyleOffsets: [5n] }] }] });
  assert.equal(hex(v0), '00000001' + '0001' + '61' + '00000001' + '00000000' + '0000' + '00000001' + '0000000000000005');
  const v1 = encode(res('ListOffsets', 1), { topics: [{ name: 'a', partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1n, offset: 2n ** 40n }] }] });
  assert.equal(hex(v1), '00000001' + '0001' + '61' + '00000001' + '00000000' + '0000' + 'ffffffffffffffff' + '0000010000000000');
  const p = decodeAll(res('ListOffsets', 1), v1).topics[0].partitions[0];
  assert.equal(p.offset, 2n ** 40n);
  assert.equal(p.timestamp, -1n);
  assert.deepEqual(p.oldStyleOffsets, []);
});

test('golden: OffsetFetch v8 batched groups form with null topics (all offsets)', () => {
  const buf = encode(req('OffsetFetch', 8), { groups: [{ groupId: 'g', topics: null }], requireStable: true });
  assert.equal(hex(buf), '02' + '0267' + '00' + '00' + '01' + '00');
  const out = decodeAll(req('OffsetFetch', 8), buf);
  assert.deepEqual(out.groups, [{ groupId: 'g', memberId: null, memberEpoch: -1, topics: null }]);
  assert.equal(out.groupId, '');
});

test('golden: AddPartitionsToTxn v3 single-transaction form vs v4 batched form', () => {
  const v3 = encode(req('AddPartitionsToTxn', 3), {
    v3AndBelowTransactionalId: 'x', v3AndBelowProducerId: 1n, v3AndBelowProducerEpoch: 0,
    v3AndBelowTopics: [{ name: 't', partitions: [0] }],
  });
  assert.equal(hex(v3), '0278' + '0000000000000001' + '0000' + '02' + '0274' + '02' + '00000000' + '00' + '00');
  const v4 = encode(req('AddPartitionsToTxn', 4), {
    transactions: [{ transactionalId: 'x', producerId: 1n, producerEpoch: 0, verifyOnly: true, topics: [{ name: 't', partitions: [0] }] }],
  });
  assert.equal(hex(v4), '02' + '0278' + '0000000000000001' + '0000' + '01' + '02' + '0274' + '02' + '00000000' + '00' + '00' + '00');
});

test('golden: non-flexible versions of a flexible API write no tag buffers', () => {
  // JoinGroup v5: group_id session_timeout rebalance_timeout member_id group_instance_id protocol_type [protocols]
  const buf = encode(req('JoinGroup', 5), {
    groupId: 'g', sessionTimeoutMs: 10, rebalanceTimeoutMs: 20, memberId: '', groupInstanceId: null, protocolType: 'consumer',
    protocols: [{ name: 'r', metadata: Buffer.from([1]) }],
  });
  assert.equal(hex(buf), '0001' + '67' + '0000000a' + '00000014' + '0000' + 'ffff' + '0008' + Buffer.from('consumer').toString('hex')
    + '00000001' + '0001' + '72' + '00000001' + '01');
});

// ---- engine behaviour -------------------------------------------------------------------------

test('engine: a struct array is a struct even if its name is a primitive type name', () => {
  const fields: FieldDecl[] = [{ name: 'records', type: '[]records', versions: '0+', fields: [{ name: 'a', type: 'int8', versions: '0+' }] }];
  const c = compileStruct(fields, 0, false);
  const buf = encode(c, { records: [{ a: 1 }] });
  assert.equal(hex(buf), '00000001' + '01');
  assert.deepEqual(decodeAll(c, buf), { records: [{ a: 1 }] });
});

test('engine: an unknown type without fields is rejected at compile time', () => {
  const bad: ApiDecl = { key: 999, name: 'Bad', minVersion: 0, maxVersion: 0, flexibleFrom: Infinity, request: [{ name: 'x', type: 'int23', versions: '0+' }], response: [] };
  assert.throws(() => compileApi(bad).request(0), /unknown type int23/);
});

test('engine: truncated input is a ProtocolError, not garbage', () => {
  const c = req('Heartbeat', 0);
  const buf = encode(c, { groupId: 'group', generationId: 1, memberId: 'm' });
  for (let cut = 0; cut < buf.length; cut++) {
    assert.throws(() => c.decode(new Reader(buf.subarray(0, cut))), /truncated|exceeds|negative/);
  }
});
