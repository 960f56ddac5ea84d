// Replica placement for new topics and partitions, as Kafka's AdminUtils does it:
// brokers ordered so racks alternate, the leader of partition p on the (start+p)-th
// broker so leaders spread evenly, followers after it with a shift that grows every
// round, skipping racks already used while an unused rack remains.
import { KafkaError } from '../errors.ts';

export interface PlacementBroker { nodeId: number; rack: string | null }

/** Brokers sorted by id, interleaved rack by rack (r1-a, r2-a, r3-a, r1-b, …). */
export function rackAlternated(brokers: PlacementBroker[]): PlacementBroker[] {
  const byRack = new Map<string, PlacementBroker[]>();
  for (const b of [...brokers].sort((a, c) => a.nodeId - c.nodeId)) {
    const r = b.rack ?? '';
    if (!byRack.has(r)) byRack.set(r, []);
    byRack.get(r)!.push(b);
  }
  const racks = [...byRack.keys()].sort();
  const out: PlacementBroker[] = [];
  for (let i = 0; out.length < brokers.length; i++) for (const r of racks) { const b = byRack.get(r)![i]; if (b) out.push(b); }
  return out;
}

/**
 * Replica lists for partitions [firstPartition, firstPartition + count), preferred
 * leader first. `start` picks the broker leading the first one (Kafka uses a random
 * start so topics do not all begin on the same broker).
 */
export function placeReplicas(brokers: PlacementBroker[], count: number, replicationFactor: number, firstPartition = 0, start = 0): number[][] {
  if (replicationFactor < 1) throw new KafkaError('INVALID_REPLICATION_FACTOR', `Replication factor must be at least 1, got ${replicationFactor}.`);
  if (replicationFactor > brokers.length) throw new KafkaError('INVALID_REPLICATION_FACTOR', `Replication factor: ${replicationFactor} larger than available brokers: ${brokers.length}.`);
  const list = rackAlternated(brokers);
  const n = list.length;
  const racks = new Set(list.map((b) => b.rack ?? ''));
  const rackAware = list.some((b) => b.rack != null);
  if (rackAware && list.some((b) => b.rack == null)) throw new KafkaError('INVALID_REPLICATION_FACTOR', `Not all brokers have broker.rack set (brokers ${list.filter((b) => b.rack == null).map((b) => b.nodeId).join(', ')} have none); set it on every broker or on none.`);
  const out: number[][] = [];
  for (let i = 0; i < count; i++) {
    const p = firstPartition + i;
    const first = (start + p) % n;
    const shift = 1 + (Math.floor((start + p) / n) % Math.max(1, n - 1));
    const chosen = [list[first]];
    const usedRacks = new Set([list[first].rack ?? '']);
    // Walk the ring from first+shift; take a broker whose rack is new while new racks remain.
    for (let k = 0; chosen.length < replicationFactor && k < n * 2; k++) {
      const b = list[(first + shift + k) % n];
      if (chosen.includes(b)) continue;
      const wantNewRack = rackAware && usedRacks.size < racks.size;
      if (wantNewRack && usedRacks.has(b.rack ?? '')) continue;
      chosen.push(b); usedRacks.add(b.rack ?? '');
    }
    out.push(chosen.map((b) => b.nodeId));
  }
  return out;
}

/** Checks an explicit assignment (CreateTopics/CreatePartitions/reassignment) against the registered brokers. */
export function checkAssignment(assignment: number[][], known: Set<number>, replicationFactor?: number): void {
  for (const [i, r] of assignment.entries()) {
    if (!r.length) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `Partition ${i} has an empty replica list.`);
    if (new Set(r).size !== r.length) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `Partition ${i} lists a broker twice: [${r.join(', ')}].`);
    if (replicationFactor !== undefined && r.length !== replicationFactor) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `Partition ${i} has ${r.length} replicas; every partition must have the same replication factor (${replicationFactor}).`);
    const unknown = r.filter((b) => !known.has(b));
    if (unknown.length) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `Partition ${i} names unknown broker(s) ${unknown.join(', ')}; registered brokers are ${[...known].sort((a, b) => a - b).join(', ')}.`);
  }
}
