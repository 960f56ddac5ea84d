// The consumer of cdc.bench.ts's end-to-end run, as a process of its own (so its CPU is
// counted apart from the broker's): the platform's client reads every partition of the
// topic by assignment from the offsets the parent gives, and every record is decoded
// (key, value, headers, offset) as any consumer gets it. The first `n` records are
// counted, not JSON-parsed; each partition's last record of them is parsed at the end, so
// the parent can check the last row arrived with its content. Later records (the
// steady-rate part) are parsed for their sent_ms (end-to-end lag). The first `skip` records
// (the bench's warm-up bulk) are read and decoded the same way but not counted; 'warm' tells
// the parent they are all here.
// argv: bootstrap topic n JSON([{partition, offset}]) [skip]
import { PartitionReader } from '../client/index.ts';

const [bootstrap, topic, nArg, startArg, skipArg] = process.argv.slice(2);
const n = Number(nArg);
let skip = Number(skipArg ?? 0);
const start = JSON.parse(startArg) as { partition: number; offset: number }[];
const send = (m: unknown) => process.send!(m);

const reader = new PartitionReader({ bootstrap, clientId: 'cdc-bench-consumer', maxWaitMs: 50 });
await reader.assign(start.map((s) => ({ topic, partition: s.partition, offset: s.offset })));
let count = 0;
let stop = false;
let reported = 0;
let reportedAt = 0;
const last = new Map<number, Buffer>();
const lags: number[] = [];
process.on('message', (m: { stop?: boolean }) => { if (m.stop) stop = true; });
send({ ready: true });
while (!stop) {
  const batches = await reader.poll();
  const now = Date.now();
  for (const b of batches) {
    for (const r of b.records) {
      if (skip > 0) {
        if (--skip === 0) send({ warm: true });
        continue;
      }
      if (count < n) {
        count++;
        if (r.value) last.set(b.partition, r.value);
        if (count === n) {
          // the bulk is all here: report when, then the last row of each partition as parsed JSON
          const at = performance.timeOrigin + performance.now();
          send({ bulkDone: at, last: [...last.values()].map((v) => JSON.parse(v.toString()).after) });
        }
      } else if (r.value) {
        count++;
        const after = JSON.parse(r.value.toString()).after;
        if (after?.sent_ms > 0) lags.push(now - Number(after.sent_ms));
      }
    }
  }
  // progress for the parent's wait and its diagnostics, at most every 100 ms
  if (count !== reported && (count >= n || now - reportedAt >= 100)) { reported = count; reportedAt = now; send({ count, lags: lags.splice(0) }); }
}
await reader.close();
process.exit(0);
