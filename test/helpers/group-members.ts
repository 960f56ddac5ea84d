// GroupConsumer members as a sink task drives one (test/client-group-consumer,
// test/cluster-group-consumer-coordinator): handle what poll() gives, commit what was
// handled every 100 ms and when partitions are revoked, one thing at a time; every
// record handled is noted with the member that handled it.
import assert from 'node:assert/strict';
import { GroupConsumer, type ClientConfig, type KafkaAdmin, type KafkaProducer, type TopicOffsets, type TopicPartition } from '../../client/index.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `cond()` holds (checked every 50 ms), failing after `ms`; returns how long it took. */
export async function until(what: string, cond: () => boolean, ms = 30000): Promise<number> {
  const t0 = Date.now();
  while (!cond()) { if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`); await sleep(50); }
  return Date.now() - t0;
}

export interface TestMember { name: string; consumer: GroupConsumer; stop: () => Promise<void>; failed: () => unknown }

/** "partition/offset" → the members that handled it */
export type HandledBy = Map<string, string[]>;

/** Notes that member `by` handled the record `key` ("partition/offset"). */
export function noteHandled(handledBy: HandledBy, key: string, by: string): void {
  const l = handledBy.get(key) ?? [];
  l.push(by);
  handledBy.set(key, l);
}

/**
 * Records keep arriving: 5 per partition every `pauseMs` until stop(), which resolves with
 * how many were sent (or rejects with what a send threw).
 */
export function startWriter(producer: KafkaProducer, topic: string, partitions: number, pauseMs: number): { stop: () => Promise<number> } {
  let producing = true;
  let sent = 0;
  const done = (async () => {
    while (producing) {
      await producer.send(Array.from({ length: partitions * 5 }, (_, i) => ({ topic, partition: i % partitions, value: Buffer.from(`v${sent + i}`) })));
      sent += partitions * 5;
      await sleep(pauseMs);
    }
    return sent;
  })();
  done.catch(() => undefined); // surfaced by stop()
  return { stop: () => { producing = false; return done; } };
}

/** The topic holds exactly the `sent` records, and each was handled by exactly one member (waits up to `timeoutMs`). */
export async function assertEachHandledOnce(admin: KafkaAdmin, topic: string, sent: number, handledBy: HandledBy, timeoutMs: number): Promise<TopicOffsets[]> {
  const ends = await admin.topicOffsets([topic]);
  const total = ends.reduce((n, e) => n + e.latest, 0);
  assert.equal(total, sent);
  const deadline = Date.now() + timeoutMs;
  while (handledBy.size < total && Date.now() < deadline) await sleep(100);
  assert.equal(handledBy.size, total, `every record handled (${handledBy.size} of ${total})`);
  const twice = [...handledBy].filter(([, by]) => by.length > 1);
  assert.deepEqual(twice.slice(0, 5), [], `${twice.length} records handled more than once`);
  return ends;
}

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
          for (const r of batch.records) noteHandled(handledBy, `${r.partition}/${r.offset}`, name);
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
