// Exactly-once sources (KIP-618) with the real in-process broker: a worker with
// exactly.once.source.support=enabled commits each poll batch's records and its source
// offsets (to connect-offsets) in one transaction; a failing batch leaves nothing for
// read_committed consumers and no offset; a worker that dies without committing offsets
// resumes without duplicates; a second instance of a task fences the first at the broker;
// `exactly.once.support=required` / `transaction.boundary=connector` are validated.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Kafka, logLevel } from 'kafkajs';
import {
  ConfigDef, SourceConnector, SourceTask, definePlugin,
  type ConnectRecord, type Props, type SourceRecord, type SourceTaskContext, type Transformation,
} from '../plugins/sdk/index.ts';
import { startTestKit } from './helpers/connect.ts';
import { startConnect } from '../connectors/index.ts';

// ------------------------------------------------------------------ a test source

/** Released at the end: polls of "hung" first instances return then (and must be fenced). */
let release!: () => void;
const released = new Promise<void>((r) => { release = r; });
/** connector → number of task instances started */
const instances = new Map<string, number>();

function cfg(): ConfigDef {
  return new ConfigDef()
    .define({ name: 'topic', type: 'STRING', documentation: 'topic' })
    .define({ name: 'total', type: 'INT', default: 100, documentation: 'records in all' })
    .define({ name: 'batch', type: 'INT', default: 10, documentation: 'records per poll' })
    .define({ name: 'poll.delay.ms', type: 'INT', default: 0, documentation: 'pause per poll' })
    .define({ name: 'big.at', type: 'INT', default: -1, documentation: 'index of a record too large for the broker (fails its batch mid-send)' })
    .define({ name: 'hang.after', type: 'INT', default: -1, documentation: 'first instance: after this many records, poll() blocks until the test ends (a dead worker)' });
}

class SeqSource extends SourceConnector {
  private props: Props = {};
  version() { return '1'; }
  config() { return cfg(); }
  start(p: Props) { this.props = p; }
  taskConfigs() { return [{ ...this.props }]; }
  stop() {}
  taskClass() { return SeqTask; }
  exactlyOnceSupport() { return 'SUPPORTED' as const; }
}

class SeqTask extends SourceTask {
  private c: Record<string, unknown> = {};
  private next = 0;
  private instance = 0;
  private name = '';
  version() { return '1'; }
  async start(p: Props, ctx: SourceTaskContext) {
    this.c = cfg().parse(p);
    this.name = ctx.connectorName;
    this.instance = (instances.get(this.name) ?? 0) + 1;
    instances.set(this.name, this.instance);
    const off = await ctx.offsetStorageReader.offset({ seq: this.name });
    this.next = typeof off?.n === 'number' ? off.n : 0;
  }
  async poll(): Promise<SourceRecord[] | null> {
    const total = Number(this.c.total);
    const hang = Number(this.c['hang.after']);
    if (this.instance === 1 && hang >= 0 && this.next >= hang) await released;
    const delay = Number(this.c['poll.delay.ms']);
    await new Promise((r) => setTimeout(r, delay || (this.next >= total ? 50 : 0)));
    if (this.next >= total) return null;
    const out: SourceRecord[] = [];
    for (let i = 0; i < Number(this.c.batch) && this.next < total; i++, this.next++) {
      const big = this.next === Number(this.c['big.at']);
      out.push({ sourcePartition: { seq: this.name }, sourceOffset: { n: this.next + 1 }, topic: String(this.c.topic), value: big ? 'x'.repeat(2 << 20) : `v${this.next}` });
    }
    return out;
  }
  stop() {}
}

/** Declares nothing about exactly-once support or transaction boundaries. */
class PlainSource extends SeqSource {}
Object.defineProperty(PlainSource.prototype, 'exactlyOnceSupport', { value: undefined });

/** Defines its own transactions: commit after v4 and v14, abort the one ending at v19, commit the last batch as a whole. */
class BoundarySource extends SeqSource {
  canDefineTransactionBoundaries() { return 'SUPPORTED' as const; }
  taskClass() { return BoundaryTask; }
}

class BoundaryTask extends SeqTask {
  private ctx!: SourceTaskContext;
  async start(p: Props, ctx: SourceTaskContext) { this.ctx = ctx; await super.start(p, ctx); }
  async poll(): Promise<SourceRecord[] | null> {
    const out = await super.poll();
    const tc = this.ctx.transactionContext!;
    for (const r of out ?? []) {
      if (r.value === 'v4' || r.value === 'v14') tc.commitTransaction(r);
      if (r.value === 'v19') tc.abortTransaction(r);
      if (r.value === 'v29') tc.commitTransaction();
    }
    return out;
  }
}

/** A transform that throws for one record value. */
class FailOn implements Transformation {
  private value = '';
  config() { return new ConfigDef().define({ name: 'value', type: 'STRING', documentation: 'the value to fail on' }); }
  configure(p: Props) { this.value = p.value; }
  apply(r: ConnectRecord) { if (r.value === this.value) throw new Error(`cannot transform ${this.value}`); return r; }
}

const plugin = definePlugin({ name: 'eos-test', version: '1', connectors: { 'test.SeqSource': SeqSource, 'test.PlainSource': PlainSource, 'test.BoundarySource': BoundarySource }, transforms: { 'test.FailOn': FailOn } });

// ------------------------------------------------------------------ one broker and worker for all tests

const workerConfig = {
  'exactly.once.source.support': process.env.EOS_TEST_DISABLE ? 'disabled' : 'enabled',
  // offsets of a non-transactional worker would be committed only on a graceful stop
  'offset.flush.interval.ms': '60000',
  'task.shutdown.graceful.timeout.ms': '300',
};
const kitP = startTestKit({ plugins: [plugin], workerConfig, scanPluginsDir: false });
after(async () => { release(); await new Promise((r) => setTimeout(r, 200)); await (await kitP).close(); });

const STR = { 'value.converter': 'org.apache.kafka.connect.storage.StringConverter', 'key.converter': 'org.apache.kafka.connect.storage.StringConverter' };

interface Read { values: string[]; inTransaction: boolean[]; keys: string[] }

/** Everything a read_committed consumer sees in `topic`, up to its current end (markers and aborted records included). */
async function readCommitted(kafka: Kafka, topic: string, timeoutMs = 10000): Promise<Read> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  await admin.disconnect();
  const out: { p: number; o: number; v: string; k: string; tx: boolean }[] = [];
  const pos = new Map<number, number>();
  const consumer = kafka.consumer({ groupId: `eos-read-${Math.random()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    const done = () => [...ends].every(([p, high]) => high === 0 || (pos.get(p) ?? -1) >= high - 1);
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => { const x = e.payload as { partition: number; lastOffset: string }; pos.set(x.partition, Math.max(pos.get(x.partition) ?? -1, Number(x.lastOffset))); });
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message: m }) => {
        out.push({ p: partition, o: Number(m.offset), v: m.value?.toString() ?? 'null', k: m.key?.toString() ?? '', tx: Boolean((m as unknown as { batchContext?: { inTransaction?: boolean } }).batchContext?.inTransaction) });
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`read_committed consumer did not reach the end of ${topic}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await consumer.disconnect();
  }
  out.sort((a, b) => a.p - b.p || a.o - b.o);
  return { values: out.map((x) => x.v), inTransaction: out.map((x) => x.tx), keys: out.map((x) => x.k) };
}

const seq = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `v${from + i}`);

async function offsetOf(kafka: Kafka, name: string): Promise<{ value: unknown; inTransaction: boolean } | null> {
  const r = await readCommitted(kafka, 'connect-offsets');
  let last: { value: unknown; inTransaction: boolean } | null = null;
  r.keys.forEach((k, i) => { if (k === JSON.stringify([name, { seq: name }])) last = { value: JSON.parse(r.values[i]), inTransaction: r.inTransaction[i] }; });
  return last;
}

// ------------------------------------------------------------------ tests

test('records and source offsets are committed in one transaction', async () => {
  const kit = await kitP;
  await kit.createConnector('eos-a', { 'connector.class': 'test.SeqSource', topic: 'eos-a', total: '50', batch: '10', ...STR });
  await kit.waitForRunning('eos-a');
  await kit.waitFor(async () => (await offsetOf(kit.kafka, 'eos-a'))?.value, { what: 'the offset of eos-a' });
  const r = await kit.waitFor(async () => { const x = await readCommitted(kit.kafka, 'eos-a'); return x.values.length >= 50 ? x : null; }, { what: '50 records' });
  assert.deepEqual(r.values, seq(0, 50), 'a read_committed consumer sees every record exactly once');
  assert.ok(r.inTransaction.every(Boolean), 'the records were written in transactions');
  const off = await kit.waitFor(async () => { const o = await offsetOf(kit.kafka, 'eos-a'); return (o?.value as { n?: number })?.n === 50 ? o : null; }, { what: 'offset 50' });
  assert.equal(off.inTransaction, true, 'the connect-offsets record was written in the same kind of transaction');
  // the REST view of the offsets follows
  const rest = await kit.request('GET', '/connectors/eos-a/offsets');
  assert.deepEqual(rest.body.offsets, [{ partition: { seq: 'eos-a' }, offset: { n: 50 } }]);
  await kit.request('DELETE', '/connectors/eos-a');
});

test('a batch failing mid-send leaves no partial batch for read_committed consumers and no offset advance', async () => {
  const kit = await kitP;
  // batch 0 (v0..v9) commits; batch 1 sends v10..v14 in a first produce request, then a 2 MiB record the broker refuses
  await kit.createConnector('eos-b', { 'connector.class': 'test.SeqSource', topic: 'eos-b', total: '30', batch: '10', 'big.at': '15', 'errors.tolerance': 'none', ...STR });
  await kit.waitFor(async () => (await kit.status('eos-b')).tasks[0]?.state === 'FAILED', { what: 'the task to fail' });
  const admin = kit.kafka.admin();
  await admin.connect();
  const high = Number((await admin.fetchTopicOffsets('eos-b'))[0].high);
  await admin.disconnect();
  assert.ok(high > 10, `the failed batch's first records reached the log (high watermark ${high}) but must stay invisible`);
  const r = await readCommitted(kit.kafka, 'eos-b');
  assert.deepEqual(r.values, seq(0, 10), 'only the committed batch is visible');
  assert.deepEqual((await offsetOf(kit.kafka, 'eos-b'))?.value, { n: 10 }, 'the offset did not advance past the committed batch');
  await kit.request('DELETE', '/connectors/eos-b');
});

test('transaction.boundary=interval: a transform failing (errors.tolerance=none) aborts the whole open transaction', async () => {
  const kit = await kitP;
  // v0..v19 go into a transaction that stays open (long interval); v25 fails in a transform
  await kit.createConnector('eos-f', {
    'connector.class': 'test.SeqSource', topic: 'eos-f', total: '30', batch: '10', 'poll.delay.ms': '20', 'errors.tolerance': 'none',
    'transaction.boundary': 'interval', 'transaction.boundary.interval.ms': '60000', transforms: 'fail', 'transforms.fail.type': 'test.FailOn', 'transforms.fail.value': 'v25', ...STR,
  });
  await kit.waitFor(async () => (await kit.status('eos-f')).tasks[0]?.state === 'FAILED', { what: 'the task to fail' });
  const st = await kit.status('eos-f');
  assert.match(st.tasks[0].trace, /cannot transform v25/);
  assert.deepEqual((await readCommitted(kit.kafka, 'eos-f')).values, [], 'the aborted transaction\'s 20 records are invisible');
  assert.equal(await offsetOf(kit.kafka, 'eos-f'), null, 'no offset was committed');
  await kit.request('DELETE', '/connectors/eos-f');
});

test('a worker that dies without committing offsets: its successor resumes with no duplicates and no gaps', async () => {
  const kit = await kitP;
  // the first task instance hangs in poll() after 100 records and ignores the stop (a dead worker);
  // without transactions its offsets would only be committed by that (never finishing) stop
  await kit.createConnector('eos-c', { 'connector.class': 'test.SeqSource', topic: 'eos-c', total: '300', batch: '20', 'hang.after': '100', ...STR });
  await kit.waitFor(async () => (await readCommitted(kit.kafka, 'eos-c')).values.length >= 100, { what: '100 records' });
  await kit.restartWorker();
  const r = await kit.waitFor(async () => { const x = await readCommitted(kit.kafka, 'eos-c'); return x.values.length >= 300 ? x : null; }, { what: '300 records', timeoutMs: 15000 });
  await new Promise((res) => setTimeout(res, 300));
  assert.deepEqual((await readCommitted(kit.kafka, 'eos-c')).values, seq(0, 300), 'every record exactly once, in order');
  assert.equal(r.values.length, 300);
  await kit.request('DELETE', '/connectors/eos-c');
});

test('a second instance of a task fences the first at the broker (zombie)', async () => {
  const kit = await kitP;
  await kit.createConnector('eos-d', { 'connector.class': 'test.SeqSource', topic: 'eos-d', total: '400', batch: '5', 'poll.delay.ms': '10', ...STR });
  await kit.waitFor(async () => (await readCommitted(kit.kafka, 'eos-d')).values.length >= 50, { what: 'first records' });
  // a second worker on the same internal topics runs the same task, with the same transactional.id
  const second = await startConnect({ bootstrap: kit.bootstrap, host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }), config: workerConfig, dataDir: kit.dir, plugins: [plugin], scanPluginsDir: false });
  try {
    const firstRunner = (kit.connect.herder as unknown as { tasks: Map<string, { fenced?: boolean }> }).tasks.get('eos-d\u00000');
    assert.ok(firstRunner, 'the first worker runs the task');
    await kit.waitFor(() => firstRunner.fenced, { what: 'the first instance to be fenced', timeoutMs: 10000 });
    const r = await kit.waitFor(async () => { const x = await readCommitted(kit.kafka, 'eos-d'); return x.values.length >= 400 ? x : null; }, { what: '400 records', timeoutMs: 20000 });
    assert.deepEqual(r.values, seq(0, 400), 'no duplicates, no gaps: the fenced instance\'s writes are not visible');
    const st = await kit.status('eos-d');
    assert.equal(st.tasks[0].state, 'RUNNING', 'the fenced instance did not mark the task FAILED');
    assert.equal(st.tasks[0].worker_id, second.workerId, 'the status is the new holder\'s');
  } finally {
    await second.close();
  }
});

test('connector-defined transaction boundaries: commit after a record, abort a transaction, commit a batch', async () => {
  const kit = await kitP;
  await kit.createConnector('eos-e', { 'connector.class': 'test.BoundarySource', topic: 'eos-e', total: '30', batch: '10', 'transaction.boundary': 'connector', ...STR });
  await kit.waitFor(async () => ((await offsetOf(kit.kafka, 'eos-e'))?.value as { n?: number })?.n === 30, { what: 'offset 30' });
  const r = await readCommitted(kit.kafka, 'eos-e');
  assert.deepEqual(r.values, [...seq(0, 15), ...seq(20, 30)], 'the aborted transaction (v15..v19) is invisible');
  await kit.request('DELETE', '/connectors/eos-e');
});

test('validation: exactly.once.support=required and transaction.boundary=connector need the connector to declare them', async () => {
  const kit = await kitP;
  const bad = { 'connector.class': 'test.PlainSource', name: 'eos-v', topic: 'eos-v', 'exactly.once.support': 'required', 'transaction.boundary': 'connector' };
  const v = await kit.request('PUT', '/connector-plugins/test.PlainSource/config/validate', bad);
  assert.equal(v.status, 200);
  const errs = (n: string) => v.body.configs.find((c: { value: { name: string } }) => c.value.name === n).value.errors as string[];
  assert.equal(v.body.error_count, 2);
  assert.match(errs('exactly.once.support')[0], /does not implement the API required for preflight validation of exactly-once source support/);
  assert.match(errs('transaction.boundary')[0], /does not support connector-defined transaction boundaries/);
  assert.ok(v.body.groups.includes('Exactly Once Support'));
  const created = await kit.request('POST', '/connectors', { name: 'eos-v', config: bad });
  assert.equal(created.status, 400);
  assert.match(created.body.message, /contains the following 2 error\(s\)/);
  // a connector that declares support passes
  const ok = await kit.request('PUT', '/connector-plugins/test.SeqSource/config/validate', { ...bad, 'connector.class': 'test.SeqSource', 'transaction.boundary': 'poll' });
  assert.equal(ok.body.error_count, 0);
});
