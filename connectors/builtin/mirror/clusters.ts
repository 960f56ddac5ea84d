// The mirror's own clients of the two clusters, all through the platform's one
// Kafka client (client/): admin calls on both sides, the source reads, and the
// offset-sync writes. Records bound for the target go through the Connect runtime.
import { AclAdmin, KafkaAdmin, summarizeKafkaError } from '../../../client/index.ts';
import { ClusterAdmin } from '../../../client/admin-cluster.ts';

export { AclAdmin, ClusterAdmin, KafkaAdmin, summarizeKafkaError };
export { KafkaProducer, PartitionReader, type ConsumedRecord } from '../../../client/index.ts';

/** Creates a compacted single-partition internal topic if missing (replication capped at the broker count). */
export async function ensureInternalTopic(admin: KafkaAdmin, topic: string, replicationFactor: number): Promise<void> {
  await admin.ensureTopic({ topic, partitions: 1, replicationFactor, configs: { 'cleanup.policy': 'compact' } });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `fn` every `ms` (never overlapping itself) until the returned stop is called; errors go to `onError`. */
export function every(ms: number, fn: () => Promise<void>, onError: (e: unknown) => void): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const tick = async () => {
    if (stopped) return;
    try { await fn(); } catch (e) { if (!stopped) onError(e); }
    if (!stopped) timer = setTimeout(tick, ms);
  };
  timer = setTimeout(tick, ms);
  return () => { stopped = true; if (timer) clearTimeout(timer); };
}
