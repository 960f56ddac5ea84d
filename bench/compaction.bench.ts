// Compaction throughput: MB of closed segments cleaned per second.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PartitionLog, DEFAULT_LOG_CONFIG } from '../server/log/partition-log.ts';
import { buildBatch } from '../server/log/record-batch.ts';
import { compress, initCodecs } from '../server/log/compression.ts';
import { cleanLog } from '../server/log/log-cleaner.ts';

await initCodecs();
const MB = Number(process.env.BENCH_MB ?? 200);
for (const [name, codec] of [['uncompressed', 0], ['lz4', 3]] as const) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compact-bench-'));
  const log = PartitionLog.open(dir, { ...DEFAULT_LOG_CONFIG, segmentBytes: 16 << 20 }, true);
  const value = Buffer.alloc(1000, 120);
  let bytes = 0; let i = 0;
  while (bytes < MB * 1e6) {
    const recs = Array.from({ length: 100 }, () => ({ key: Buffer.from(`key-${i++ % 10000}`), value }));
    const b = buildBatch(recs, { codec }, compress);
    log.append(b); bytes += 100 * 1000;
  }
  log.highWatermark = log.logEndOffset;
  log.roll();
  const onDisk = log.size;
  const t0 = performance.now();
  const s = cleanLog(log, { compact: true, minCleanableDirtyRatio: 0, minCompactionLagMs: 0, deleteRetentionMs: 1e12 })!;
  const dt = (performance.now() - t0) / 1000;
  console.log(`compaction (${name}): ${(bytes / 1e6).toFixed(0)} MB of records (${(onDisk / 1e6).toFixed(1)} MB on disk) cleaned in ${dt.toFixed(2)} s = ${(bytes / 1e6 / dt).toFixed(0)} MB/s of records; ${s.recordsRemoved} records removed`);
  log.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
