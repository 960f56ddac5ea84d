// Cluster metadata for a single node: topics (id, partitions, config overrides),
// kept in one JSON file written atomically. A cluster keeps the same shape in
// PostgreSQL (see ARCHITECTURE.md); callers only see this interface.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileAtomic } from '../log/partition-log.ts';

export interface PartitionMeta {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  /** bumped on every change of this partition: the compare-and-set token (absent in old files = 0) */
  partitionEpoch?: number;
  /** reassignment in progress (KIP-455) */
  addingReplicas?: number[];
  removingReplicas?: number[];
}

export interface TopicMeta {
  name: string;
  /** 32 hex chars */
  id: string;
  partitions: PartitionMeta[];
  configs: Record<string, string>;
  internal: boolean;
  createdAt: number;
}

interface Snapshot {
  version: 1; clusterId: string; topics: TopicMeta[];
  /** dynamic broker configs by resource name: a broker id, or "" for the cluster-wide default */
  brokerConfigs?: Record<string, Record<string, string>>;
}

export class MetadataStore {
  private topics = new Map<string, TopicMeta>();
  private byId = new Map<string, TopicMeta>();
  private brokerConfigs: Record<string, Record<string, string>> = {};
  clusterId = '';
  private file: string;

  /**
   * `persist` false: a cache of the cluster's store (PostgreSQL), filled by the
   * cluster view; nothing is written to the local file.
   */
  constructor(readonly dataDir: string, readonly nodeId: number, private readonly persist = true) {
    this.file = path.join(dataDir, 'cluster-metadata.json');
  }

  load(clusterIdOverride?: string | null): void {
    fs.mkdirSync(this.dataDir, { recursive: true });
    let snap: Snapshot | null = null;
    try { snap = JSON.parse(fs.readFileSync(this.file, 'utf8')); } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${this.file} is unreadable (${(e as Error).message}); restore it from a backup or move it away to start empty`);
    }
    if (snap) {
      this.clusterId = snap.clusterId;
      for (const t of snap.topics) { this.topics.set(t.name, t); this.byId.set(t.id, t); }
      this.brokerConfigs = snap.brokerConfigs ?? {};
    } else {
      this.clusterId = clusterIdOverride || randomBytes(16).toString('base64url').slice(0, 22);
      this.save();
    }
    // meta.properties, as Kafka writes it, for tools that look for it.
    const props = path.join(this.dataDir, 'meta.properties');
    if (!fs.existsSync(props)) fs.writeFileSync(props, `version=1\ncluster.id=${this.clusterId}\nnode.id=${this.nodeId}\n`);
  }

  /** The cluster id in this data dir's meta.properties, if any. */
  metaPropertiesClusterId(): string | null {
    try { return /^cluster\.id=(.*)$/m.exec(fs.readFileSync(path.join(this.dataDir, 'meta.properties'), 'utf8'))?.[1]?.trim() || null; } catch { return null; }
  }

  /**
   * A cluster member's data dir: its meta.properties must name the store's cluster and
   * this node (Kafka refuses a log dir of another cluster: its logs would be served
   * as this cluster's); written when missing.
   */
  claimDataDir(clusterId: string): void {
    fs.mkdirSync(this.dataDir, { recursive: true });
    const file = path.join(this.dataDir, 'meta.properties');
    let text = '';
    try { text = fs.readFileSync(file, 'utf8'); } catch { /* a fresh dir */ }
    const had = /^cluster\.id=(.*)$/m.exec(text)?.[1]?.trim();
    const node = /^node\.id=(.*)$/m.exec(text)?.[1]?.trim();
    if (had && had !== clusterId) throw new Error(`${this.dataDir} holds the logs of cluster ${had} (meta.properties), but the metadata store's cluster is ${clusterId}; use an empty --data-dir or the store of that cluster`);
    if (node && node !== String(this.nodeId)) throw new Error(`${this.dataDir} belongs to node.id ${node} (meta.properties), not ${this.nodeId}; give each broker its own --data-dir`);
    if (!had) fs.writeFileSync(file, `version=1\ncluster.id=${clusterId}\nnode.id=${this.nodeId}\n`);
  }

  private save(): void {
    if (!this.persist) return;
    const snap: Snapshot = { version: 1, clusterId: this.clusterId, topics: [...this.topics.values()], brokerConfigs: this.brokerConfigs };
    writeFileAtomic(this.file, JSON.stringify(snap, null, 1));
  }

  /** Cache mode: puts a topic as the store holds it (replacing one of the same name). */
  putTopic(t: TopicMeta): void {
    const old = this.topics.get(t.name);
    if (old && old.id !== t.id) this.byId.delete(old.id);
    this.topics.set(t.name, t); this.byId.set(t.id, t);
  }

  /** Cache mode: every dynamic broker config set at once. */
  putBrokerConfigs(all: Record<string, Record<string, string>>): void { this.brokerConfigs = all; }

  list(): TopicMeta[] { return [...this.topics.values()]; }
  get(name: string): TopicMeta | undefined { return this.topics.get(name); }
  getById(id: string): TopicMeta | undefined { return this.byId.get(id); }

  createTopic(name: string, partitions: number, configs: Record<string, string>, internal = false): TopicMeta {
    const t: TopicMeta = {
      name, id: randomUUID().replace(/-/g, ''), configs, internal, createdAt: Date.now(),
      partitions: Array.from({ length: partitions }, (_, i) => ({ partition: i, leader: this.nodeId, leaderEpoch: 0, replicas: [this.nodeId], isr: [this.nodeId] })),
    };
    this.topics.set(name, t); this.byId.set(t.id, t);
    this.save();
    return t;
  }

  deleteTopic(name: string): void {
    const t = this.topics.get(name);
    if (!t) return;
    this.topics.delete(name); this.byId.delete(t.id);
    this.save();
  }

  addPartitions(name: string, total: number): void {
    const t = this.topics.get(name)!;
    for (let i = t.partitions.length; i < total; i++) t.partitions.push({ partition: i, leader: this.nodeId, leaderEpoch: 0, replicas: [this.nodeId], isr: [this.nodeId] });
    this.save();
  }

  /** Replaces fields of one partition's state and persists it. */
  updatePartition(name: string, partition: number, change: Partial<Omit<PartitionMeta, 'partition'>>): PartitionMeta {
    const t = this.topics.get(name)!;
    const p = { ...t.partitions[partition], ...change };
    t.partitions[partition] = p;
    this.save();
    return p;
  }

  /** Dynamic broker configs of one BROKER resource (a broker id, or "" for the cluster default). */
  getBrokerConfigs(resource: string): Record<string, string> { return { ...this.brokerConfigs[resource] }; }

  setBrokerConfigs(resource: string, configs: Record<string, string>): void {
    if (Object.keys(configs).length) this.brokerConfigs[resource] = { ...configs }; else delete this.brokerConfigs[resource];
    this.save();
  }

  setConfigs(name: string, configs: Record<string, string>): void {
    const t = this.topics.get(name)!;
    t.configs = configs;
    this.save();
  }
}
