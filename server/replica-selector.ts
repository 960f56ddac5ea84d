// KIP-392: which replica a consumer should fetch from. Kafka's ReplicaSelector classes,
// chosen by replica.selector.class: the leader (LeaderSelector, and the default), or a
// replica in the consumer's rack (RackAwareReplicaSelector).
import type { Partition } from './partition.ts';

export const RACK_AWARE_SELECTOR = 'org.apache.kafka.common.replica.RackAwareReplicaSelector';
export const LEADER_SELECTOR = 'org.apache.kafka.common.replica.LeaderSelector';

/** What the selector may know of a broker. */
export interface SelectorBroker { nodeId: number; rack: string | null; alive: boolean }

/**
 * The replica a consumer in `clientRack` should read `p` from (the leader calls this):
 * the leader when it is in that rack, else an in-sync live replica in that rack that
 * holds `fetchOffset` (as Kafka's ReplicaManager filters them; of several, the one with
 * the highest log end), else the leader. Returns the
 * leader's id when the selector is off, the client sent no rack, or none matches.
 */
export function selectReadReplica(selector: string, p: Partition, clientRack: string | null | undefined, fetchOffset: bigint, brokers: () => SelectorBroker[]): number {
  if (selector !== RACK_AWARE_SELECTOR || !clientRack || p.replicas.length < 2) return p.leaderId;
  const byId = new Map<number, SelectorBroker>();
  for (const b of brokers()) byId.set(b.nodeId, b);
  if (byId.get(p.leaderId)?.rack === clientRack) return p.leaderId;
  let best = p.leaderId;
  let bestEnd = -1n;
  for (const id of p.replicas) {
    if (id === p.leaderId || !p.isr.includes(id)) continue;
    const b = byId.get(id);
    const end = p.followerState(id)?.logEndOffset ?? -1n;
    if (!b || !b.alive || b.rack !== clientRack || end < fetchOffset || end <= bestEnd) continue;
    best = id; bestEnd = end;
  }
  return best;
}
