// Helpers of the streams runtime tests: topics, input lines, reading counts back.
import { KafkaAdmin, KafkaProducer, PartitionReader } from '../../client/index.ts';

export async function setupTopics(bootstrap: string): Promise<void> {
  const admin = new KafkaAdmin({ bootstrap, clientId: 'setup' });
  await admin.createTopics([{ topic: 'wc-in', partitions: 4, replicationFactor: 1 }, { topic: 'wc-out', partitions: 4, replicationFactor: 1 }]);
  await admin.close();
}

export async function produceLines(bootstrap: string, lines: string[]): Promise<void> {
  const p = new KafkaProducer({ bootstrap, clientId: 'lines' });
  for (let i = 0; i < lines.length; i += 500) await p.send(lines.slice(i, i + 500).map((l, j) => ({ topic: 'wc-in', key: `line-${i + j}`, value: l })));
  await p.close();
}

/** Reads wc-out (read_committed) and returns every record and the last count per word. */
export async function readCounts(bootstrap: string, until: (last: Map<string, number>) => boolean, timeoutMs = 60000, settleMs = 0): Promise<{ all: Array<[string, number]>; last: Map<string, number> }> {
  const r = new PartitionReader({ bootstrap, clientId: 'counts', isolation: 'read_committed', maxWaitMs: 200 });
  await r.assign([0, 1, 2, 3].map((partition) => ({ topic: 'wc-out', partition, offset: 'earliest' as const })));
  const all: Array<[string, number]> = [];
  const last = new Map<string, number>();
  const deadline = Date.now() + timeoutMs;
  try {
    // after the counts reach what the caller waits for, read on for settleMs: nothing more may come
    let settleUntil = Infinity;
    while (Date.now() < settleUntil) {
      if (settleUntil === Infinity && until(last)) { settleUntil = Date.now() + settleMs; if (!settleMs) break; }
      if (Date.now() > deadline) throw new Error(`timed out; counts so far ${JSON.stringify([...last])}`);
      for (const b of await r.poll()) for (const rec of b.records) {
        const w = rec.key!.toString(), n = Number(rec.value!.readBigInt64BE(0));
        all.push([w, n]);
        last.set(w, n);
      }
    }
  } finally { await r.close(); }
  return { all, last };
}

export function expectedCounts(lines: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) for (const w of l.toLowerCase().split(/\W+/).filter(Boolean)) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}
