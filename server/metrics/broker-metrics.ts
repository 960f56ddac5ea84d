// The broker's Prometheus metrics, named the way the Prometheus JMX exporter (with
// Strimzi's rules) names Kafka's MBeans, so dashboards and alerts written for Kafka
// work with little change. Hot-path cost: a Map lookup for a pre-resolved label
// child and an increment per request / append; everything that is state (log
// sizes, partition and group counts, consumer lag) is computed when scraped.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestContext, RequestObserver } from '../network/socket-server.ts';
import { ERROR_NAME_BY_CODE } from '../errors.ts';

const PRODUCE = 0;
const FETCH = 1;

/** One partition as the metrics see it. */
export interface PartitionView {
  topic: string;
  partition: number;
  internal: boolean;
  sizeBytes: number;
  segments: number;
  logStartOffset: bigint;
  logEndOffset: bigint;
  replicas: number;
  inSyncReplicas: number;
  /** this broker leads the partition */
  leader: boolean;
  /** no broker leads it */
  offline: boolean;
}

/** A consumer group's committed position on one partition. */
export interface GroupOffsetView {
  topic: string;
  partition: number;
  committed: bigint;
  highWatermark: bigint;
  /** timestamp (ms) of the first record not yet consumed, or null when caught up / unknown */
  oldestUnconsumedTimestamp: number | null;
}

/** What the metrics read at scrape time; the broker supplies it (no import of broker internals). */
export interface BrokerMetricsSource {
  partitions(): Iterable<PartitionView>;
  connections(): { open: number; created: number };
  groupStates(): Iterable<{ groupId: string; state: string }>;
  groupOffsets(groupId: string): GroupOffsetView[];
  /** KIP-227: fetch sessions held, their partitions, evictions; partitions listed in Fetch requests by followers and consumers */
  fetchSessions?(): { sessions: number; partitions: number; evictions: number; requests: { follower: number; consumer: number }; requestPartitions: { follower: number; consumer: number } } | undefined;
  /** transactions begun and not yet completed */
  ongoingTransactions?(): number;
  /** per partition, closed segments eligible for upload that are not uploaded yet */
  tieredCopyLag?(): Iterable<{ topic: string; partition: number; bytes: number; segments: number }>;
  tiered?(): { uploadedBytes: number; uploads: number; uploadFailures: number; remoteReadBytes: number; remoteReads: number } | undefined;
  /** whether this broker holds the controller role now; absent on a single node (always itself) */
  activeController?(): boolean;
  /** cluster mode only (metadata.store.url set): whether this broker reaches the metadata store, and since when not */
  metadataStore?(): MetadataStoreView;
}

/** The metadata store as one broker last found it. */
export interface MetadataStoreView {
  nodeId: number;
  reachable: boolean;
  /** ms since epoch of this outage's first failed attempt; null while reachable */
  unreachableSince: number | null;
}

const GROUP_STATES = ['PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead', 'Empty'] as const;
/** request latency buckets in ms (Kafka's TotalTimeMs): 0.1 ms .. 30 s */
const LATENCY_BUCKETS_MS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

// The request path adds to plain numbers (prom-client's label children hash their
// labels on every call); the registry reads them when scraped.
interface TopicTotals { messagesIn: number; bytesIn: number; bytesOut: number }

interface RequestTotals {
  name: string;
  version: string;
  count: number;
  sum: number;
  /** per LATENCY_BUCKETS_MS bound, then +Inf; not cumulative */
  buckets: Float64Array;
}

/**
 * A histogram whose observations the broker keeps in its own arrays, exposed
 * through the registry's public metric shape (`get()`), so the request path
 * never touches prom-client.
 */
function requestLatencyHistogram(name: string, help: string, totals: () => Iterable<RequestTotals>) {
  return {
    name, help, type: 'histogram', aggregator: 'sum',
    reset() { /* the broker's totals are monotonic */ },
    async get() {
      const byName = new Map<string, { count: number; sum: number; buckets: Float64Array }>();
      for (const t of totals()) {
        let a = byName.get(t.name);
        if (!a) { a = { count: 0, sum: 0, buckets: new Float64Array(LATENCY_BUCKETS_MS.length + 1) }; byName.set(t.name, a); }
        a.count += t.count; a.sum += t.sum;
        for (let i = 0; i < a.buckets.length; i++) a.buckets[i] += t.buckets[i];
      }
      const values: { value: number; labels: Record<string, string | number>; metricName: string }[] = [];
      for (const [request, a] of byName) {
        let cum = 0;
        for (let i = 0; i < a.buckets.length; i++) {
          cum += a.buckets[i];
          values.push({ value: cum, labels: { request, le: i < LATENCY_BUCKETS_MS.length ? LATENCY_BUCKETS_MS[i] : '+Inf' }, metricName: `${name}_bucket` });
        }
        values.push({ value: a.sum, labels: { request }, metricName: `${name}_sum` });
        values.push({ value: a.count, labels: { request }, metricName: `${name}_count` });
      }
      return { name, help, type: 'histogram', values, aggregator: 'sum' };
    },
  };
}

export class BrokerMetrics implements RequestObserver {
  readonly registry = new Registry();
  private readonly failedProduce: Counter<'topic'>;
  private readonly failedFetch: Counter<'topic'>;
  private readonly errors: Counter<'request' | 'error'>;
  private readonly rebalances: Counter;
  private readonly transactions: Counter<'result'>;
  private readonly isrShrinks: Counter;
  private readonly isrExpands: Counter;
  private readonly byTopic = new Map<string, TopicTotals>();
  private readonly byRequest = new Map<number, RequestTotals[]>();

  constructor(private readonly source: BrokerMetricsSource) {
    const r = this.registry;
    const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) => new Counter<L>({ name, help, labelNames, registers: [r] });
    const gauge = <L extends string>(name: string, help: string, labelNames: L[], collect: (g: Gauge<L>) => void) =>
      new Gauge<L>({ name, help, labelNames, registers: [r], collect() { collect(this); } });
    // A counter whose running total another component keeps (read when scraped).
    const counterOf = (name: string, help: string, total: () => number) =>
      new Counter({ name, help, registers: [r], collect() { this.reset(); this.inc(total()); } });

    const perTopic = (name: string, help: string, pick: (t: TopicTotals) => number) =>
      new Counter({ name, help, labelNames: ['topic'], registers: [r], collect: () => { const c = r.getSingleMetric(name) as Counter<'topic'>; c.reset(); for (const [topic, t] of this.byTopic) c.inc({ topic }, pick(t)); } });
    perTopic('kafka_server_brokertopicmetrics_messagesin_total', 'Records appended to the topic (BrokerTopicMetrics MessagesInPerSec).', (t) => t.messagesIn);
    perTopic('kafka_server_brokertopicmetrics_bytesin_total', 'Record batch bytes appended to the topic (BytesInPerSec).', (t) => t.bytesIn);
    perTopic('kafka_server_brokertopicmetrics_bytesout_total', 'Record bytes sent to fetching clients (BytesOutPerSec).', (t) => t.bytesOut);
    this.failedProduce = counter('kafka_server_brokertopicmetrics_failedproducerequests_total', 'Partition produce requests that failed (FailedProduceRequestsPerSec).', ['topic']);
    this.failedFetch = counter('kafka_server_brokertopicmetrics_failedfetchrequests_total', 'Partition fetch requests that failed (FailedFetchRequestsPerSec).', ['topic']);
    const requestTotals = () => [...this.byRequest.values()].flatMap((l) => l.filter(Boolean));
    new Counter({
      name: 'kafka_network_requestmetrics_requests_total', help: 'Requests answered, by API and version (RequestMetrics RequestsPerSec).', labelNames: ['request', 'version'], registers: [r],
      collect() { this.reset(); for (const t of requestTotals()) this.inc({ request: t.name, version: t.version }, t.count); },
    });
    r.registerMetric(requestLatencyHistogram('kafka_network_requestmetrics_totaltimems', 'Time from request decoded to response encoded, in ms (RequestMetrics TotalTimeMs).', requestTotals) as unknown as Histogram);
    this.errors = counter('kafka_network_requestmetrics_errors_total', 'Error codes in responses, by API and Kafka error name; Produce and Fetch count each partition (RequestMetrics ErrorsPerSec).', ['request', 'error']);
    this.rebalances = counter('kafka_server_group_coordinator_metrics_group_completed_rebalance_total', 'Consumer group rebalances completed (group-completed-rebalance-count).');
    this.transactions = counter('kafka_server_transaction_coordinator_metrics_completed_transactions_total', 'Transactions completed by the coordinator, by result (commit, abort).', ['result']);
    this.isrShrinks = counter('kafka_server_replicamanager_isrshrinks_total', 'In-sync replica set shrinks (IsrShrinksPerSec); 0 on one node.');
    this.isrExpands = counter('kafka_server_replicamanager_isrexpands_total', 'In-sync replica set expansions (IsrExpandsPerSec); 0 on one node.');

    gauge('kafka_server_socket_server_metrics_connection_count', 'Open client connections (socket-server-metrics connection-count).', [], (g) => g.set(source.connections().open));
    counterOf('kafka_server_socket_server_metrics_connection_creation_total', 'Connections accepted since start (connection-creation-total).', () => source.connections().created);

    // Replica manager and log: one pass over the partitions serves them all.
    let snapshot: PartitionView[] = [];
    let snapshotAt = -1;
    const partitions = () => {
      const now = Date.now();
      if (now - snapshotAt > 100) { snapshot = [...source.partitions()]; snapshotAt = now; }
      return snapshot;
    };
    gauge('kafka_server_replicamanager_partitioncount', 'Partitions on this broker (ReplicaManager PartitionCount).', [], (g) => g.set(partitions().length));
    gauge('kafka_server_replicamanager_leadercount', 'Partitions this broker leads (ReplicaManager LeaderCount).', [], (g) => g.set(partitions().filter((p) => p.leader).length));
    gauge('kafka_server_replicamanager_underreplicatedpartitions', 'Led partitions whose ISR is smaller than the replica set (ReplicaManager UnderReplicatedPartitions).', [], (g) => g.set(partitions().filter((p) => p.leader && p.inSyncReplicas < p.replicas).length));
    gauge('kafka_controller_kafkacontroller_offlinepartitionscount', 'Partitions without a leader (KafkaController OfflinePartitionsCount).', [], (g) => g.set(partitions().filter((p) => p.offline).length));
    gauge('kafka_controller_kafkacontroller_activecontrollercount', 'Whether this broker is the active controller (1 on a single node).', [], (g) => g.set(source.activeController ? Number(source.activeController()) : 1));
    const perPartition = (name: string, help: string, value: (p: PartitionView) => number) =>
      gauge(name, help, ['topic', 'partition'], (g) => {
        g.reset();
        for (const p of partitions()) g.set({ topic: p.topic, partition: String(p.partition) }, value(p));
      });
    perPartition('kafka_log_log_size', 'Bytes of the partition\'s local log segments (Log Size).', (p) => p.sizeBytes);
    perPartition('kafka_log_log_numlogsegments', 'Local log segments of the partition (Log NumLogSegments).', (p) => p.segments);
    perPartition('kafka_log_log_logstartoffset', 'First offset of the partition (Log LogStartOffset).', (p) => Number(p.logStartOffset));
    perPartition('kafka_log_log_logendoffset', 'Next offset to be written (Log LogEndOffset).', (p) => Number(p.logEndOffset));

    // Group coordinator: counts by state (GroupMetadataManager NumGroups*) and lag per group.
    gauge('kafka_coordinator_group_groupmetadatamanager_numgroups', 'Consumer groups known to this coordinator (GroupMetadataManager NumGroups).', [], (g) => g.set([...source.groupStates()].length));
    for (const s of GROUP_STATES) {
      gauge(`kafka_coordinator_group_groupmetadatamanager_numgroups${s.toLowerCase()}`, `Consumer groups in state ${s} (GroupMetadataManager NumGroups${s}).`, [],
        (g) => { let n = 0; for (const x of source.groupStates()) if (x.state === s) n++; g.set(n); });
    }
    // kafka-exporter's names for consumer lag, computed by the coordinator from committed
    // offsets and high-water marks (no client polling).
    let lagRows: { groupId: string; rows: GroupOffsetView[] }[] = [];
    let lagAt = -1;
    const lag = () => {
      const now = Date.now();
      if (now - lagAt > 100) {
        lagRows = [...source.groupStates()].map((x) => ({ groupId: x.groupId, rows: source.groupOffsets(x.groupId) }));
        lagAt = now;
      }
      return lagRows;
    };
    const perGroupPartition = (name: string, help: string, value: (r: GroupOffsetView, now: number) => number) =>
      gauge(name, help, ['consumergroup', 'topic', 'partition'], (g) => {
        g.reset();
        const now = Date.now();
        for (const { groupId, rows } of lag()) for (const x of rows) g.set({ consumergroup: groupId, topic: x.topic, partition: String(x.partition) }, value(x, now));
      });
    perGroupPartition('kafka_consumergroup_current_offset', 'Committed offset of the group on the partition (kafka-exporter).', (x) => Number(x.committed));
    perGroupPartition('kafka_consumergroup_lag', 'High-water mark minus committed offset (kafka-exporter).', (x) => Math.max(0, Number(x.highWatermark - x.committed)));
    perGroupPartition('kafka_consumergroup_lag_seconds', 'Age of the oldest record the group has not consumed yet, in seconds; 0 when caught up.',
      (x, now) => (x.oldestUnconsumedTimestamp === null || x.committed >= x.highWatermark ? 0 : Math.max(0, (now - x.oldestUnconsumedTimestamp) / 1000)));

    // Tiered storage (Kafka's RemoteLogManager metrics in BrokerTopicMetrics, all topics).
    type Tiered = NonNullable<ReturnType<NonNullable<BrokerMetricsSource['tiered']>>>;
    const tiered = (name: string, help: string, value: (t: Tiered) => number) => counterOf(name, help, () => { const t = source.tiered?.(); return t ? value(t) : 0; });
    tiered('kafka_server_brokertopicmetrics_remotecopybytes_total', 'Bytes uploaded to remote storage (RemoteCopyBytesPerSec).', (t) => t.uploadedBytes);
    tiered('kafka_server_brokertopicmetrics_remotecopyrequests_total', 'Segments uploaded to remote storage (RemoteCopyRequestsPerSec).', (t) => t.uploads);
    tiered('kafka_server_brokertopicmetrics_remotecopyerrors_total', 'Failed segment uploads (RemoteCopyErrorsPerSec).', (t) => t.uploadFailures);
    tiered('kafka_server_brokertopicmetrics_remotefetchbytes_total', 'Bytes read from remote storage (RemoteFetchBytesPerSec).', (t) => t.remoteReadBytes);
    tiered('kafka_server_brokertopicmetrics_remotefetchrequests_total', 'Reads served from remote storage (RemoteFetchRequestsPerSec).', (t) => t.remoteReads);
    // Per topic as Kafka's BrokerTopicMetrics (KIP-963), and per partition for finding the stuck one.
    const copyLag = (name: string, help: string, pick: (x: { bytes: number; segments: number }) => number) =>
      gauge(name, help, ['topic', 'partition'], (g) => {
        g.reset();
        for (const x of source.tieredCopyLag?.() ?? []) g.set({ topic: x.topic, partition: String(x.partition) }, pick(x));
      });
    copyLag('kafka_server_brokertopicmetrics_remotecopylagbytes', 'Bytes of closed segments eligible for tiered storage not uploaded yet (RemoteCopyLagBytes); grows while the object store is unreachable.', (x) => x.bytes);
    copyLag('kafka_server_brokertopicmetrics_remotecopylagsegments', 'Closed segments eligible for tiered storage not uploaded yet (RemoteCopyLagSegments).', (x) => x.segments);
    // Fetch sessions (Kafka's kafka.server:type=FetchSessionCache), and what fetchers list per request.
    gauge('kafka_server_fetchsessioncache_numincrementalfetchsessions', 'Incremental fetch sessions held (FetchSessionCache NumIncrementalFetchSessions).', [], (g) => g.set(source.fetchSessions?.()?.sessions ?? 0));
    gauge('kafka_server_fetchsessioncache_numincrementalfetchpartitionscached', 'Partitions held by all fetch sessions (FetchSessionCache NumIncrementalFetchPartitionsCached).', [], (g) => g.set(source.fetchSessions?.()?.partitions ?? 0));
    counterOf('kafka_server_fetchsessioncache_incrementalfetchsessionevictions_total', 'Fetch sessions evicted to make room for another (FetchSessionCache IncrementalFetchSessionEvictionsPerSec).', () => source.fetchSessions?.()?.evictions ?? 0);
    new Counter({ name: 'tributary_fetch_requests_total', help: 'Fetch requests, by fetcher (follower, consumer).', labelNames: ['fetcher'], registers: [r],
      collect() { this.reset(); const f = source.fetchSessions?.(); this.inc({ fetcher: 'follower' }, f?.requests.follower ?? 0); this.inc({ fetcher: 'consumer' }, f?.requests.consumer ?? 0); } });
    new Counter({ name: 'tributary_fetch_request_partitions_total', help: 'Partitions listed in Fetch requests, by fetcher (follower, consumer): with incremental fetch sessions only those whose position changed.', labelNames: ['fetcher'], registers: [r],
      collect() { this.reset(); const f = source.fetchSessions?.(); this.inc({ fetcher: 'follower' }, f?.requestPartitions.follower ?? 0); this.inc({ fetcher: 'consumer' }, f?.requestPartitions.consumer ?? 0); } });
    gauge('kafka_server_transaction_coordinator_metrics_ongoing_transactions', 'Transactions begun and not yet committed or aborted on this coordinator; a value that never falls points at a hung producer.', [],
      (g) => g.set(source.ongoingTransactions?.() ?? 0));
    // The cluster's metadata store (PostgreSQL) as this broker finds it; absent on a single
    // node. While it is unreachable the broker serves its current leaders and nothing can
    // change leadership, topics or configs. `node_id` names the broker for whoever scrapes
    // several (the UI maps its admin URLs to brokers with it).
    const store = source.metadataStore;
    if (store) {
      gauge('tributary_cluster_metadata_store_up', 'Whether this broker reaches the cluster\'s metadata store (1) or not (0): while 0 it serves produce and fetch for the partitions it leads, and no leader election, topic creation, config change or reassignment is possible.', ['node_id'],
        (g) => { const s = store(); g.reset(); g.set({ node_id: String(s.nodeId) }, s.reachable ? 1 : 0); });
      gauge('tributary_cluster_metadata_store_unreachable_since_timestamp_seconds', 'Unix time of the first failed attempt to reach the metadata store in the current outage; 0 while it is reachable. time() minus this is how long it has been unreachable.', ['node_id'],
        (g) => { const s = store(); g.reset(); g.set({ node_id: String(s.nodeId) }, s.reachable || s.unreachableSince === null ? 0 : s.unreachableSince / 1000); });
    }
    // Present from the start so dashboards and alerts see 0, not "no data".
    this.isrShrinks.inc(0); this.isrExpands.inc(0); this.rebalances.inc(0);
    this.transactions.labels('commit').inc(0); this.transactions.labels('abort').inc(0);
  }

  private topic(name: string): TopicTotals {
    let c = this.byTopic.get(name);
    if (!c) { c = { messagesIn: 0, bytesIn: 0, bytesOut: 0 }; this.byTopic.set(name, c); }
    return c;
  }

  /** A record set was appended to a partition of `topic`. */
  onAppend(topic: string, records: number, bytes: number): void {
    const c = this.topic(topic);
    c.messagesIn += records;
    c.bytesIn += bytes;
  }

  onRebalanceCompleted(): void { this.rebalances.inc(); }
  onTransactionCompleted(commit: boolean): void { this.transactions.labels(commit ? 'commit' : 'abort').inc(); }

  /** Called by the socket server for every response it encodes. */
  onResponse(ctx: RequestContext, version: number, body: any, errorCode: number | undefined): void {
    let slot = this.byRequest.get(ctx.apiKey);
    if (!slot) { slot = []; this.byRequest.set(ctx.apiKey, slot); }
    let rc = slot[version];
    if (!rc) {
      // Kafka names fetches by consumers FetchConsumer (followers: FetchFollower).
      const name = ctx.apiKey === FETCH ? 'FetchConsumer' : ctx.api.decl.name;
      rc = { name, version: String(version), count: 0, sum: 0, buckets: new Float64Array(LATENCY_BUCKETS_MS.length + 1) };
      slot[version] = rc;
    }
    const ms = performance.now() - ctx.receivedAt;
    rc.count++; rc.sum += ms;
    let i = 0;
    while (i < LATENCY_BUCKETS_MS.length && ms > LATENCY_BUCKETS_MS[i]) i++;
    rc.buckets[i]++;
    if (errorCode !== undefined && errorCode !== 0) { this.error(ctx, errorCode); return; }
    if (!body || typeof body !== 'object') return;
    if (ctx.apiKey === PRODUCE) {
      for (const t of body.responses ?? []) for (const p of t.partitionResponses ?? []) {
        if (p.errorCode) { this.error(ctx, p.errorCode); this.failedProduce.labels(t.name).inc(); }
      }
    } else if (ctx.apiKey === FETCH) {
      for (const t of body.responses ?? []) {
        let bytes = 0;
        for (const p of t.partitions ?? []) {
          if (p.errorCode) { this.error(ctx, p.errorCode); if (t.topic) this.failedFetch.labels(t.topic).inc(); continue; }
          const rec = p.records;
          if (Array.isArray(rec)) for (const b of rec) bytes += b.length; else if (rec) bytes += rec.length;
        }
        if (bytes > 0 && t.topic) this.topic(t.topic).bytesOut += bytes;
      }
    } else if (typeof body.errorCode === 'number' && body.errorCode !== 0) {
      this.error(ctx, body.errorCode);
    }
  }

  private error(ctx: RequestContext, errorCode: number): void {
    const name = ctx.apiKey === FETCH ? 'FetchConsumer' : ctx.api.decl.name;
    this.errors.labels(name, ERROR_NAME_BY_CODE.get(errorCode) ?? String(errorCode)).inc();
  }

  metrics(): Promise<string> { return this.registry.metrics(); }
  get contentType(): string { return this.registry.contentType; }
}
