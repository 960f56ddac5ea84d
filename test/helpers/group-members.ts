// GroupConsumer members as a sink task drives one (test/client-group-consumer,
// test/cluster-group-consumer-coordinator): handle what poll() gives, commit what was
// handled every 100 ms and when partitions are revoked, one thing at a time; every
// record handled is noted with the member that handled it.
import { GroupConsumer, type ClientConfig, type TopicPartition } from '../../client/index.ts';

export interface TestMember { name: string; consumer: GroupConsumer; stop: () => Promise<void>; failed: () => unknown }

/** "partition/offset" → the members that handled it */
export type HandledBy = Map<string, string[]>;

export function startGroupMember(cfg: ClientConfig, name: string, groupId: string, topic: string, handledBy: HandledBy): TestMember {
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => { const p = chain.then(fn); chain = p.catch(() => undefined); return p; };
  const next = new Map<number, number>();
  const committed = new Map<number, number>();
  const commit = async () => {
    const offsets = [...next].filter(([p, o]) => committed.get(p) !== o).map(([partition, offset]) => ({ topic, partition, offset }));
    await c.commit(offsets);
    for (const o of offsets) committed.set(o.partition, o.offset);
  };
  const c: GroupConsumer = new GroupConsumer({
    ...cfg, clientId: name, groupId, topics: [topic], heartbeatIntervalMs: 300, sessionTimeoutMs: 10000, maxWaitMs: 200,
    onRevoked: async (tps: TopicPartition[]) => { await commit(); for (const tp of tps) { next.delete(tp.partition); committed.delete(tp.partition); } },
    onRebalance: () => serial(commit),
  });
  let stopping = false;
  let lastCommit = Date.now();
  let error: unknown = null;
  const loop = (async () => {
    await c.start();
    while (!stopping) {
      const batches = await serial(() => c.poll());
      await serial(async () => {
        for (const batch of batches) {
          if (!batch.records.length || !c.owns(batch)) continue;
          for (const r of batch.records) {
            const k = `${r.partition}/${r.offset}`;
            const l = handledBy.get(k) ?? [];
            l.push(name);
            handledBy.set(k, l);
          }
          next.set(batch.partition, batch.records[batch.records.length - 1].offset + 1);
        }
        if (Date.now() - lastCommit >= 100) { lastCommit = Date.now(); await commit(); }
      });
    }
    await serial(commit);
  })().catch((e) => { error = e; });
  let stopped: Promise<void> | null = null;
  return { name, consumer: c, failed: () => error, stop: () => (stopped ??= (async () => { stopping = true; await loop; await c.close(); })()) };
}
