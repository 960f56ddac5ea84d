// A structured fuzzer for the broker's whole protocol surface. Requests are built from
// the codec's own declarations (server/protocol/apis), one valid request of every API
// and version, then mutated: field values (extremes, nulls, long strings), and on the
// encoded bytes lengths, array counts, varints, truncation and trailing garbage. Every
// answer is decoded with the response declaration of the same version; an answer that
// does not decode, or leaves bytes over, is a malformed response.
// Shared by test/security-fuzz-protocol.test.ts (small budget) and bench/fuzz.bench.ts.
import net from 'node:net';
import { API_CODECS } from '../../server/protocol/apis/index.ts';
import { Reader, Writer } from '../../server/protocol/buffers.ts';
import type { ApiCodec, FieldDecl } from '../../server/protocol/schema.ts';
import { VersionRange } from '../../server/protocol/schema.ts';
import { buildBatch, rewriteCrc } from '../../server/log/record-batch.ts';

/** mulberry32: a seeded generator, so a failing run can be replayed with its seed */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzCase {
  api: ApiCodec;
  version: number;
  /** request header + body, without the size prefix */
  payload: Buffer;
  mutation: string;
}

const NAMES = ['fuzz', 'fuzz-a', 'fuzz-b', 'fuzz-group', 'fuzz-txn', ''];
/** Fields whose value makes the broker wait: kept short in a valid request (a mutation may still make them long). */
const WAITS = /^(maxWaitMs|timeoutMs|rebalanceTimeoutMs|sessionTimeoutMs|transactionTimeoutMs)$/;

class Gen {
  constructor(readonly rnd: () => number, readonly extreme: number, readonly batchMutation = false) {}
  int(n: number): number { return Math.floor(this.rnd() * n); }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }
  chance(p: number): boolean { return this.rnd() < p; }
  bytes(n: number): Buffer { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = this.int(256); return b; }

  value(f: FieldDecl, version: number): unknown {
    const nullable = VersionRange.parse(f.nullableVersions).has(version);
    const wild = this.chance(this.extreme);
    if (nullable && wild && this.chance(0.3)) return null;
    if (f.type.startsWith('[]')) {
      const n = wild ? this.pick([0, 5, 40]) : this.int(3);
      const out: unknown[] = [];
      const elem = f.type.slice(2);
      for (let i = 0; i < n; i++) out.push(f.fields ? this.struct(f.fields, version) : this.prim({ ...f, type: elem, nullableVersions: undefined }, version));
      return out;
    }
    if (f.fields) return this.struct(f.fields, version);
    return this.prim(f, version);
  }

  /**
   * A record batch whose CRC is right but whose inside is not: attributes (codec, including
   * ones that are not Kafka's, transactional, control), producer fields, record count, or
   * bytes of the records. Reaches what the broker checks behind the CRC.
   */
  mutateBatch(batch: Buffer): Buffer {
    const b = Buffer.from(batch);
    switch (this.int(5)) {
      case 0: b.writeInt16BE(this.int(0x80), 21); break; // attributes: codec 0-7, timestamp type, transactional, control
      case 1: b.writeBigInt64BE(this.pick([-1n, 0n, 1n, 9223372036854775807n]), 43); b.writeInt16BE(this.pick([-1, 0, 32767]), 51); b.writeInt32BE(this.pick([-1, 0, 2147483647]), 53); break;
      case 2: b.writeInt32BE(this.pick([0, -1, 1000, 2147483647]), 57); break; // record count
      case 3: for (let i = 0, n = 1 + this.int(6); i < n && b.length > 61; i++) b[61 + this.int(b.length - 61)] = this.int(256); break;
      default: b.writeInt32BE(this.pick([-1, 0, 2147483647]), 23); break; // last offset delta
    }
    rewriteCrc(b, 0, b.length);
    return b;
  }

  struct(fields: readonly FieldDecl[], version: number): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    for (const f of fields) if (VersionRange.parse(f.versions).has(version)) o[f.name] = this.value(f, version);
    return o;
  }

  prim(f: FieldDecl, version: number): unknown {
    const wild = this.chance(this.extreme);
    const small = WAITS.test(f.name) ? this.int(50) : this.int(4);
    switch (f.type) {
      case 'int8': return wild ? this.pick([-1, 127, -128]) : small % 3;
      case 'int16': return wild ? this.pick([-1, 0, 32767, -32768]) : f.name === 'acks' ? this.pick([1, -1]) : small;
      case 'uint16': return wild ? 65535 : small;
      case 'int32': return wild ? this.pick([-1, 2147483647, -2147483648, 65536, 1 << 30]) : f.name === 'replicaId' || f.name === 'brokerId' ? -1 : small;
      case 'int64': return wild ? this.pick([-1n, 9223372036854775807n, -9223372036854775808n, 1n << 40n]) : BigInt(small);
      case 'float64': return wild ? this.pick([NaN, Infinity, -1]) : this.rnd();
      case 'bool': return this.chance(0.5);
      case 'uuid': return wild ? this.bytes(16).toString('hex') : this.pick(['00000000000000000000000000000000', this.bytes(16).toString('hex')]);
      case 'string':
        if (wild) return this.pick(['x'.repeat(300), '\u0000', this.bytes(12).toString('latin1'), '../../etc', '__consumer_offsets-fuzz']);
        if (/mechanism/i.test(f.name)) return this.pick(['PLAIN', 'SCRAM-SHA-256', 'OAUTHBEARER']);
        return this.pick(NAMES);
      case 'bytes': return wild ? this.bytes(this.int(2000)) : this.bytes(this.int(24));
      case 'records': {
        if (wild) return this.bytes(this.int(300));
        const batch = buildBatch(Array.from({ length: 1 + this.int(3) }, (_, i) => ({ key: this.chance(0.5) ? Buffer.from(`k${i}`) : null, value: this.bytes(this.int(64)) })));
        return this.batchMutation ? this.mutateBatch(batch) : batch;
      }
    }
    return undefined;
  }
}

function header(api: ApiCodec, version: number, correlationId: number): Buffer {
  const w = new Writer(64);
  w.int16(api.decl.key); w.int16(version); w.int32(correlationId); w.nullableString('fuzzer');
  if (api.flexible(version)) w.uvarint(0);
  return w.toBuffer();
}

const MUTATIONS = ['none', 'values', 'batch', 'flip', 'int32', 'int16', 'varint', 'truncate', 'append', 'version'] as const;

/** One request of `api`/`version` (random if not given), valid or mutated; the correlation id is written by `send`. */
export function makeCase(rnd: () => number, pick?: { api: ApiCodec; version: number }, mutation?: string): FuzzCase {
  const g = new Gen(rnd, 0);
  const api = pick?.api ?? g.pick(API_CODECS);
  let version = pick?.version ?? api.decl.minVersion + g.int(api.decl.maxVersion - api.decl.minVersion + 1);
  const m = mutation ?? g.pick(MUTATIONS);
  // 'batch' is meant for APIs carrying record batches (Produce): elsewhere it is a valid request
  const values = new Gen(rnd, m === 'values' ? 0.25 : 0, m === 'batch');
  let body: Buffer;
  try {
    const w = new Writer(256);
    api.request(version).encode(w, values.struct(api.decl.request, version));
    body = w.toBuffer();
  } catch {
    // a value the encoder refuses (e.g. a string past 32767 bytes): send it valid instead
    const w = new Writer(256);
    api.request(version).encode(w, new Gen(rnd, 0).struct(api.decl.request, version));
    body = w.toBuffer();
  }
  if (m === 'version') version = g.pick([api.decl.maxVersion + 1 + g.int(5), api.decl.minVersion - 1, 32767, -1]);
  const at = () => (body.length ? g.int(body.length) : 0);
  switch (m) {
    case 'flip': body = Buffer.from(body); for (let i = 0, n = 1 + g.int(4); i < n && body.length; i++) body[at()] = g.int(256); break;
    case 'int32': if (body.length >= 4) { body = Buffer.from(body); body.writeInt32BE(g.pick([-1, -2, 0x7fffffff, 0x10000, body.length, 1 << 28]), g.int(body.length - 3)); } break;
    case 'int16': if (body.length >= 2) { body = Buffer.from(body); body.writeInt16BE(g.pick([-1, -2, 0x7fff, 0x100]), g.int(body.length - 1)); } break;
    case 'varint': if (body.length) { body = Buffer.from(body); const p = at(); for (let i = p; i < Math.min(body.length, p + 1 + g.int(6)); i++) body[i] = 0xff; } break;
    case 'truncate': body = body.subarray(0, at()); break;
    case 'append': body = Buffer.concat([body, g.bytes(1 + g.int(64))]); break;
  }
  return { api, version, payload: Buffer.concat([header(api, version, 0), body]), mutation: m };
}

export interface FuzzStats {
  sent: number;
  answered: number;
  /** frames after which the broker closed the connection (a malformed request) */
  closed: number;
  /** frames not answered within the per-window deadline (long polls, rebalances) */
  unanswered: number;
  malformed: string[];
  closedOn: string[];
  unansweredOn: string[];
  byMutation: Record<string, number>;
  apis: Set<string>;
  /** the last requests sent (API, version, mutation, hex), to name the one that hurt the broker */
  recent: string[];
}

export function newStats(): FuzzStats {
  return { sent: 0, answered: 0, closed: 0, unanswered: 0, malformed: [], closedOn: [], unansweredOn: [], byMutation: {}, apis: new Set(), recent: [] };
}

/** Checks one response frame (without its size prefix) against the request it answers. Returns a problem, or null. */
export function checkResponse(c: FuzzCase, frame: Buffer): string | null {
  const r = new Reader(frame);
  try {
    r.int32(); // correlation id, matched by the caller
    const d = c.api.decl;
    if (c.version < d.minVersion || c.version > d.maxVersion) return null; // an error for a version we do not speak: nothing to decode it with
    if (c.api.flexible(c.version) && d.key !== 18) { const n = r.uvarint(); for (let i = 0; i < n; i++) { r.uvarint(); r.raw(r.uvarint()); } }
    c.api.response(c.version).decode(r);
    if (r.remaining() !== 0) return `${d.name} v${c.version} (${c.mutation}): ${r.remaining()} bytes left after the response`;
    return null;
  } catch (e) {
    return `${c.api.decl.name} v${c.version} (${c.mutation}): response does not decode: ${(e as Error).message}`;
  }
}

/**
 * Sends `cases` over one connection at a time, `window` requests in flight, and reads the answers.
 * A connection the broker closes (it should, for a malformed frame) is replaced; requests
 * unanswered after `windowMs` (a long poll, a rebalance) are abandoned with their connection.
 */
export async function fuzzConnection(host: string, port: number, cases: FuzzCase[], stats: FuzzStats, o: { window?: number; windowMs?: number; plainLogin?: { user: string; password: string } } = {}): Promise<void> {
  const window = o.window ?? 16;
  const windowMs = o.windowMs ?? 3000;
  const login = o.plainLogin ? saslPlainFrames(o.plainLogin.user, o.plainLogin.password) : [];
  let next = 0;
  while (next < cases.length) {
    const batch = cases.slice(next, next + window);
    // The request the broker closed the connection on is counted; those behind it are sent again.
    next += await fuzzWindow(host, port, batch, stats, windowMs, login);
  }
}

/** SaslHandshake v1 + SaslAuthenticate v1 (PLAIN) frames, size-prefixed, correlation ids -2 and -1: fuzzing behind authentication. */
function saslPlainFrames(user: string, password: string): Buffer[] {
  const frame = (name: string, corr: number, body: Record<string, unknown>) => {
    const api = API_CODECS.find((a) => a.decl.name === name)!;
    const w = new Writer(64);
    w.int32(0); w.int16(api.decl.key); w.int16(1); w.int32(corr); w.nullableString('fuzzer');
    api.request(1).encode(w, body);
    const b = w.toBuffer(); b.writeInt32BE(b.length - 4, 0);
    return b;
  };
  return [frame('SaslHandshake', -2, { mechanism: 'PLAIN' }), frame('SaslAuthenticate', -1, { authBytes: Buffer.from(`\u0000${user}\u0000${password}`) })];
}

/** Sends `batch` on a new connection; returns how many of its requests are settled (answered, closed on, or abandoned). */
function fuzzWindow(host: string, port: number, batch: FuzzCase[], stats: FuzzStats, windowMs: number, login: Buffer[]): Promise<number> {
  return new Promise<number>((resolve) => {
    const s = net.connect(port, host);
    let buf: Buffer = Buffer.alloc(0);
    let got = 0;
    let loginAnswers = login.length;
    let done = false;
    const finish = (why: 'closed' | 'timeout' | 'ok') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      if (why === 'closed' && got < batch.length) {
        stats.closed++;
        const c = batch[got];
        stats.closedOn.push(`${c.api.decl.name} v${c.version} (${c.mutation})`);
        return resolve(got + 1);
      }
      if (why === 'timeout') {
        stats.unanswered += batch.length - got;
        stats.unansweredOn.push(...batch.slice(got).map((c) => `${c.api.decl.name} v${c.version} (${c.mutation})`));
      }
      resolve(batch.length);
    };
    const timer = setTimeout(() => finish('timeout'), windowMs);
    s.on('error', () => finish('closed'));
    s.on('close', () => finish('closed'));
    s.on('connect', () => {
      const frames: Buffer[] = [...login];
      batch.forEach((c, i) => {
        c.payload.writeInt32BE(i + 1, 4); // correlation id
        stats.recent.push(`${c.api.decl.name} v${c.version} (${c.mutation}) ${c.payload.toString('hex').slice(0, 400)}`);
        if (stats.recent.length > 64) stats.recent.shift();
        const size = Buffer.alloc(4); size.writeInt32BE(c.payload.length, 0);
        frames.push(size, c.payload);
      });
      s.write(Buffer.concat(frames));
    });
    s.on('data', (d: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      while (buf.length >= 4) {
        const n = buf.readInt32BE(0);
        if (n < 4) { stats.malformed.push(`response frame size ${n}`); return finish('closed'); }
        if (buf.length < 4 + n) break;
        const frame = buf.subarray(4, 4 + n);
        buf = buf.subarray(4 + n);
        const corr = frame.readInt32BE(0);
        if (loginAnswers > 0 && corr < 0) {
          loginAnswers--;
          // SaslAuthenticate's answer: error code right after the correlation id
          if (corr === -1 && frame.readInt16BE(4) !== 0) { stats.malformed.push(`fuzz login refused (error ${frame.readInt16BE(4)})`); return finish('closed'); }
          continue;
        }
        // Produce with acks=0 is not answered: skip to the request this answers, but only over Produce requests.
        let i = got;
        while (i < batch.length && i + 1 !== corr && batch[i].api.decl.key === 0) i++;
        if (i >= batch.length || i + 1 !== corr) { stats.malformed.push(`correlation id ${corr} answers no outstanding request (expected ${got + 1}, ${batch[got]?.api.decl.name})`); return finish('closed'); }
        const problem = checkResponse(batch[i], frame);
        if (problem) stats.malformed.push(problem);
        stats.answered++;
        got = i + 1;
      }
      if (got === batch.length) finish('ok');
    });
  }).then((settled) => {
    for (const c of batch.slice(0, settled)) { stats.sent++; stats.byMutation[c.mutation] = (stats.byMutation[c.mutation] ?? 0) + 1; stats.apis.add(c.api.decl.name); }
    return settled;
  });
}

/** Current resident set of a process, in bytes (Linux). */
export async function rssOf(pid: number): Promise<number> {
  const fs = await import('node:fs');
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** One request of every API and every version we declare, unmutated: the fuzzer's seeds, and a check that each is answered well. */
export function everyApiAndVersion(rnd: () => number): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (const api of API_CODECS) for (let v = api.decl.minVersion; v <= api.decl.maxVersion; v++) out.push(makeCase(rnd, { api, version: v }, 'none'));
  return out;
}
