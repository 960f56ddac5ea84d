// Keeps, on a timer, the history no single Kafka call returns: each consumer group's
// total lag, the cluster's produce / consume rates and each connector's record rate.
// They come from the same /metrics Prometheus scrapes (the brokers' admin ports and
// Connect's), computed as Grafana's panels compute them, so the UI and a dashboard
// never disagree. When no broker serves /metrics (a Kafka without Tributary's admin
// port), the sampler falls back to reading offsets over the Kafka protocol and says so.
// The lag history survives restarts in <dataDir>/ui/lag-history.json.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ConnectorRatePoint, LagPoint, MetadataStoreStatus, MetricsSourceInfo, RatePoint } from '../../shared/api-types.ts';
import type { KafkaGateway } from '../kafka/gateway.ts';
import { isInternalTopic, topicOffsets } from './cluster.ts';
import { groupLag, listGroupIds, type HighCache } from './groups.ts';
import { MetricSet, parsePrometheusText } from './prom-text.ts';

export interface SamplerOptions {
  intervalMs: number;
  /** Points kept per series. */
  keep: number;
  dataDir?: string;
  /** The brokers' admin base URLs (`http://host:9644`); default: every broker's host on port 9644, as Redpanda Console assumes. */
  brokerAdminUrls?: string[];
  /** Connect's REST URL: its /metrics gives the connector rates. */
  connectUrl?: string | null;
  /** "user:password" for Connect's basic auth (ui.connect.basic.auth.user.info) */
  connectUserInfo?: string | null;
}

/** The Kafka Connect metrics one connector's throughput is read from (records the broker or the sink acknowledged). */
export const CONNECTOR_RECORD_METRICS = ['kafka_connect_source_task_source_record_write_total', 'kafka_connect_sink_task_sink_record_send_total'];

const SCRAPE_TIMEOUT_MS = 3000;

/** A counter's increase between two scrapes, as PromQL's increase(): a smaller value is a restart from 0. */
function increase(now: Map<string, number>, before: Map<string, number>): number {
  let d = 0;
  for (const [k, v] of now) {
    const b = before.get(k);
    if (b === undefined) continue; // a new series is not a burst
    d += v >= b ? v - b : v;
  }
  return d;
}

/**
 * The metadata store's state from the brokers' `tributary_cluster_metadata_store_*` gauges
 * (cluster mode only; labelled with node_id, and with instance by the scrape); null when
 * no broker exports them.
 */
export function metadataStoreOf(m: MetricSet, sampledAt: number): MetadataStoreStatus | null {
  const up = m.get('tributary_cluster_metadata_store_up');
  if (!up.length) return null;
  const since = new Map(m.get('tributary_cluster_metadata_store_unreachable_since_timestamp_seconds').map((s) => [`${s.labels.instance}\0${s.labels.node_id}`, s.value]));
  const brokers = up.map((s) => {
    const reachable = s.value === 1;
    const at = since.get(`${s.labels.instance}\0${s.labels.node_id}`);
    return { nodeId: Number(s.labels.node_id), reachable, unreachableSince: !reachable && at ? Math.round(at * 1000) : null, adminUrl: s.labels.instance };
  }).sort((a, b) => a.nodeId - b.nodeId);
  const down = brokers.filter((b) => !b.reachable);
  const firsts = down.map((b) => b.unreachableSince).filter((x): x is number => x !== null);
  return {
    state: down.length ? 'unreachable' : 'reachable',
    unreachableSince: firsts.length ? Math.min(...firsts) : null,
    unreachableBrokers: down.map((b) => b.nodeId),
    brokers, sampledAt,
  };
}

export class Samplers {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  readonly lag = new Map<string, LagPoint[]>();
  readonly throughput: RatePoint[] = [];
  readonly connectorRates = new Map<string, ConnectorRatePoint[]>();
  /** messages in per second per topic */
  readonly topicRates = new Map<string, ConnectorRatePoint[]>();
  /** Where the last sample came from. */
  source: MetricsSourceInfo = { kind: 'none', urls: [] };
  /** kafka_consumergroup_lag_seconds at the last scrape: group → `topic\0partition` → seconds */
  readonly lagSeconds = new Map<string, Map<string, number>>();
  /** Σ kafka_server_brokertopicmetrics_messagesin_total over non-internal topics at the last scrape. */
  messagesIn: number | null = null;
  /** The cluster's metadata store as the brokers' /metrics said at the last scrape; null on a single node or without /metrics. */
  metadataStore: MetadataStoreStatus | null = null;
  private last?: { t: number; produced: Map<string, number>; consumed: Map<string, number>; fromMetrics: boolean };
  private lastConnect?: { t: number; byConnector: Map<string, Map<string, number>> };
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

  /** The admin URLs to scrape: as configured, else each broker's host on 9644. */
  async brokerAdminUrls(): Promise<string[]> {
    if (this.opts.brokerAdminUrls?.length) return this.opts.brokerAdminUrls.map((u) => u.replace(/\/+$/, ''));
    const c = await this.gw.withAdmin('describing the cluster', (a) => a.describeCluster());
    return c.brokers.map((b) => `http://${b.host.includes(':') ? `[${b.host}]` : b.host}:9644`);
  }

  /** Every series of the given /metrics endpoints, each labelled with `instance` (its URL) as Prometheus would. */
  static async scrape(urls: string[], userInfo?: string | null): Promise<{ set: MetricSet; ok: string[]; errors: string[] }> {
    const headers: Record<string, string> = userInfo ? { authorization: 'Basic ' + Buffer.from(userInfo, 'utf8').toString('base64') } : {};
    const set = new MetricSet();
    const ok: string[] = []; const errors: string[] = [];
    await Promise.all(urls.map(async (u) => {
      try {
        const res = await fetch(`${u}/metrics`, { headers, signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        set.add(parsePrometheusText(await res.text()).map((s) => ({ ...s, labels: { ...s.labels, instance: u } })));
        ok.push(u);
      } catch (e) {
        const err = e as Error & { cause?: { code?: string; message?: string } };
        errors.push(`${u}/metrics: ${err.name === 'TimeoutError' ? `no answer within ${SCRAPE_TIMEOUT_MS} ms` : err.cause?.code ?? err.cause?.message ?? err.message}`);
      }
    }));
    return { set, ok, errors };
  }

  async sample(): Promise<void> {
    const t = Date.now();
    let urls: string[] = [];
    try { urls = await this.brokerAdminUrls(); } catch { /* the broker is down: nothing to sample either way */ }
    const scraped = urls.length ? await Samplers.scrape(urls) : null;
    if (scraped && scraped.ok.length) {
      this.fromMetrics(t, scraped.set);
      this.source = { kind: 'metrics', urls: scraped.ok, ...(scraped.errors.length ? { error: scraped.errors.join('; ') } : {}) };
    } else {
      await this.fromOffsets(t);
      this.messagesIn = null;
      this.metadataStore = null;
      this.lagSeconds.clear();
      this.source = { kind: 'offsets', urls, error: scraped?.errors.join('; ') || 'no broker admin URL known' };
    }
    if (this.opts.connectUrl) await this.sampleConnect(t);
  }

  /** The same series Grafana's panels read: messages in, committed offsets and lag. */
  private fromMetrics(t: number, m: MetricSet): void {
    const produced = new Map<string, number>();
    let total = 0;
    for (const s of m.get('kafka_server_brokertopicmetrics_messagesin_total')) {
      if (isInternalTopic(s.labels.topic ?? '')) continue;
      produced.set(`${s.labels.instance}\0${s.labels.topic}`, s.value);
      total += s.value;
    }
    this.messagesIn = total;
    this.metadataStore = metadataStoreOf(m, t);
    const consumed = new Map<string, number>();
    for (const s of m.get('kafka_consumergroup_current_offset')) consumed.set(`${s.labels.consumergroup}\0${s.labels.topic}\0${s.labels.partition}`, s.value);
    for (const [group, lag] of m.sumBy('kafka_consumergroup_lag', 'consumergroup')) {
      const series = this.lag.get(group) ?? [];
      this.push(series, { t, lag });
      this.lag.set(group, series);
    }
    this.lagSeconds.clear();
    for (const s of m.get('kafka_consumergroup_lag_seconds')) {
      let g = this.lagSeconds.get(s.labels.consumergroup);
      if (!g) { g = new Map(); this.lagSeconds.set(s.labels.consumergroup, g); }
      g.set(`${s.labels.topic}\0${s.labels.partition}`, s.value);
    }
    this.rates(t, produced, consumed, true, (k) => k.split('\0')[1]);
  }

  /** Without /metrics: high-water marks and committed offsets over the Kafka protocol. */
  private async fromOffsets(t: number): Promise<void> {
    const cache: HighCache = new Map();
    const groups = await listGroupIds(this.gw);
    const consumed = new Map<string, number>();
    for (const g of groups) {
      const lag = await groupLag(this.gw, g.groupId, cache).catch(() => null);
      if (!lag) continue;
      const series = this.lag.get(g.groupId) ?? [];
      this.push(series, { t, lag: lag.reduce((x, l) => x + l.lag, 0) });
      this.lag.set(g.groupId, series);
      for (const l of lag) if (l.committed !== null) consumed.set(`${g.groupId}\0${l.topic}\0${l.partition}`, Number(l.committed));
    }
    const topics = (await this.gw.withAdmin('listing topics', (a) => a.listTopics(true))).filter((n) => !isInternalTopic(n));
    const produced = new Map<string, number>();
    for (const name of topics) {
      const offs = await (cache.get(name) ?? topicOffsets(this.gw, name).catch(() => []));
      for (const o of offs) produced.set(`${name}\0${o.partition}`, Number(o.high));
    }
    this.rates(t, produced, consumed, false, (k) => k.split('\0')[0]);
  }

  /** `topicOf` names the topic of a key of `produced` (its keys differ by source). */
  private rates(t: number, produced: Map<string, number>, consumed: Map<string, number>, fromMetrics: boolean, topicOf: (key: string) => string): void {
    // a switch between sources is a new baseline, not a jump
    if (this.last && this.last.fromMetrics === fromMetrics) {
      const dt = (t - this.last.t) / 1000;
      // committed offsets move back on a reset; only forward moves are consumption
      let back = 0;
      for (const [k, v] of consumed) { const b = this.last.consumed.get(k); if (b !== undefined && v > b) back += v - b; }
      this.push(this.throughput, { t, produced: increase(produced, this.last.produced) / dt, consumed: back / dt });
      const byTopic = new Map<string, number>();
      for (const [k, v] of produced) {
        const b = this.last.produced.get(k);
        if (b === undefined) continue;
        const topic = topicOf(k);
        byTopic.set(topic, (byTopic.get(topic) ?? 0) + (v >= b ? v - b : v));
      }
      for (const [topic, d] of byTopic) {
        const series = this.topicRates.get(topic) ?? [];
        this.push(series, { t, rate: d / dt });
        this.topicRates.set(topic, series);
      }
      for (const topic of this.topicRates.keys()) if (!byTopic.has(topic)) this.topicRates.delete(topic);
    }
    this.last = { t, produced, consumed, fromMetrics };
  }

  /** Per connector: records written by its source tasks or sent by its sink tasks, per second. */
  private async sampleConnect(t: number): Promise<void> {
    const { set, ok } = await Samplers.scrape([this.opts.connectUrl!.replace(/\/+$/, '')], this.opts.connectUserInfo);
    if (!ok.length) return;
    const byConnector = new Map<string, Map<string, number>>();
    for (const name of CONNECTOR_RECORD_METRICS) for (const s of set.get(name)) {
      let m = byConnector.get(s.labels.connector);
      if (!m) { m = new Map(); byConnector.set(s.labels.connector, m); }
      m.set(`${name}\0${s.labels.task}`, s.value);
    }
    if (this.lastConnect) {
      const dt = (t - this.lastConnect.t) / 1000;
      for (const [c, now] of byConnector) {
        const before = this.lastConnect.byConnector.get(c);
        if (!before) continue;
        const series = this.connectorRates.get(c) ?? [];
        this.push(series, { t, rate: increase(now, before) / dt });
        this.connectorRates.set(c, series);
      }
      for (const c of this.connectorRates.keys()) if (!byConnector.has(c)) this.connectorRates.delete(c);
    }
    this.lastConnect = { t, byConnector };
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
