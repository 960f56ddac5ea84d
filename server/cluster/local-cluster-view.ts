// The ClusterView of a single node: the metadata file's topics, this broker leading
// every partition with itself as the whole ISR. No controller round trips: the
// "store" is the local file, so alterIsr is a compare-and-set against it.
import type { BrokerInfo, ClusterView, PartitionListener, PartitionState } from './cluster-view.ts';
import type { MetadataStore, PartitionMeta, TopicMeta } from './metadata-store.ts';

export function partitionStateOf(topic: string, p: PartitionMeta): PartitionState {
  return {
    topic, partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch ?? 0,
    replicas: [...p.replicas], isr: [...p.isr], addingReplicas: [...(p.addingReplicas ?? [])], removingReplicas: [...(p.removingReplicas ?? [])],
  };
}

export class LocalClusterView implements ClusterView {
  private listeners = new Set<PartitionListener>();

  constructor(
    private readonly metadata: MetadataStore,
    private readonly endpoint: () => { host: string; port: number; rack: string | null },
  ) {}

  get nodeId(): number { return this.metadata.nodeId; }

  brokers(): BrokerInfo[] {
    const e = this.endpoint();
    return [{ nodeId: this.nodeId, host: e.host, port: e.port, rack: e.rack, alive: true }];
  }

  controllerId(): number { return this.nodeId; }

  partitionState(topic: string, partition: number): PartitionState | undefined {
    const p = this.metadata.get(topic)?.partitions[partition];
    return p ? partitionStateOf(topic, p) : undefined;
  }

  /** The listener hears every partition known now at once, then each change. */
  onPartitionChange(listener: PartitionListener): () => void {
    this.listeners.add(listener);
    for (const t of this.metadata.list()) for (const p of t.partitions) listener(partitionStateOf(t.name, p));
    return () => { this.listeners.delete(listener); };
  }

  /** Called by the topic manager after a topic was created or grew partitions. */
  topicChanged(t: TopicMeta, fromPartition = 0): void {
    for (const p of t.partitions.slice(fromPartition)) this.emit(partitionStateOf(t.name, p));
  }

  async alterIsr(current: PartitionState, isr: number[]): Promise<PartitionState | 'stale'> {
    const p = this.metadata.get(current.topic)?.partitions[current.partition];
    if (!p || (p.partitionEpoch ?? 0) !== current.partitionEpoch || p.leaderEpoch !== current.leaderEpoch) return 'stale';
    const next = this.metadata.updatePartition(current.topic, current.partition, { isr: [...isr], partitionEpoch: (p.partitionEpoch ?? 0) + 1 });
    const s = partitionStateOf(current.topic, next);
    this.emit(s);
    return s;
  }

  private emit(s: PartitionState): void {
    for (const l of this.listeners) l(s);
  }
}
