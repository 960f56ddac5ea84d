// Example third-party plugin: what "Writing a connector plugin" (../README.md) builds.
// - DatagenSourceConnector: deterministic fake orders or users (Struct records with a
//   schema), `max.records` per task, resumable: its offset {"generated": n} tells a
//   restarted task where to go on, so nothing is produced twice.
import {
  ConfigDef, SourceConnector, SourceTask, Validators, definePlugin, S,
  type Props, type Schema, type SourceRecord, type SourceTaskContext,
} from '../sdk/index.ts';

const VERSION = '1.0.0';

// ------------------------------------------------------------------ source

const ORDER: Schema = S.struct('example.datagen.Order', { id: S.int64(), customer: S.string(), amount: S.float64(), status: S.string() });
const KEY: Schema = S.int64();
const USER: Schema = S.struct('example.datagen.User', { id: S.int64(), name: S.string(), email: S.string(true), registered_at: S.int64() });

function datagenConfig(): ConfigDef {
  return new ConfigDef()
    .define({ name: 'topic', type: 'STRING', importance: 'HIGH', documentation: 'Topic to write generated records to.', group: 'Datagen', orderInGroup: 1, width: 'LONG', displayName: 'Topic', validator: Validators.nonEmptyString() })
    .define({ name: 'quickstart', type: 'STRING', default: 'orders', importance: 'HIGH', validator: Validators.oneOf('orders', 'users'), recommendedValues: ['orders', 'users'], documentation: 'Which kind of records to generate.', group: 'Datagen', orderInGroup: 2, width: 'SHORT', displayName: 'Quickstart' })
    .define({ name: 'max.records', type: 'LONG', default: 0, validator: Validators.range(0, null), importance: 'MEDIUM', documentation: 'Records to generate per task; 0 = no limit.', group: 'Datagen', orderInGroup: 3, width: 'SHORT', displayName: 'Max records' })
    .define({ name: 'batch.size', type: 'INT', default: 100, validator: Validators.range(1, 100000), importance: 'LOW', documentation: 'Records per poll().', group: 'Datagen', orderInGroup: 4, width: 'SHORT', displayName: 'Batch size' })
    .define({ name: 'interval.ms', type: 'LONG', default: 0, validator: Validators.range(0, null), importance: 'LOW', documentation: 'Pause between polls.', group: 'Datagen', orderInGroup: 5, width: 'SHORT', displayName: 'Interval (ms)' })
    .define({ name: 'seed', type: 'LONG', default: 42, importance: 'LOW', documentation: 'Seed: the same seed gives the same records.', group: 'Datagen', orderInGroup: 6, width: 'SHORT', displayName: 'Seed' });
}

export class DatagenSourceConnector extends SourceConnector {
  private props: Props = {};
  version() { return VERSION; }
  config() { return datagenConfig(); }
  start(props: Props) { this.props = props; }
  taskConfigs(maxTasks: number): Props[] {
    // each task generates its own id range: task i makes ids i, i + maxTasks, …
    return Array.from({ length: maxTasks }, (_, i) => ({ ...this.props, 'task.index': String(i), 'task.count': String(maxTasks) }));
  }
  stop() {}
  taskClass() { return DatagenSourceTask; }
  /** Its offset {"generated": n} alone says where to go on: exactly-once capable (KIP-618). */
  exactlyOnceSupport() { return 'SUPPORTED' as const; }
}

/** A small deterministic PRNG (mulberry32): the same seed and position give the same record. */
function rand(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ['ada', 'grace', 'linus', 'barbara', 'ken', 'margaret', 'dennis', 'radia'];
const STATUSES = ['NEW', 'PAID', 'SHIPPED', 'CANCELLED'];

export class DatagenSourceTask extends SourceTask {
  private cfg: Record<string, unknown> = {};
  private generated = 0;
  private index = 0;
  private count = 1;
  private partition: Record<string, unknown> = {};
  private ctx!: SourceTaskContext;

  version() { return VERSION; }

  async start(props: Props, ctx: SourceTaskContext) {
    this.ctx = ctx;
    this.cfg = datagenConfig().parse(props);
    this.index = Number(props['task.index'] ?? 0);
    this.count = Number(props['task.count'] ?? 1);
    this.partition = { task: this.index };
    const committed = await ctx.offsetStorageReader.offset(this.partition);
    this.generated = typeof committed?.generated === 'number' ? committed.generated : 0;
  }

  private make(n: number): SourceRecord {
    const id = n * this.count + this.index;
    const r = rand(Number(this.cfg.seed) * 1000003 + id);
    const name = NAMES[Math.floor(r() * NAMES.length)];
    const users = this.cfg.quickstart === 'users';
    const value = users
      ? { id, name, email: r() < 0.8 ? `${name}${id}@example.com` : null, registered_at: 1700000000000 + id * 1000 }
      : { id, customer: name, amount: Math.round(r() * 100000) / 100, status: STATUSES[Math.floor(r() * STATUSES.length)] };
    return {
      sourcePartition: this.partition,
      sourceOffset: { generated: n + 1 },
      topic: String(this.cfg.topic),
      keySchema: KEY, key: id,
      valueSchema: users ? USER : ORDER, value,
      timestamp: 1700000000000 + id * 1000,
    };
  }

  async poll(): Promise<SourceRecord[] | null> {
    const max = Number(this.cfg['max.records']);
    const interval = Number(this.cfg['interval.ms']);
    if (interval) await new Promise((r) => setTimeout(r, interval));
    const left = max ? max - this.generated : Infinity;
    if (left <= 0) { await new Promise((r) => setTimeout(r, 100)); return null; }
    const n = Math.min(Number(this.cfg['batch.size']), left);
    const out = Array.from({ length: n }, (_, i) => this.make(this.generated + i));
    this.generated += n;
    // optional: shown by GET /connectors/{name}/metrics
    this.ctx.reportProgress?.({ generated: this.generated, max_records: max || null });
    return out;
  }

  stop() {}
}

export default definePlugin({
  name: 'example-datagen',
  version: VERSION,
  description: 'Example plugin: a deterministic data generator source.',
  connectors: {
    'com.example.datagen.DatagenSourceConnector': DatagenSourceConnector,
  },
});
