// The controller's decisions for one partition, apart from any I/O: what a broker
// failure, a controlled shutdown or a preferred-leader election changes. The caller
// writes the result as a compare-and-set on the partition epoch.
import type { PartitionState } from './cluster-view.ts';

export interface Decision {
  leader: number;
  isr: number[];
  /** a new leader (or none): followers truncate to the new leader epoch */
  bumpLeaderEpoch: boolean;
  /** an out-of-sync replica was made leader (unclean.leader.election.enable): records may be lost */
  unclean?: boolean;
  /** a reassignment step (KIP-455): the new replica set and what is being added / removed */
  replicas?: number[];
  adding?: number[];
  removing?: number[];
}

/** Puts the clean candidates for leadership (in-sync and usable, in preferred order) in the order to try them. */
export type CandidateOrder = (candidates: number[]) => number[];

/**
 * Settled brokers first, in preferred order; then brokers up for less than `settleMs`
 * (restarted moments ago), the longest-up first. Clients are still backing off from a
 * broker that just came back: librdkafka doubles its reconnect backoff on every attempt
 * and resets it only after reconnect.backoff.max.ms (10 s) without one, so a producer
 * reached such a leader only 4-10 s after the election while it already had, or could
 * open at once, a connection to a broker that had stayed up. Any in-sync replica is a
 * clean leader; preferred-leader election moves leadership back once settled.
 * `upSince(id)`: when the broker's current incarnation registered (ms), undefined if unknown.
 */
export function settledFirst(upSince: (id: number) => number | undefined, now: number, settleMs: number): CandidateOrder {
  return (candidates) => {
    const since = (id: number) => upSince(id) ?? now;
    const settled = candidates.filter((id) => now - since(id) >= settleMs);
    const recent = candidates.filter((id) => now - since(id) < settleMs).sort((a, b) => since(a) - since(b));
    return [...settled, ...recent];
  };
}

/**
 * After brokers died or began a controlled shutdown (`usable(id)` false for them):
 * remove them from the ISR and, when the leader is one of them, elect the first
 * replica that is in the ISR and usable, in preferred order unless `order` says
 * otherwise. With none, the partition goes offline (leader -1) keeping its last ISR,
 * so that member is elected when it returns — unless `unclean` allows any live
 * replica. Null when nothing changes.
 */
export function electOnBrokerChange(s: PartitionState, usable: (id: number) => boolean, unclean: boolean, shuttingDown: (id: number) => boolean = () => false, order: CandidateOrder = (c) => c): Decision | null {
  const liveIsr = s.isr.filter(usable);
  if (s.leader >= 0 && usable(s.leader)) {
    return liveIsr.length === s.isr.length ? null : { leader: s.leader, isr: liveIsr, bumpLeaderEpoch: false };
  }
  const clean = order(s.replicas.filter((r) => liveIsr.includes(r)))[0];
  if (clean !== undefined) return { leader: clean, isr: liveIsr, bumpLeaderEpoch: true };
  // A leader in controlled shutdown with nobody in sync to take over keeps leading until it stops.
  if (s.leader >= 0 && shuttingDown(s.leader)) {
    const isr = [s.leader, ...liveIsr.filter((r) => r !== s.leader)];
    return isr.length === s.isr.length ? null : { leader: s.leader, isr, bumpLeaderEpoch: false };
  }
  if (unclean) {
    const any = s.replicas.find(usable);
    if (any !== undefined) return { leader: any, isr: [any], bumpLeaderEpoch: true, unclean: true };
  }
  if (s.leader === -1) return null;
  // Keep the last ISR: only one of them may lead again without losing acknowledged writes.
  return { leader: -1, isr: s.isr.length ? s.isr : [s.leader], bumpLeaderEpoch: true };
}

/** Moves leadership to the preferred replica (the first one) when it is usable and in sync. */
export function electPreferred(s: PartitionState, usable: (id: number) => boolean): Decision | null {
  const preferred = s.replicas[0];
  if (preferred === undefined || s.leader === preferred || !usable(preferred) || !s.isr.includes(preferred)) return null;
  return { leader: preferred, isr: s.isr, bumpLeaderEpoch: true };
}

/**
 * KIP-455 step one: the replica set becomes target + original (target first) while
 * the added replicas catch up. A reassignment that adds nothing (shrink, reorder)
 * completes at once. A new target replaces one in progress (from the original set).
 */
export function startReassignment(s: PartitionState, target: number[], usable: (id: number) => boolean): Decision {
  const original = s.replicas.filter((r) => !s.addingReplicas.includes(r));
  const adding = target.filter((r) => !original.includes(r));
  const removing = original.filter((r) => !target.includes(r));
  if (!adding.length) return finishReassignment({ ...s, replicas: [...target, ...removing], addingReplicas: [], removingReplicas: removing }, usable) ?? { leader: s.leader, isr: s.isr, bumpLeaderEpoch: false, replicas: target, adding: [], removing: [] };
  const isr = s.isr.filter((r) => original.includes(r));
  return { leader: s.leader, isr, bumpLeaderEpoch: false, replicas: [...target, ...removing], adding, removing };
}

/** Cancels a reassignment in progress: back to the original replicas. */
export function cancelReassignment(s: PartitionState, usable: (id: number) => boolean): Decision {
  const original = s.replicas.filter((r) => !s.addingReplicas.includes(r));
  const isr = s.isr.filter((r) => original.includes(r));
  const leader = original.includes(s.leader) ? s.leader : original.find((r) => isr.includes(r) && usable(r)) ?? -1;
  return { leader, isr: isr.length ? isr : s.isr, bumpLeaderEpoch: leader !== s.leader, replicas: original, adding: [], removing: [] };
}

/**
 * KIP-455 step two, once every added replica is in the ISR: drop the removed ones
 * and, when the leader is among them, move leadership to the first in-sync target
 * replica. Null while an added replica is still catching up, or no target replica
 * could lead.
 */
export function finishReassignment(s: PartitionState, usable: (id: number) => boolean): Decision | null {
  if (!s.addingReplicas.every((r) => s.isr.includes(r))) return null;
  const target = s.replicas.filter((r) => !s.removingReplicas.includes(r));
  const isr = s.isr.filter((r) => target.includes(r));
  const leader = target.includes(s.leader) && usable(s.leader) ? s.leader : target.find((r) => isr.includes(r) && usable(r));
  if (leader === undefined || !isr.length) return null;
  return { leader, isr, bumpLeaderEpoch: leader !== s.leader, replicas: target, adding: [], removing: [] };
}
