// Connect's state in its three compacted topics, in Kafka Connect's own record
// formats (JSON, no schema envelope), so a restart — or another worker — rebuilds it:
//   configs:  connector-<n> → {"properties"}, task-<n>-<i> → {"properties"},
//             commit-<n> → {"tasks":N}, target-state-<n> → {"state","state.v2"}
//   offsets:  ["<connector>",{sourcePartition}] → {sourceOffset}
//   status:   status-connector-<n> / status-task-<n>-<i> → {"state","trace","worker_id","generation"},
//             topic-<topic>-<connector> → {"topic":{"name","connector","task","discoverTimestamp"}}
//
// Writes apply locally once the broker acknowledged them; our own records read back
// later are skipped (counted per key), so the log never rolls local state backwards,
// while records written by other workers (distributed mode) are applied.
import type { Logger } from 'pino';
import { CompactedTopicLog, type ClientConfig, type ConsumedRecord, type KafkaAdmin } from '../../client/index.ts';
import type { WorkerConfig } from '../config.ts';

export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED';
export type State = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED' | 'RESTARTING';
export interface StatusRecord { state: State; trace: string | null; worker_id: string; generation: number }

export interface ConnectorConfigState {
  config: Record<string, string>;
  target: TargetState;
  /** Committed task configs (after the commit-<n> record). */
  tasks: Record<string, string>[];
  /** Bumped on every task config commit: the per-task generation. */
  generation: number;
}

/** Canonical JSON (sorted keys) so equal source partitions give equal keys. */
export function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
}

export class ConnectState {
  readonly connectors = new Map<string, ConnectorConfigState>();
  private pendingTasks = new Map<string, Map<number, Record<string, string>>>();
  /** connector → canonical(partition) → {partition, offset} */
  readonly offsets = new Map<string, Map<string, { partition: Record<string, unknown>; offset: Record<string, unknown> }>>();
  readonly statuses = new Map<string, StatusRecord>();
  /** connector → active topics */
  readonly topics = new Map<string, Set<string>>();
  private ownPending = new Map<string, number>();
  private log!: CompactedTopicLog;
  /** Called when a config record written by someone else changed a connector (distributed mode). */
  onExternalConfigChange: (connector: string) => void = () => undefined;

  constructor(private readonly client: ClientConfig, private readonly cfg: WorkerConfig, private readonly logger: Logger) {}

  get configTopic() { return this.cfg['config.storage.topic']; }
  get offsetTopic() { return this.cfg['offset.storage.topic']; }
  get statusTopic() { return this.cfg['status.storage.topic']; }
  get admin(): KafkaAdmin { return this.log.admin; }

  /**
   * Reads the three topics by partition assignment (no consumer group) at read_committed:
   * exactly-once source tasks write connect-offsets in transactions, whose aborted records
   * are skipped and whose markers the reader moves past.
   */
  async start(timeoutMs = 60000): Promise<void> {
    this.log = new CompactedTopicLog({
      ...this.client,
      clientId: `${this.client.clientId}-state`,
      topics: [
        { topic: this.configTopic, partitions: 1, replicationFactor: this.cfg['config.storage.replication.factor'] },
        { topic: this.offsetTopic, partitions: this.cfg['offset.storage.partitions'], replicationFactor: this.cfg['offset.storage.replication.factor'] },
        { topic: this.statusTopic, partitions: this.cfg['status.storage.partitions'], replicationFactor: this.cfg['status.storage.replication.factor'] },
      ],
      apply: (r) => this.readBack(r),
    });
    try {
      await this.log.start(timeoutMs);
    } catch (e) {
      await this.log.stop();
      throw e;
    }
  }

  /** Resolves once every committed record of these topics (default: all three) present now was applied. */
  readToEnd(topics?: string[], timeoutMs = 30000): Promise<void> { return this.log.readToEnd(topics, timeoutMs); }

  stop(): Promise<void> { return this.log?.stop() ?? Promise.resolve(); }

  private readBack(r: ConsumedRecord): void {
    if (r.key === null) return;
    const topic = r.topic, key = r.key.toString('utf8'), value = r.value;
    const pk = `${topic}\u0000${key}`;
    const n = this.ownPending.get(pk) ?? 0;
    if (n > 0) {
      if (n === 1) this.ownPending.delete(pk); else this.ownPending.set(pk, n - 1);
      return;
    }
    const v = value === null ? null : JSON.parse(value.toString('utf8'));
    const changed = this.applyRecord(topic, key, v);
    if (changed && topic === this.configTopic) this.onExternalConfigChange(changed);
  }

  /** Applies one record; returns the connector name a config record touched. */
  private applyRecord(topic: string, key: string, v: any): string | null {
    if (topic === this.configTopic) {
      let m: RegExpMatchArray | null;
      if ((m = key.match(/^connector-(.+)$/))) {
        const name = m[1];
        if (v === null) { this.connectors.delete(name); return name; }
        const cur = this.connectors.get(name);
        if (cur) cur.config = v.properties;
        else this.connectors.set(name, { config: v.properties, target: 'STARTED', tasks: [], generation: 0 });
        return name;
      }
      if ((m = key.match(/^target-state-(.+)$/))) {
        const c = this.connectors.get(m[1]);
        if (c && v) c.target = (v['state.v2'] ?? v.state) as TargetState;
        return m[1];
      }
      if ((m = key.match(/^task-(.+)-(\d+)$/))) {
        let p = this.pendingTasks.get(m[1]);
        if (!p) this.pendingTasks.set(m[1], (p = new Map()));
        if (v) p.set(Number(m[2]), v.properties);
        return null;
      }
      if ((m = key.match(/^commit-(.+)$/))) {
        const c = this.connectors.get(m[1]);
        const p = this.pendingTasks.get(m[1]) ?? new Map();
        this.pendingTasks.delete(m[1]);
        if (c && v) {
          c.tasks = Array.from({ length: v.tasks }, (_, i) => p.get(i) ?? c.tasks[i] ?? {});
          c.generation++;
        }
        return m[1];
      }
      return null;
    }
    if (topic === this.offsetTopic) {
      let k: unknown;
      try { k = JSON.parse(key); } catch { return null; }
      if (!Array.isArray(k) || typeof k[0] !== 'string') return null;
      this.setOffset(k[0], k[1] ?? {}, v);
      return null;
    }
    if (topic === this.statusTopic) {
      let m: RegExpMatchArray | null;
      if (key.startsWith('status-')) {
        if (v === null) this.statuses.delete(key); else this.statuses.set(key, v as StatusRecord);
      } else if ((m = key.match(/^topic-(.+?)-(.+)$/)) && v?.topic) {
        this.addTopic(v.topic.connector, v.topic.name);
      } else if (m && v === null) {
        // tombstone of an active topic: key alone is ambiguous when names contain '-'; scan
        for (const [c, set] of this.topics) for (const t of set) if (key === `topic-${t}-${c}`) set.delete(t);
      }
    }
    return null;
  }

  private setOffset(connector: string, partition: Record<string, unknown>, offset: Record<string, unknown> | null): void {
    let m = this.offsets.get(connector);
    if (!m) this.offsets.set(connector, (m = new Map()));
    const k = canonical(partition);
    if (offset === null) m.delete(k); else m.set(k, { partition, offset });
  }

  private addTopic(connector: string, topic: string): void {
    let s = this.topics.get(connector);
    if (!s) this.topics.set(connector, (s = new Set()));
    s.add(topic);
  }

  /** Writes records to one topic; applies them locally once acknowledged. */
  private async write(topic: string, records: { key: string; value: unknown | null }[]): Promise<void> {
    for (const r of records) { const pk = `${topic}\u0000${r.key}`; this.ownPending.set(pk, (this.ownPending.get(pk) ?? 0) + 1); }
    try {
      if (records.length) await this.log.send(records.map((r) => ({ topic, key: r.key, value: r.value === null ? null : JSON.stringify(r.value) })));
    } catch (e) {
      for (const r of records) { const pk = `${topic}\u0000${r.key}`; const n = (this.ownPending.get(pk) ?? 1) - 1; if (n <= 0) this.ownPending.delete(pk); else this.ownPending.set(pk, n); }
      throw e;
    }
    for (const r of records) this.applyRecord(topic, r.key, r.value);
  }

  // --- configs ---
  putConnectorConfig(name: string, config: Record<string, string>, target?: TargetState): Promise<void> {
    const recs: { key: string; value: unknown }[] = [{ key: `connector-${name}`, value: { properties: config } }];
    if (target) recs.push({ key: `target-state-${name}`, value: { state: target === 'STOPPED' ? 'PAUSED' : target, 'state.v2': target } });
    return this.write(this.configTopic, recs);
  }

  putTargetState(name: string, target: TargetState): Promise<void> {
    return this.write(this.configTopic, [{ key: `target-state-${name}`, value: { state: target === 'STOPPED' ? 'PAUSED' : target, 'state.v2': target } }]);
  }

  putTaskConfigs(name: string, tasks: Record<string, string>[]): Promise<void> {
    return this.write(this.configTopic, [
      ...tasks.map((t, i) => ({ key: `task-${name}-${i}`, value: { properties: t } })),
      { key: `commit-${name}`, value: { tasks: tasks.length } },
    ]);
  }

  removeConnector(name: string): Promise<void> {
    return this.write(this.configTopic, [{ key: `connector-${name}`, value: null }, { key: `target-state-${name}`, value: null }]);
  }

  // --- offsets ---
  offsetsOf(connector: string): { partition: Record<string, unknown>; offset: Record<string, unknown> }[] {
    return [...(this.offsets.get(connector)?.values() ?? [])];
  }

  offset(connector: string, partition: Record<string, unknown>): Record<string, unknown> | null {
    return this.offsets.get(connector)?.get(canonical(partition))?.offset ?? null;
  }

  putOffsets(connector: string, entries: { partition: Record<string, unknown>; offset: Record<string, unknown> | null }[]): Promise<void> {
    return this.write(this.offsetTopic, entries.map((e) => ({ key: JSON.stringify([connector, e.partition]), value: e.offset })));
  }

  // --- status ---
  putStatus(key: string, s: StatusRecord): Promise<void> {
    this.statuses.set(key, s);
    return this.write(this.statusTopic, [{ key, value: s }]);
  }

  deleteStatus(key: string): Promise<void> {
    this.statuses.delete(key);
    return this.write(this.statusTopic, [{ key, value: null }]);
  }

  activeTopics(connector: string): string[] { return [...(this.topics.get(connector) ?? [])].sort(); }

  async putActiveTopic(connector: string, topic: string, task: number): Promise<void> {
    if (this.topics.get(connector)?.has(topic)) return;
    this.addTopic(connector, topic);
    await this.write(this.statusTopic, [{ key: `topic-${topic}-${connector}`, value: { topic: { name: topic, connector, task, discoverTimestamp: Date.now() } } }]);
  }

  async resetActiveTopics(connector: string): Promise<void> {
    const ts = this.activeTopics(connector);
    this.topics.delete(connector);
    if (ts.length) await this.write(this.statusTopic, ts.map((t) => ({ key: `topic-${t}-${connector}`, value: null })));
  }
}
