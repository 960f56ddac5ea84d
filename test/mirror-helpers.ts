// Shared by the mirror tests: read a whole topic (every partition) with the platform's
// client, wait for a condition, mm2.properties pairs for two clusters.
import { KafkaAdmin, PartitionReader, type ConsumedRecord } from '../client/index.ts';

export async function waitFor<T>(fn: () => Promise<T | false | null | undefined> | T | false | null | undefined, what: string, timeoutMs = 30000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try { const v = await fn(); if (v) return v; } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every record of a topic, per partition in offset order (partition → records). */
export async function readTopic(bootstrap: string, topic: string, isolation: 'read_committed' | 'read_uncommitted' = 'read_uncommitted'): Promise<Map<number, ConsumedRecord[]>> {
  const admin = new KafkaAdmin({ bootstrap, clientId: 'mirror-test-admin' });
  const reader = new PartitionReader({ bootstrap, clientId: 'mirror-test-reader', maxWaitMs: 50, isolation });
  try {
    const ends = await admin.topicOffsets([topic]);
    await reader.assign(ends.map((e) => ({ topic, partition: e.partition, offset: 'earliest' as const })));
    const out = new Map<number, ConsumedRecord[]>(ends.map((e) => [e.partition, []]));
    const deadline = Date.now() + 20000;
    while (ends.some((e) => (reader.position(topic, e.partition) ?? 0) < (isolation === 'read_committed' ? e.lastStable : e.latest)) && Date.now() < deadline) {
      for (const b of await reader.poll()) out.get(b.partition)!.push(...b.records);
    }
    return out;
  } finally {
    await Promise.all([admin.close(), reader.close()]);
  }
}

export async function countTopic(bootstrap: string, topic: string): Promise<number> {
  const admin = new KafkaAdmin({ bootstrap, clientId: 'mirror-test-admin' });
  try { return (await admin.topicOffsets([topic])).reduce((n, e) => n + e.latest, 0); } finally { await admin.close(); }
}

export async function listTopics(bootstrap: string): Promise<string[]> {
  const admin = new KafkaAdmin({ bootstrap, clientId: 'mirror-test-admin' });
  try { return (await admin.listTopics(false)).sort(); } finally { await admin.close(); }
}

/** Fast intervals so a test sees refreshes, checkpoints and syncs within seconds. */
export const FAST: [string, string][] = [
  ['refresh.topics.interval.seconds', '1'], ['sync.topic.configs.interval.seconds', '1'], ['refresh.groups.interval.seconds', '1'],
  ['emit.checkpoints.interval.seconds', '1'], ['sync.group.offsets.interval.seconds', '1'], ['emit.heartbeats.interval.seconds', '1'],
  ['replication.factor', '1'], ['offset.flush.interval.ms', '500'],
];
