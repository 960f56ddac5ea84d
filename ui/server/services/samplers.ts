// Samples, on a timer, each consumer group's total lag and the cluster's produce /
// consume counts, so the UI can chart history no single Kafka call returns. The
// lag history survives restarts in <dataDir>/ui/lag-history.json when a data dir
// is given.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { LagPoint, RatePoint } from '../../shared/api-types.ts';
import type { KafkaGateway } from '../kafka/gateway.ts';
import { isInternalTopic, topicOffsets } from './cluster.ts';
import { groupLag, listGroupIds, type HighCache } from './groups.ts';

export interface SamplerOptions {
  intervalMs: number;
  /** Points kept per series. */
  keep: number;
  dataDir?: string;
}

export class Samplers {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  readonly lag = new Map<string, LagPoint[]>();
  readonly throughput: RatePoint[] = [];
  private last?: { t: number; produced: Map<string, bigint>; consumed: Map<string, bigint> };
  private readonly file?: string;

  constructor(private readonly gw: KafkaGateway, private readonly logger: Logger, readonly opts: SamplerOptions) {
    if (opts.dataDir) {
      this.file = path.join(opts.dataDir, 'ui', 'lag-history.json');
      try {
        const saved = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, LagPoint[]>;
        for (const [g, pts] of Object.entries(saved)) this.lag.set(g, pts.slice(-opts.keep));
      } catch { /* first start */ }
    }
  }

  start(): void {
    const tick = () => {
      this.running = this.sample().catch((e) => this.logger.debug({ err: e }, 'sampling failed')).finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.opts.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  private push<T>(arr: T[], v: T): void {
    arr.push(v);
    if (arr.length > this.opts.keep) arr.splice(0, arr.length - this.opts.keep);
  }

  async sample(): Promise<void> {
    const t = Date.now();
    const cache: HighCache = new Map();
    const groups = await listGroupIds(this.gw);
    const consumed = new Map<string, bigint>();
    for (const g of groups) {
      const lag = await groupLag(this.gw, g.groupId, cache).catch(() => null);
      if (!lag) continue;
      const series = this.lag.get(g.groupId) ?? [];
      this.push(series, { t, lag: lag.reduce((x, l) => x + l.lag, 0) });
      this.lag.set(g.groupId, series);
      for (const l of lag) if (l.committed !== null) consumed.set(`${g.groupId}\0${l.topic}\0${l.partition}`, BigInt(l.committed));
    }
    const topics = (await this.gw.withAdmin('listing topics', (a) => a.listTopics(true))).filter((n) => !isInternalTopic(n));
    const produced = new Map<string, bigint>();
    for (const name of topics) {
      const offs = await (cache.get(name) ?? topicOffsets(this.gw, name).catch(() => []));
      for (const o of offs) produced.set(`${name}\0${o.partition}`, BigInt(o.high));
    }
    if (this.last) {
      const dt = (t - this.last.t) / 1000;
      // Only positions seen in both samples count: a new group or topic is not a burst.
      const rate = (now: Map<string, bigint>, before: Map<string, bigint>) => {
        let d = 0n;
        for (const [k, v] of now) { const b = before.get(k); if (b !== undefined && v > b) d += v - b; }
        return Number(d) / dt;
      };
      this.push(this.throughput, { t, produced: rate(produced, this.last.produced), consumed: rate(consumed, this.last.consumed) });
    }
    this.last = { t, produced, consumed };
  }

  async stop(): Promise<void> {
    const timer = this.timer;
    this.timer = undefined;
    if (timer) clearTimeout(timer);
    await this.running;
    if (this.file) {
      try {
        fs.mkdirSync(path.dirname(this.file), { recursive: true });
        fs.writeFileSync(this.file, JSON.stringify(Object.fromEntries(this.lag)));
      } catch (e) {
        this.logger.warn({ err: e }, 'could not save lag history');
      }
    }
  }
}
