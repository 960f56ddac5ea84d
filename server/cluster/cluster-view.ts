// The contract between the cluster's control plane (who leads which partition,
// which brokers are alive: server/cluster/) and the broker's data plane (logs,
// replication, handlers). The data plane only reads a ClusterView and asks it for
// ISR changes; it never decides leadership. A single node answers it from its own
// metadata file (this broker leads everything); a cluster from PostgreSQL.

/** The controller's decision for one partition, as Kafka's PartitionRecord holds it. */
export interface PartitionState {
  topic: string;
  partition: number;
  /** the broker leading it, -1 while offline */
  leader: number;
  /** bumped on every leader change; followers truncate to it (KIP-101) */
  leaderEpoch: number;
  /** bumped on every change (leader, ISR, replicas): the compare-and-set token */
  partitionEpoch: number;
  /** brokers holding a replica, preferred leader first */
  replicas: number[];
  /** in-sync replicas, the leader among them */
  isr: number[];
  /** reassignment in progress (KIP-455): replicas being added / removed */
  addingReplicas: number[];
  removingReplicas: number[];
}

/** A registered broker. */
export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
  /** every listener's advertised endpoint by listener name (host/port above: the first listener's) */
  endpoints?: Record<string, { host: string; port: number }>;
  /** false while its lease has expired or it shut down (fenced brokers lead nothing) */
  alive: boolean;
}

export type PartitionListener = (s: PartitionState) => void;

export interface ClusterView {
  readonly nodeId: number;
  /** every registered broker, by node id */
  brokers(): BrokerInfo[];
  /** the broker currently acting as controller, -1 if none */
  controllerId(): number;
  /** the latest state known to this broker; undefined for an unknown partition */
  partitionState(topic: string, partition: number): PartitionState | undefined;
  /** called for each partition whose state changed (and once per partition at start) */
  onPartitionChange(listener: PartitionListener): () => void;
  /**
   * The leader asks to change the ISR (AlterPartition): a compare-and-set on
   * `current.partitionEpoch` and `current.leaderEpoch`. Resolves with the new state,
   * or with 'stale' when someone else changed the partition first (then wait for
   * the change to arrive through onPartitionChange).
   */
  alterIsr(current: PartitionState, isr: number[]): Promise<PartitionState | 'stale'>;
}
