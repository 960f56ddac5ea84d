import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PartitionLog, DEFAULT_LOG_CONFIG } from '../log/partition-log.ts';
import { buildBatch, validateBatches } from '../log/record-batch.ts';
import { ProducerStateManager } from './producer-state.ts';
import { KafkaError } from '../errors.ts';
import type { Partition } from './producer-state.ts';

function setup(t: { after: (f: () => void) => void }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pstate-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const log = PartitionLog.open(dir, DEFAULT_LOG_CONFIG, true);
  const part: Partition = { log };
  return { dir, part };
}

function produce(m: ProducerStateManager, part: Partition, seq: number, n = 2, o: { pid?: bigint; epoch?: number; txn?: boolean } = {}) {
  const batch = buildBatch(Array.from({ length: n }, (_, i) => ({ value: Buffer.from(`v${seq + i}`) })), { producerId: o.pid ?? 7n, producerEpoch: o.epoch ?? 0, baseSequence: seq, transactional: o.txn });
  const infos = validateBatches(batch);
  const dup = m.checkAppend(part, infos);
  if (dup?.duplicate) return { duplicate: dup.duplicate.baseOffset };
  const r = part.log.append(batch, { validated: infos });
  part.log.highWatermark = part.log.logEndOffset;
  m.onAppended(part, r, batch);
  return { baseOffset: r.baseOffset };
}

test('duplicates among the last five batches are acknowledged with their original offsets', (t) => {
  const { part } = setup(t);
  const m = new ProducerStateManager();
  for (let s = 0; s < 12; s += 2) produce(m, part, s);
  assert.deepEqual(produce(m, part, 8), { duplicate: 8n });
  assert.equal(part.log.logEndOffset, 12n);
  assert.throws(() => produce(m, part, 20), (e: KafkaError) => e.errorName === 'OUT_OF_ORDER_SEQUENCE_NUMBER');
  assert.throws(() => produce(m, part, 5, 2, { pid: 98n }), (e: KafkaError) => e.errorName === 'UNKNOWN_PRODUCER_ID');
});

test('an older epoch is rejected with INVALID_PRODUCER_EPOCH', (t) => {
  const { part } = setup(t);
  const m = new ProducerStateManager();
  produce(m, part, 0, 1, { epoch: 3 });
  assert.throws(() => produce(m, part, 1, 1, { epoch: 2 }), (e: KafkaError) => e.errorName === 'INVALID_PRODUCER_EPOCH');
  produce(m, part, 0, 1, { epoch: 4 }); // a new epoch starts again at 0
});

test('state survives a restart: snapshot plus replay of the tail still deduplicates', (t) => {
  const { dir, part } = setup(t);
  let m = new ProducerStateManager();
  produce(m, part, 0); produce(m, part, 2);
  m.snapshotAll();
  produce(m, part, 4); // after the snapshot: recovered by replaying batch headers
  part.log.close();
  const log2 = PartitionLog.open(dir, DEFAULT_LOG_CONFIG, false);
  const part2: Partition = { log: log2 };
  m = new ProducerStateManager();
  assert.deepEqual(produce(m, part2, 4), { duplicate: 4n });
  assert.deepEqual(produce(m, part2, 2), { duplicate: 2n });
  assert.deepEqual(produce(m, part2, 6), { baseOffset: 6n });
  log2.close();
});

test('open transactions hold the last stable offset; aborts are listed for read_committed', (t) => {
  const { part } = setup(t);
  const m = new ProducerStateManager();
  produce(m, part, 0, 2, { pid: 1n });
  produce(m, part, 0, 3, { pid: 2n, txn: true });
  assert.equal(m.lastStableOffset(part), 2n);
  const key = Buffer.alloc(4); key.writeInt16BE(0, 2); // abort marker
  const marker = buildBatch([{ key, value: Buffer.alloc(6) }], { producerId: 2n, producerEpoch: 0, transactional: true, control: true });
  const r = part.log.append(marker);
  part.log.highWatermark = part.log.logEndOffset;
  m.onAppended(part, r, marker);
  assert.equal(m.lastStableOffset(part), part.log.highWatermark);
  assert.deepEqual(m.abortedTransactions(part, 0n, 100n), [{ producerId: 2n, firstOffset: 2n }]);
  assert.deepEqual(m.abortedTransactions(part, 6n, 100n), []);
});
