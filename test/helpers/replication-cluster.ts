// In-process brokers replicating for real (fetchers, truncation, high-water marks,
// acks) while the test plays the controller: a TestController holds each
// partition's state, elects leaders and answers alterIsr with a compare-and-set,
// and every broker reads it through its own ClusterView. What is tested is the data
// plane; the leadership decisions are the test's.
import fs from 'node:fs';
import { Broker } from '../../server/broker.ts';
import { loadBrokerConfig } from '../../server/config.ts';
import type { BrokerInfo, ClusterView, PartitionListener, PartitionState } from '../../server/cluster/cluster-view.ts';
import { BrokerConnection } from '../../server/replication/broker-connection.ts';
import { Fetch, OffsetForLeaderEpoch, Produce } from '../../server/protocol/apis/index.ts';
import { buildBatch, readBatchInfo, readRecords, type BuildOptions } from '../../server/log/record-batch.ts';
import { ERROR_NAME_BY_CODE } from '../../server/errors.ts';
import { tempDir } from './broker.ts';

export class TestController {
  private states = new Map<string, PartitionState>();
  readonly views = new Set<TestView>();
  readonly endpoints = new Map<number, { host: string; port: number; alive: boolean }>();
  /** alterIsr calls answered (for tests that check the ISR moved through the controller) */
  isrChanges: { key: string; isr: number[] }[] = [];

  state(topic: string, partition: number): PartitionState | undefined { return this.states.get(`${topic}-${partition}`); }

  /** A new leader (and epoch) for a partition, published to every broker. */
  elect(topic: string, partition: number, leader: number, replicas: number[], isr: number[]): PartitionState {
    const prev = this.state(topic, partition);
    const s: PartitionState = {
      topic, partition, leader, leaderEpoch: (prev?.leaderEpoch ?? 0) + 1, partitionEpoch: (prev?.partitionEpoch ?? 0) + 1,
      replicas: [...replicas], isr: [...isr], addingReplicas: [], removingReplicas: [],
    };
    this.publish(s);
    return s;
  }

  publish(s: PartitionState): void {
    this.states.set(`${s.topic}-${s.partition}`, s);
    for (const v of this.views) v.emit(s);
  }

  alterIsr(current: PartitionState, isr: number[]): PartitionState | 'stale' {
    const now = this.state(current.topic, current.partition);
    if (!now || now.partitionEpoch !== current.partitionEpoch || now.leaderEpoch !== current.leaderEpoch) return 'stale';
    const s = { ...now, isr: [...isr], partitionEpoch: now.partitionEpoch + 1 };
    this.isrChanges.push({ key: `${s.topic}-${s.partition}`, isr: [...isr] });
    this.publish(s);
    return s;
  }

  all(): PartitionState[] { return [...this.states.values()]; }
}

export class TestView implements ClusterView {
  private listeners = new Set<PartitionListener>();
  constructor(private readonly c: TestController, readonly nodeId: number) { c.views.add(this); }
  brokers(): BrokerInfo[] { return [...this.c.endpoints].map(([nodeId, e]) => ({ nodeId, host: e.host, port: e.port, rack: null, alive: e.alive })); }
  controllerId(): number { return -1; }
  partitionState(topic: string, partition: number): PartitionState | undefined { return this.c.state(topic, partition); }
  onPartitionChange(l: PartitionListener): () => void {
    this.listeners.add(l);
    for (const s of this.c.all()) l(s);
    return () => { this.listeners.delete(l); };
  }
  async alterIsr(current: PartitionState, isr: number[]): Promise<PartitionState | 'stale'> { return this.c.alterIsr(current, isr); }
  emit(s: PartitionState): void { for (const l of this.listeners) l(s); }
  detach(): void { this.c.views.delete(this); }
}

export interface ClusterNode { id: number; dataDir: string; port: number; broker: Broker | null; view: TestView | null }

/** Three (or `n`) in-process brokers sharing one TestController. */
export class ReplicationCluster {
  readonly controller = new TestController();
  readonly nodes = new Map<number, ClusterNode>();

  constructor(private readonly config: Record<string, string> = {}) {}

  async start(ids: number[]): Promise<void> {
    for (const id of ids) await this.startNode(id);
  }

  async startNode(id: number): Promise<Broker> {
    let n = this.nodes.get(id);
    if (!n) { n = { id, dataDir: tempDir(`repl-${id}-`), port: 0, broker: null, view: null }; this.nodes.set(id, n); }
    const { config } = loadBrokerConfig(Object.entries({
      'node.id': String(id), 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '1', 'transaction.state.log.num.partitions': '1',
      'replica.fetch.wait.max.ms': '200', 'replica.fetch.backoff.ms': '50', 'auto.create.topics.enable': 'false', ...this.config,
    }));
    const b = new Broker({ dataDir: n.dataDir, host: '127.0.0.1', port: n.port, config });
    const view = new TestView(this.controller, id);
    // The test's controller instead of the single-node view: the data plane reads only this.
    (b as { cluster: ClusterView }).cluster = view;
    b.replicas.cluster = view;
    n.view = view;
    await b.start();
    n.broker = b;
    n.port = b.port;
    this.controller.endpoints.set(id, { host: '127.0.0.1', port: b.port, alive: true });
    return b;
  }

  async stopNode(id: number): Promise<void> {
    const n = this.nodes.get(id)!;
    const e = this.controller.endpoints.get(id);
    if (e) e.alive = false;
    n.view?.detach();
    n.view = null;
    const b = n.broker; n.broker = null;
    await b?.stop();
  }

  broker(id: number): Broker { const b = this.nodes.get(id)?.broker; if (!b) throw new Error(`broker ${id} is not running`); return b; }

  /** The topic on every running broker's local metadata (configs for min.insync.replicas etc.), led by the controller's choice. */
  createTopic(name: string, partitions: number, replicas: number[], configs: Record<string, string> = {}): void {
    for (const n of this.nodes.values()) if (n.broker && !n.broker.topics.get(name)) n.broker.topics.create(name, partitions, 1, configs);
    for (let p = 0; p < partitions; p++) this.controller.elect(name, p, replicas[p % replicas.length], replicas, replicas);
  }

  async stop(): Promise<void> {
    for (const id of this.nodes.keys()) await this.stopNode(id);
    for (const n of this.nodes.values()) fs.rmSync(n.dataDir, { recursive: true, force: true });
  }
}

/** A Kafka-protocol client on one broker (the broker's own codecs): produce and fetch as a client would. */
export class TestClient {
  private constructor(readonly conn: BrokerConnection) {}
  static async connect(port: number): Promise<TestClient> { return new TestClient(await BrokerConnection.connect('127.0.0.1', port, 'replication-test')); }
  close(): void { this.conn.close(); }

  async produce(topic: string, partition: number, values: string[], o: { acks?: number; timeoutMs?: number; batch?: BuildOptions } = {}): Promise<{ error: string | null; baseOffset: bigint; message: string | null }> {
    const records = buildBatch(values.map((v) => ({ value: Buffer.from(v) })), o.batch);
    const r = await this.conn.send(Produce, 9, { acks: o.acks ?? -1, timeoutMs: o.timeoutMs ?? 10000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] });
    const p = r.responses[0].partitionResponses[0];
    return { error: p.errorCode ? ERROR_NAME_BY_CODE.get(p.errorCode) ?? String(p.errorCode) : null, baseOffset: p.baseOffset, message: p.errorMessage };
  }

  async fetch(topic: string, partition: number, offset: bigint, o: { currentLeaderEpoch?: number; replicaId?: number; maxWaitMs?: number } = {}): Promise<{ error: string | null; highWatermark: bigint; values: { offset: bigint; value: string }[] }> {
    const r = await this.conn.send(Fetch, 12, {
      replicaId: o.replicaId ?? -1, maxWaitMs: o.maxWaitMs ?? 0, minBytes: 1, maxBytes: 1 << 24,
      topics: [{ topic, partitions: [{ partition, fetchOffset: offset, currentLeaderEpoch: o.currentLeaderEpoch ?? -1, partitionMaxBytes: 1 << 24 }] }],
    });
    const p = r.responses[0].partitions[0];
    const values: { offset: bigint; value: string }[] = [];
    const data = p.records ?? Buffer.alloc(0);
    let pos = 0;
    while (pos + 61 <= data.length) {
      const info = readBatchInfo(data, pos);
      for (const rec of readRecords(data, pos)) if (rec.offset >= offset) values.push({ offset: rec.offset, value: rec.value?.toString() ?? '' });
      pos += info.size;
    }
    return { error: p.errorCode ? ERROR_NAME_BY_CODE.get(p.errorCode) ?? String(p.errorCode) : null, highWatermark: p.highWatermark, values };
  }

  async offsetForLeaderEpoch(topic: string, partition: number, leaderEpoch: number, currentLeaderEpoch = -1): Promise<{ error: string | null; leaderEpoch: number; endOffset: bigint }> {
    const r = await this.conn.send(OffsetForLeaderEpoch, 4, { replicaId: -1, topics: [{ topic, partitions: [{ partition, currentLeaderEpoch, leaderEpoch }] }] });
    const p = r.topics[0].partitions[0];
    return { error: p.errorCode ? ERROR_NAME_BY_CODE.get(p.errorCode) ?? String(p.errorCode) : null, leaderEpoch: p.leaderEpoch, endOffset: p.endOffset };
  }
}

/** Polls `fn` until it returns a truthy value (or throws after `ms`). */
export async function until<T>(fn: () => T | Promise<T>, ms = 10000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every byte of a partition's local log segments, concatenated (replicas must match). */
export function logBytes(b: Broker, topic: string, partition: number): Buffer {
  const p = b.replicas.get(topic, partition)!;
  return Buffer.concat(p.log.segments.map((s) => s.readRange(0, s.size)));
}
