// The UI server's only way to the broker: one kafkajs client (admin, producer, and
// kafkajs' own Cluster for group-less fetches).
import { createRequire } from 'node:module';
import { Kafka, logLevel, type Admin, type Producer, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import { fromKafkaError } from '../errors.ts';

const require = createRequire(import.meta.url);

/** The subset of kafkajs' internal Cluster/Broker we use for fetches and DescribeLogDirs. */
export interface KjsBroker {
  fetch(req: {
    replicaId: number; isolationLevel: number; maxWaitTime: number; minBytes: number; maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: KjsPartitionData[] }[] }>;
  connectionPool: { send(r: { request: unknown; response: unknown }): Promise<unknown> };
}
export interface KjsPartitionData {
  partition: number;
  errorCode: number;
  highWatermark: string;
  lastStableOffset?: string;
  abortedTransactions?: unknown[];
  messages: KjsMessage[];
}
export interface KjsMessage {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[] | undefined>;
  isControlRecord?: boolean;
}
export interface KjsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  isConnected(): boolean;
  refreshMetadata(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number; leader: number }[];
  findBroker(q: { nodeId: number }): Promise<KjsBroker>;
}

/** kafkajs' consumer Batch: drops control records and aborted transactional records. */
const Batch = require('kafkajs/src/consumer/batch.js') as new (topic: string, fetchedOffset: string, data: KjsPartitionData) => { messages: KjsMessage[] };

export function committedMessages(topic: string, fetchedOffset: string, data: KjsPartitionData): KjsMessage[] {
  return new Batch(topic, fetchedOffset, data).messages;
}

function pinoLogCreator(logger: Logger) {
  return () => ({ namespace, level, label, log }: LogEntry) => {
    const { message, ...extra } = log;
    const l = level === logLevel.ERROR || level === logLevel.WARN ? 'debug' : 'trace';
    // kafkajs logs every refused connection as an error; the API reports those itself.
    logger[l]({ kafkajs: namespace, label, ...extra }, message);
  };
}

export class KafkaGateway {
  readonly kafka: Kafka;
  private admin?: Promise<Admin>;
  private producer?: Promise<Producer>;
  private cluster?: Promise<KjsCluster>;

  constructor(readonly bootstrap: string, private readonly logger: Logger) {
    this.kafka = new Kafka({
      clientId: 'tributary-ui',
      brokers: bootstrap.split(',').map((s) => s.trim()).filter(Boolean),
      connectionTimeout: 2000,
      requestTimeout: 15000,
      // The UI answers a person: fail in seconds, not after kafkajs' default minute of retries.
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
      logLevel: logLevel.WARN,
      logCreator: pinoLogCreator(logger),
    });
  }

  /** Runs `fn` with a connected admin client; a failed connection is retried on the next call. */
  async withAdmin<T>(what: string, fn: (a: Admin) => Promise<T>): Promise<T> {
    try {
      if (!this.admin) {
        const a = this.kafka.admin({ retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 } });
        this.admin = a.connect().then(() => a);
        this.admin.catch(() => { this.admin = undefined; });
      }
      return await fn(await this.admin);
    } catch (e) {
      throw fromKafkaError(e, what, this.bootstrap);
    }
  }

  async withProducer<T>(what: string, fn: (p: Producer) => Promise<T>): Promise<T> {
    try {
      if (!this.producer) {
        const p = this.kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 } });
        this.producer = p.connect().then(() => p);
        this.producer.catch(() => { this.producer = undefined; });
      }
      return await fn(await this.producer);
    } catch (e) {
      throw fromKafkaError(e, what, this.bootstrap);
    }
  }

  /**
   * kafkajs' own Cluster, for reading partitions at an offset without a consumer
   * group (kafkajs' public consumer always joins one, which costs a rebalance per
   * browse). Created through the client's factory so it shares its options.
   */
  async getCluster(): Promise<KjsCluster> {
    if (!this.cluster) {
      const sym = Object.getOwnPropertySymbols(this.kafka).find((s) => s.description === 'private:Kafka:createCluster');
      if (!sym) throw new Error('this kafkajs version does not expose its cluster factory; use the group-based reader');
      const factory = (this.kafka as unknown as Record<symbol, (o: object) => KjsCluster>)[sym];
      const c = factory({ metadataMaxAge: 30000, allowAutoTopicCreation: false, isolationLevel: 1 });
      this.cluster = c.connect().then(() => c);
      this.cluster.catch(() => { this.cluster = undefined; });
    }
    return this.cluster;
  }

  /** The broker leading a partition, refreshing metadata once when it is unknown. */
  async leaderOf(topic: string, partition: number): Promise<KjsBroker> {
    const cluster = await this.getCluster();
    await cluster.addTargetTopic(topic);
    let meta = cluster.findTopicPartitionMetadata(topic).find((p) => p.partitionId === partition);
    if (!meta || meta.leader < 0) {
      await cluster.refreshMetadata();
      meta = cluster.findTopicPartitionMetadata(topic).find((p) => p.partitionId === partition);
    }
    if (!meta || meta.leader < 0) throw Object.assign(new Error(`partition ${topic}-${partition} has no leader`), { type: 'LEADER_NOT_AVAILABLE' });
    return cluster.findBroker({ nodeId: meta.leader });
  }

  async brokerById(nodeId: number): Promise<KjsBroker> {
    const cluster = await this.getCluster();
    try {
      return await cluster.findBroker({ nodeId });
    } catch {
      // A fresh Cluster knows no brokers until its first metadata refresh.
      await cluster.refreshMetadata();
      return cluster.findBroker({ nodeId });
    }
  }

  /** Forget cached metadata (after create/delete topic). */
  async refresh(): Promise<void> {
    if (this.cluster) await (await this.cluster).refreshMetadata().catch(() => undefined);
  }

  async close(): Promise<void> {
    const all = [this.admin, this.producer, this.cluster];
    this.admin = this.producer = this.cluster = undefined;
    await Promise.all(all.map(async (p) => {
      if (!p) return;
      const c = await p.catch(() => null);
      await c?.disconnect().catch(() => undefined);
    }));
  }
}
