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
}

/**
 * After brokers died or began a controlled shutdown (`usable(id)` false for them):
 * remove them from the ISR and, when the leader is one of them, elect the first
 * replica (preferred order) that is in the ISR and usable. With none, the partition
 * goes offline (leader -1) keeping its last ISR, so that member is elected when it
 * returns — unless `unclean` allows any live replica. Null when nothing changes.
 */
export function electOnBrokerChange(s: PartitionState, usable: (id: number) => boolean, unclean: boolean): Decision | null {
  const liveIsr = s.isr.filter(usable);
  if (s.leader >= 0 && usable(s.leader)) {
    return liveIsr.length === s.isr.length ? null : { leader: s.leader, isr: liveIsr, bumpLeaderEpoch: false };
  }
  const clean = s.replicas.find((r) => liveIsr.includes(r));
  if (clean !== undefined) return { leader: clean, isr: liveIsr, bumpLeaderEpoch: true };
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
