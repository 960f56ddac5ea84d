// The JSON shapes of the UI server's /api, shared by the server (ui/server) and the
// browser app (ui/src). Type-only: nothing here runs.

/** Every /api error body. `code` comes from ui/server/errors.ts. */
export interface ApiErrorBody {
  code: string;
  message: string;
  /** What the UI server was talking to when it failed (a URL or the bootstrap). */
  target?: string;
}

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  /** broker.rack; null when not set */
  rack: string | null;
  /** In the cluster's metadata now; false for a broker that replicas name but that is not registered (down). */
  alive: boolean;
  isController: boolean;
  /** Partitions this broker leads / holds a replica of. */
  leaderCount: number;
  replicaCount: number;
  /** Bytes on disk reported by DescribeLogDirs; null when the broker did not answer. */
  sizeBytes: number | null;
  logDirs: { path: string; sizeBytes: number; error: string | null }[];
}

/** A partition that needs a person's attention. */
export interface PartitionHealth {
  topic: string;
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

export interface ReassignmentInfo {
  topic: string;
  partition: number;
  replicas: number[];
  adding: number[];
  removing: number[];
}

/**
 * The cluster's metadata store (PostgreSQL, `--metadata-store`) as the brokers' /metrics
 * report it (`tributary_cluster_metadata_store_up`, `…_unreachable_since_timestamp_seconds`).
 * While a broker cannot reach it, that broker serves produce and fetch for the partitions
 * it leads and no leader election, topic creation or reassignment is possible.
 */
export interface MetadataStoreStatus {
  /** unreachable when any broker that reports the store cannot reach it */
  state: 'reachable' | 'unreachable';
  /** ms since epoch: the earliest first failed attempt among the brokers that cannot reach it; null while reachable */
  unreachableSince: number | null;
  /** node ids of the brokers that cannot reach it, ascending */
  unreachableBrokers: number[];
  /** every broker whose /metrics report a metadata store */
  brokers: { nodeId: number; reachable: boolean; unreachableSince: number | null; adminUrl: string }[];
  /** ms since epoch: when the UI server read the brokers' /metrics */
  sampledAt: number;
}

export interface ClusterInfo {
  clusterId: string;
  controllerId: number;
  brokers: BrokerInfo[];
  partitionCount: number;
  /** led partitions whose ISR is smaller than their replica set */
  underReplicated: PartitionHealth[];
  /** partitions without a leader */
  offline: PartitionHealth[];
  /** ListPartitionReassignments; null when the broker does not offer it (reassignmentsError says why) */
  reassignments: ReassignmentInfo[] | null;
  reassignmentsError?: string;
  /** null on a single node (no metadata store) or when no broker's /metrics answered */
  metadataStore: MetadataStoreStatus | null;
}

export interface RatePoint {
  /** ms since epoch */
  t: number;
  produced: number;
  consumed: number;
}

/** Where the UI's charts come from: the /metrics Prometheus scrapes, or (without it) offsets read over Kafka. */
export interface MetricsSourceInfo {
  kind: 'metrics' | 'offsets' | 'none';
  /** the /metrics endpoints read (kind metrics) or tried */
  urls: string[];
  /** why an endpoint could not be read */
  error?: string;
}

export interface ConnectorRatePoint {
  t: number;
  /** records per second: source records the broker acknowledged + sink records put */
  rate: number;
}

export interface TopicRates {
  /** messages in per second: kafka_server_brokertopicmetrics_messagesin_total's increase between samples (offsets without /metrics) */
  points: { t: number; rate: number }[];
  sampleIntervalMs: number;
}

export interface ConnectorRates {
  /** from Connect's /metrics; null when Connect's /metrics has not answered twice yet */
  points: ConnectorRatePoint[];
  sampleIntervalMs: number;
}

export interface Overview {
  bootstrap: string;
  clusterId: string;
  controllerId: number;
  brokerCount: number;
  topicCount: number;
  internalTopicCount: number;
  partitionCount: number;
  underReplicatedPartitions: number;
  offlinePartitions: number;
  /** Sum of the log-dir sizes of all brokers; null when unknown. */
  diskBytes: number | null;
  groupCount: number;
  /** Messages per second, averaged over the last sample interval; null before two samples. */
  produceRate: number | null;
  consumeRate: number | null;
  throughput: RatePoint[];
  /** Σ kafka_server_brokertopicmetrics_messagesin_total over non-internal topics (since each broker started); null without /metrics */
  messagesIn: number | null;
  metricsSource: MetricsSourceInfo;
  /** per broker: rack, alive, leaders and replicas (the Overview's bars) */
  brokers: BrokerInfo[];
  /** reassignments in progress; null when the broker does not list them */
  reassignmentCount: number | null;
  /** null on a single node (no metadata store) or when no broker's /metrics answered */
  metadataStore: MetadataStoreStatus | null;
  registry: ServiceStatus;
  connect: ServiceStatus;
}

export interface ServiceStatus {
  url: string | null;
  reachable: boolean;
  error?: string;
}

export interface TopicSummary {
  name: string;
  internal: boolean;
  partitions: number;
  replicationFactor: number;
  messages: number;
  sizeBytes: number | null;
  underReplicated: number;
  offline: number;
}

export interface PartitionInfo {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  low: string;
  high: string;
  messages: number;
  sizeBytes: number | null;
}

export interface TopicConfigEntry {
  name: string;
  value: string | null;
  isDefault: boolean;
  readOnly: boolean;
  sensitive: boolean;
  source: string;
}

export interface TopicDetails {
  name: string;
  internal: boolean;
  partitions: PartitionInfo[];
  configs: TopicConfigEntry[];
  messages: number;
  sizeBytes: number | null;
}

export interface CreateTopicRequest {
  name: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

export interface AlterTopicConfigsRequest {
  /** name -> new value; null resets the entry to its default. */
  set: Record<string, string | null>;
}

/** How a value or key is shown. */
export interface RenderedBytes {
  kind: 'null' | 'text' | 'json' | 'binary' | 'avro' | 'protobuf' | 'jsonschema';
  /** Pretty text (JSON indented) or, for binary, the hex dump. */
  text: string;
  /** Confluent wire-format schema id, when the bytes carry one. */
  schemaId?: number;
  /** Why decoding through the registry failed, when it did. */
  decodeError?: string;
  size: number;
}

export interface BrowsedMessage {
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
  key: RenderedBytes;
  value: RenderedBytes;
  headers: { key: string; value: string }[];
}

export type SeekMode = 'oldest' | 'newest' | 'offset' | 'timestamp' | 'group' | 'tail';

export interface BrowseQuery {
  topic: string;
  mode: SeekMode;
  /** Partitions to read; empty = all. */
  partitions: number[];
  offset?: string;
  timestamp?: number;
  group?: string;
  /** Matched messages to return before stopping. */
  limit: number;
  keyFilter?: string;
  valueFilter?: string;
  headerFilter?: string;
  /** JavaScript expression (or body with `return`) over key, value, json, headers, partition, offset, timestamp. */
  predicate?: string;
  /** Records to scan at most before stopping (budget). */
  maxScan?: number;
  /** Milliseconds to scan at most before stopping (budget). */
  maxTimeMs?: number;
}

export interface ScanProgress {
  scanned: number;
  matched: number;
  /** Per partition: where the scan is and where it stops. */
  partitions: { partition: number; start: string; position: string; end: string }[];
  elapsedMs: number;
}

/** One NDJSON line of /api/topics/:topic/browse. */
export type BrowseEvent =
  | { type: 'message'; message: BrowsedMessage }
  | { type: 'progress'; progress: ScanProgress }
  | { type: 'error'; error: ApiErrorBody }
  | { type: 'done'; reason: 'limit' | 'end' | 'budget-records' | 'budget-time' | 'stopped'; progress: ScanProgress };

export interface ProduceRequest {
  key: string | null;
  value: string | null;
  /** Bytes given as hex instead of text. */
  valueEncoding?: 'text' | 'hex';
  headers: { key: string; value: string }[];
  partition?: number;
}

export interface ProduceResult {
  topic: string;
  partition: number;
  offset: string;
}

export interface ResendRequest {
  partition: number;
  offset: string;
  toTopic: string;
}

export interface GroupSummary {
  groupId: string;
  protocolType: string;
  state: string;
  members: number;
  topics: string[];
  totalLag: number;
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  clientHost: string;
  assignment: { topic: string; partitions: number[] }[];
}

export interface GroupPartitionLag {
  topic: string;
  partition: number;
  committed: string | null;
  high: string;
  low: string;
  lag: number;
  /** kafka_consumergroup_lag_seconds at the last scrape: age of the oldest record not consumed (0 caught up); null without /metrics */
  lagSeconds: number | null;
  memberId: string | null;
}

export interface LagPoint {
  t: number;
  lag: number;
}

export interface GroupDetails {
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: GroupMember[];
  partitions: GroupPartitionLag[];
  totalLag: number;
  lagHistory: LagPoint[];
  /** worst partition's lag in seconds at the last scrape of /metrics; null without it */
  lagSeconds: number | null;
  sampleIntervalMs: number;
}

export type ResetTarget = 'earliest' | 'latest' | 'timestamp' | 'offset';

export interface ResetOffsetsRequest {
  topic: string;
  target: ResetTarget;
  timestamp?: number;
  offset?: string;
  partitions?: number[];
  /** true = compute and return the new offsets without committing them. */
  preview: boolean;
}

export interface ResetOffsetsResult {
  applied: boolean;
  partitions: { partition: number; from: string | null; to: string }[];
}

/** MirrorMaker 2 (the Mirror page): flows of the Mirror* connectors running on the configured Connect. */
export interface MirrorConnectorState {
  name: string;
  kind: 'source' | 'checkpoint' | 'heartbeat';
  state: string;
  tasks: { id: number; state: string }[];
}

export interface MirrorTopicLag {
  /** on the source cluster */
  topic: string;
  /** on the target cluster, as the replication policy names it */
  remoteTopic: string;
  partitions: number;
  /** source records after the last copied offset the connector committed */
  lagRecords: number;
  /** age of the oldest source record not copied yet; 0 when caught up, null when unknown */
  lagSeconds: number | null;
}

export interface MirrorCheckpoint {
  group: string;
  /** as named on the target */
  topic: string;
  partition: number;
  upstreamOffset: number;
  downstreamOffset: number;
  /** when the checkpoint was written (record timestamp, ms) */
  at: number;
}

export interface MirrorFlow {
  /** the Connect worker running it */
  connectUrl: string;
  source: string;
  target: string;
  sourceBootstrap: string | null;
  targetBootstrap: string | null;
  policy: string;
  connectors: MirrorConnectorState[];
  topics: MirrorTopicLag[];
  topicsError?: string;
  /** latest checkpoint per group, topic and partition */
  checkpoints: MirrorCheckpoint[];
  checkpointsError?: string;
  /** last heartbeat of this flow in the target's heartbeats topic (ms), null when none */
  lastHeartbeat: number | null;
  heartbeatError?: string;
}

export interface MirrorOverview {
  flows: MirrorFlow[];
  /** the Connect workers asked */
  connects: string[];
  /** a worker that could not be listed, and why */
  errors: string[];
}
