// ClusterCoordinator: one per Connect worker in distributed mode. It keeps the
// worker's membership alive in Redis, holds leases on the units (connectors and
// tasks) this worker runs, renews them, takes free units up to its fair share and
// hands back what is above it, and tells the runtime to start or stop units.
//
// Safety: a unit runs only while its lease is provably ours. After each successful
// renewal sent at local time t0, the lease is valid locally until
// t0 + lease - clockMargin (Redis extended it to ≥ t0 + lease by its clock); the
// runtime's fence (isValid) closes then. Without a renewal, the unit is stopped
// starting at validUntil - stopTimeout, so it is down before Redis lets anyone
// else acquire it. The per-unit generation (Redis HINCRBY) fences what the old
// holder may still try to commit.
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import { plan, type ClusterView, type LeaseView } from './balance.ts';
import { ACQUIRE, LEAVE, RELEASE, RENEW, VERIFY, VIEW } from './scripts.ts';
import { CommandChannel, NoAnswer } from './command-channel.ts';

export type StopReason = 'rebalance' | 'removed' | 'lost' | 'unproven' | 'shutdown';

export interface UnitHandler {
  /** Start the unit; the generation is its fencing token. */
  start(unit: string, generation: number): Promise<void>;
  /** Stop it within stopTimeoutMs: flush/commit what the fence still allows. */
  stop(unit: string, generation: number, reason: StopReason): Promise<void>;
  /** Settles once the unit's stop really finished (stop() may return at the runtime's graceful timeout first). */
  stopped?(unit: string): Promise<void>;
  /** A command sent to this worker as the unit's holder (restart, …). */
  command?(unit: string, payload: unknown): Promise<unknown>;
}

export interface CoordinatorOptions {
  /** redis://[user:pass@]host:port[/db] */
  redis: string;
  /** Key prefix, e.g. "tributary" (tests use their own). */
  prefix?: string;
  groupId: string;
  /** What status shows as worker_id: host:port of this worker's REST listener. */
  workerId: string;
  /** This worker's REST base URL, registered for others. */
  url?: string;
  logger: Logger;
  handler: UnitHandler;
  leaseMs?: number;
  renewMs?: number;
  stopTimeoutMs?: number;
  clockMarginMs?: number;
  rebalanceMs?: number;
}

export interface MemberInfo { instance: string; workerId: string; url: string }
export interface UnitOwner { instance: string; workerId: string; url: string; generation: number }
export interface CoordinatorHealth { redis: 'up' | 'down'; since: number; error: string | null; members: number; units: number }

type Phase = 'starting' | 'running' | 'releasing' | 'abandoned' | 'lost';
interface Held {
  unit: string; generation: number; validUntil: number; phase: Phase; started: Promise<void>;
  /** Being stopped: the lease is still renewed (when Redis answers) so nobody starts the unit before it is down. */
  stopping?: boolean;
}

/** A bad distributed-worker setting; the CLI exits 2 with its message. */
export class CoordinatorConfigError extends Error {
  readonly exitCode = 2;
}

const mono = () => performance.now();

export class ClusterCoordinator {
  readonly instance = randomUUID();
  readonly leaseMs: number;
  readonly renewMs: number;
  readonly stopTimeoutMs: number;
  readonly clockMarginMs: number;
  readonly rebalanceMs: number;
  private readonly base: string;
  private readonly redis: Redis;
  private readonly sub: Redis;
  private readonly channel: CommandChannel;
  private readonly held = new Map<string, Held>();
  /** Units stopped without proof of the lease (Redis down): released once Redis answers. */
  private toRelease = new Map<string, number>();
  private desired: Set<string> | null = null;
  private members = new Map<string, MemberInfo>();
  private lastView: ClusterView | null = null;
  private timers: NodeJS.Timeout[] = [];
  private rebalanceTimer: NodeJS.Timeout | null = null;
  private suspectTimer: NodeJS.Timeout | null = null;
  private rebalancing: Promise<void> | null = null;
  private rebalanceAgain = false;
  private renewing = false;
  /** The epoch of Redis's Connect state this worker last saw ('' before the first renewal). */
  private epoch = '';
  private state: 'new' | 'running' | 'closing' | 'closed' | 'crashed' = 'new';
  private redisUp = true;
  private redisSince = Date.now();
  private redisError: string | null = null;
  private readonly log: Logger;
  private readonly pendingStops = new Set<Promise<void>>();

  constructor(private readonly o: CoordinatorOptions) {
    this.leaseMs = o.leaseMs ?? 10_000;
    this.renewMs = o.renewMs ?? Math.max(50, Math.floor(this.leaseMs / 5));
    this.stopTimeoutMs = o.stopTimeoutMs ?? Math.floor(this.leaseMs / 2);
    this.clockMarginMs = o.clockMarginMs ?? Math.max(20, Math.floor(this.leaseMs / 20));
    this.rebalanceMs = o.rebalanceMs ?? 1000;
    if (this.leaseMs < this.clockMarginMs + this.stopTimeoutMs + 2 * this.renewMs) {
      throw new CoordinatorConfigError(`lease ${this.leaseMs} ms must be at least clock margin ${this.clockMarginMs} + stop timeout ${this.stopTimeoutMs} + 2 × renew interval ${this.renewMs} ms`);
    }
    // one hash tag per group: every key a script touches sits in one Redis Cluster slot
    this.base = `${o.prefix ?? 'tributary'}:{${o.groupId}}`;
    this.log = o.logger.child({ module: 'connect-cluster', instance: this.instance });
    const common: RedisOptions = { lazyConnect: true, retryStrategy: () => Math.min(500, this.renewMs) };
    // no offline queue, bounded commands: a Redis outage shows up as failed renewals at once
    this.redis = new Redis(o.redis, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: Math.max(100, this.renewMs) });
    this.sub = new Redis(o.redis, { ...common });
    this.redis.on('error', (e) => this.log.debug({ err: e }, 'redis error'));
    this.sub.on('error', (e) => this.log.debug({ err: e }, 'redis subscriber error'));
    this.channel = new CommandChannel(bullConnection(o.redis), `${this.base}:bull`, this.instance, (unit, payload) => this.onCommand(unit, payload), this.log);
  }

  private key(k: string) { return `${this.base}:${k}`; }
  private get info() { return JSON.stringify({ workerId: this.o.workerId, url: this.o.url ?? '' }); }

  async start(): Promise<void> {
    try {
      await this.startUp();
    } catch (e) {
      this.state = 'closed';
      for (const t of this.timers) clearInterval(t);
      this.redis.disconnect();
      this.sub.disconnect();
      await withTimeout(this.channel.close({ obliterate: false }), 1000);
      throw new Error(`cannot join Connect cluster ${this.o.groupId} through Redis: ${(e as Error).message}`, { cause: e });
    }
  }

  private async startUp(): Promise<void> {
    await this.redis.connect();
    await this.sub.connect();
    await this.sub.subscribe(this.key('events'));
    this.sub.on('message', (_ch, msg) => { if (msg !== this.instance) this.scheduleRebalance(20); });
    await this.channel.start();
    this.state = 'running';
    await this.renew();
    await this.redis.publish(this.key('events'), this.instance).catch(() => undefined);
    this.timers.push(setInterval(() => void this.renew(), this.renewMs));
    this.timers.push(setInterval(() => this.watchdog(), Math.max(10, Math.min(100, Math.floor(this.renewMs / 2)))));
    this.timers.push(setInterval(() => this.scheduleRebalance(0), this.rebalanceMs));
    this.log.info({ group: this.o.groupId, workerId: this.o.workerId, leaseMs: this.leaseMs }, 'joined the Connect cluster');
  }

  /** The units (e.g. "task:orders:0") the configs call for; others are released. */
  setUnits(units: Iterable<string>): void {
    this.desired = new Set(units);
    this.scheduleRebalance(0);
  }

  /** Synchronous fence: true while this worker provably holds `unit` at `generation`. */
  isValid(unit: string, generation: number): boolean {
    const h = this.held.get(unit);
    return !!h && h.generation === generation && h.phase !== 'lost' && mono() < h.validUntil;
  }

  /** Asynchronous fence: asks Redis when it answers; otherwise the local proof. */
  async verify(unit: string, generation: number): Promise<boolean> {
    if (!this.isValid(unit, generation)) return false;
    try {
      const ok = await this.redis.eval(VERIFY, 1, this.key('leases'), this.instance, unit, String(generation));
      return ok === 1;
    } catch {
      return this.isValid(unit, generation);
    }
  }

  /** Units this worker holds, with their generations. */
  heldUnits(): Map<string, number> {
    return new Map([...this.held.values()].filter((h) => h.phase !== 'lost').map((h) => [h.unit, h.generation]));
  }

  health(): CoordinatorHealth {
    return { redis: this.redisUp ? 'up' : 'down', since: this.redisSince, error: this.redisError, members: this.members.size, units: this.held.size };
  }

  /** Who holds what, read from Redis now. */
  async owners(): Promise<Map<string, UnitOwner>> {
    const view = await this.readView();
    const out = new Map<string, UnitOwner>();
    for (const [unit, l] of view.leases) {
      const m = this.members.get(l.instance);
      out.set(unit, { instance: l.instance, workerId: m?.workerId ?? '', url: m?.url ?? '', generation: l.generation });
    }
    return out;
  }

  memberList(): MemberInfo[] { return [...this.members.values()]; }

  /**
   * Runs a command on the unit's current holder (this worker or another), retrying
   * while the unit is between holders or its holder does not answer, up to timeoutMs.
   */
  async runOnOwner(unit: string, payload: unknown, timeoutMs = 3 * this.leaseMs): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown = null;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      if (attempt) await sleep(Math.min(250, Math.max(20, this.renewMs)));
      const h = this.held.get(unit);
      if (h && (h.phase === 'starting' || h.phase === 'running')) return this.onCommand(unit, payload);
      let owner: UnitOwner | undefined;
      try { owner = (await this.owners()).get(unit); } catch (e) { last = e; continue; }
      if (!owner || owner.instance === this.instance) continue;
      try {
        return await this.channel.send(owner.instance, unit, payload, Math.max(1, Math.min(Math.max(2000, this.leaseMs), deadline - Date.now())));
      } catch (e) {
        last = e;
        // the holder changed or did not answer: ask the next one; the command's own failure is the answer
        if (!(e instanceof NoAnswer) && !(e as Error).message?.includes(NOT_HOLDER)) throw e;
      }
    }
    throw new Error(`no worker took the command for ${unit} within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
  }

  private async onCommand(unit: string, payload: unknown): Promise<unknown> {
    const h = this.held.get(unit);
    if (!h || (h.phase !== 'starting' && h.phase !== 'running')) throw new Error(`${NOT_HOLDER}: ${unit}`);
    await h.started;
    if (!this.o.handler.command) throw new Error('this worker takes no commands');
    return this.o.handler.command(unit, payload);
  }

  // --- Redis calls ---------------------------------------------------------

  private markUp() {
    if (this.redisUp) return;
    this.redisUp = true;
    this.redisSince = Date.now();
    this.redisError = null;
    this.log.warn('Redis reachable again: resuming lease renewals and assignment');
    this.scheduleRebalance(0);
  }

  private markDown(e: unknown) {
    this.redisError = (e as Error)?.message ?? String(e);
    if (!this.redisUp) return;
    this.redisUp = false;
    this.redisSince = Date.now();
    this.log.error({ err: e, units: this.held.size }, 'Redis unavailable: keeping held tasks while their leases are provably valid');
  }

  private async renew(): Promise<void> {
    if (this.renewing || this.state !== 'running' && this.state !== 'closing') return;
    this.renewing = true;
    const t0 = mono();
    const sent = [...this.held.values()].filter((h) => h.phase !== 'lost' && (h.phase !== 'abandoned' || h.stopping));
    try {
      const args = sent.flatMap((h) => [h.unit, String(h.generation)]);
      const res = (await this.redis.eval(RENEW, 5, this.key('members'), this.key('member-info'), this.key('leases'), this.key('generations'), this.key('epoch'),
        this.instance, String(this.leaseMs), this.info, this.epoch, randomUUID(), ...args)) as (string | number)[];
      this.markUp();
      const epoch = String(res[1]);
      if (this.epoch && epoch !== this.epoch) this.log.warn({ units: sent.length }, 'Redis lost its Connect state (restarted without persistence?): re-claimed the leases of running tasks; no new assignments for one lease');
      this.epoch = epoch;
      const lost = new Set(res.slice(2).map(String));
      for (const h of sent) {
        if (this.held.get(h.unit) !== h) continue;
        if (lost.has(h.unit)) this.lose(h, 'lost');
        else if (h.phase !== 'abandoned') h.validUntil = t0 + this.leaseMs - this.clockMarginMs;
      }
      if (this.toRelease.size) await this.releaseAbandoned();
    } catch (e) {
      this.markDown(e);
    } finally {
      this.renewing = false;
    }
  }

  private async releaseAbandoned() {
    const pairs = [...this.toRelease];
    await this.redis.eval(RELEASE, 1, this.key('leases'), this.instance, ...pairs.flatMap(([u, g]) => [u, String(g)]));
    for (const [u, g] of pairs) if (this.toRelease.get(u) === g) this.toRelease.delete(u);
    this.log.info({ units: pairs.map(([u]) => u) }, 'released leases of tasks stopped during the Redis outage');
  }

  private async readView(): Promise<ClusterView> {
    const res = (await this.redis.eval(VIEW, 3, this.key('members'), this.key('member-info'), this.key('leases'), String(Math.max(60_000, 6 * this.leaseMs)))) as string[];
    const now = Number(res[0]);
    const members = new Map<string, MemberInfo>();
    let i = 1;
    let silentUntil = Infinity;
    for (; i < res.length && res[i] !== ''; i += 3) {
      let info: { workerId?: string; url?: string } = {};
      try { info = JSON.parse(res[i + 1]); } catch { /* keep defaults */ }
      members.set(res[i], { instance: res[i], workerId: info.workerId ?? '', url: info.url ?? '' });
      // a member that missed two heartbeats may be dead: look again the moment its lease runs out
      const expires = Number(res[i + 2]);
      if (res[i] !== this.instance && expires - now < this.leaseMs - 2 * this.renewMs) silentUntil = Math.min(silentUntil, expires);
    }
    if (silentUntil !== Infinity && !this.suspectTimer && this.state === 'running') {
      this.suspectTimer = setTimeout(() => { this.suspectTimer = null; this.scheduleRebalance(0); }, Math.max(0, silentUntil - now + 5));
    }
    const leases = new Map<string, LeaseView>();
    for (i++; i + 1 < res.length && res[i] !== ''; i += 2) {
      const m = /^(.*)\|(\d+)\|(\d+)$/.exec(res[i + 1]);
      if (m) leases.set(res[i], { instance: m[1], generation: Number(m[2]), expires: Number(m[3]) });
    }
    for (i++; i < res.length; i++) void this.channel.forget(res[i]);
    this.members = members;
    const view = { now, members: [...members.keys()], leases };
    this.lastView = view;
    return view;
  }

  // --- assignment ------------------------------------------------------------

  private scheduleRebalance(delayMs: number) {
    if (this.state !== 'running') return;
    if (this.rebalancing) { this.rebalanceAgain = true; return; }
    if (this.rebalanceTimer) return;
    this.rebalanceTimer = setTimeout(() => {
      this.rebalanceTimer = null;
      this.rebalancing = this.rebalance().catch((e) => this.log.warn({ err: e }, 'rebalance failed')).finally(() => {
        this.rebalancing = null;
        if (this.rebalanceAgain) { this.rebalanceAgain = false; this.scheduleRebalance(0); }
      });
    }, delayMs);
  }

  private async rebalance(): Promise<void> {
    if (this.state !== 'running' || !this.desired) return;
    let view: ClusterView;
    try { view = await this.readView(); } catch (e) { this.markDown(e); return; }
    this.markUp();
    const mine = [...this.held.values()].filter((h) => h.phase === 'starting' || h.phase === 'running').map((h) => h.unit);
    const busy = new Set([...this.held.keys(), ...this.toRelease.keys()]);
    const p = plan(this.instance, view, this.desired, mine, busy);
    for (const unit of p.release) {
      const h = this.held.get(unit)!;
      this.handBack(h, this.desired.has(unit) ? 'rebalance' : 'removed');
    }
    if (p.acquire > 0 && p.candidates.length) await this.acquire(p.acquire, p.candidates);
  }

  private async acquire(max: number, candidates: string[]) {
    const t0 = mono();
    const res = (await this.redis.eval(ACQUIRE, 3, this.key('leases'), this.key('generations'), this.key('epoch'), this.instance, String(this.leaseMs), String(max), ...candidates)) as (string | number)[];
    const got: Held[] = [];
    for (let i = 1; i + 1 < res.length; i += 2) {
      const unit = String(res[i]);
      const h: Held = { unit, generation: Number(res[i + 1]), validUntil: t0 + this.leaseMs - this.clockMarginMs, phase: 'starting', started: Promise.resolve() };
      this.held.set(unit, h);
      got.push(h);
    }
    if (got.length) this.log.info({ units: got.map((h) => `${h.unit}@${h.generation}`) }, 'acquired');
    for (const h of got) {
      h.started = (async () => {
        try { await this.o.handler.start(h.unit, h.generation); }
        catch (e) { this.log.error({ err: e, unit: h.unit }, 'unit failed to start'); }
        if (h.phase === 'starting') h.phase = 'running';
      })();
    }
  }

  /** Graceful hand-over: stop while still renewing, then delete the lease and wake the others. */
  private handBack(h: Held, reason: StopReason): Promise<void> {
    if (h.phase === 'releasing') return Promise.resolve();
    h.phase = 'releasing';
    const p = (async () => {
      await this.stopUnit(h, reason);
      try {
        await this.redis.eval(RELEASE, 1, this.key('leases'), this.instance, h.unit, String(h.generation));
        await this.redis.publish(this.key('events'), this.instance);
      } catch (e) {
        // lease runs out by itself (or is released once Redis answers); the others take the unit then
        this.toRelease.set(h.unit, h.generation);
        this.log.warn({ err: e, unit: h.unit }, 'could not release lease');
      }
      if (this.held.get(h.unit) === h) this.held.delete(h.unit);
      this.log.info({ unit: h.unit, reason }, 'handed back');
      this.scheduleRebalance(0);
    })();
    this.track(p);
    return p;
  }

  /** The lease is gone (someone else holds it, or it expired): fence now, then stop. */
  private lose(h: Held, reason: 'lost' | 'unproven') {
    if (h.phase === 'lost' || h.phase === 'abandoned') return;
    const was = h.phase;
    h.phase = reason === 'lost' ? 'lost' : 'abandoned';
    if (reason === 'lost') h.validUntil = 0;
    this.log.warn({ unit: h.unit, generation: h.generation, reason, was }, reason === 'lost' ? 'lease lost: stopping the task' : 'lease can no longer be proven (Redis unreachable): stopping the task');
    const p = (async () => {
      if (was !== 'releasing') await this.stopUnit(h, reason);
      if (this.held.get(h.unit) === h) this.held.delete(h.unit);
      if (reason === 'unproven') this.toRelease.set(h.unit, h.generation);
    })();
    this.track(p);
  }

  /**
   * Stops the unit and returns once it is really down, renewing its lease meanwhile
   * (renew() sends units being stopped): releasing it, or letting it lapse, while the
   * old instance still runs would let another worker start a second one. A stop that
   * overruns its budget gets one more lease; past that the unit is given up (its
   * fence closed at validUntil, so it can no longer write or commit).
   */
  private async stopUnit(h: Held, reason: StopReason) {
    await h.started;
    h.stopping = true;
    let timer: NodeJS.Timeout | undefined;
    const down = this.o.handler.stop(h.unit, h.generation, reason).then(() => this.o.handler.stopped?.(h.unit)).then(() => 'ok' as const);
    const after = (ms: number) => new Promise<'timeout'>((r) => { clearTimeout(timer); timer = setTimeout(() => r('timeout'), ms); });
    try {
      if (await Promise.race([down, after(this.stopTimeoutMs)]) === 'timeout') {
        this.log.warn({ unit: h.unit }, `task did not stop within ${this.stopTimeoutMs} ms; keeping its lease while it stops (its fence closes with the proof it had)`);
        if (await Promise.race([down, after(this.leaseMs)]) === 'timeout') this.log.warn({ unit: h.unit }, `task still not stopped after ${this.stopTimeoutMs + this.leaseMs} ms; giving up its lease (the task is fenced)`);
      }
    } catch (e) {
      this.log.warn({ err: e, unit: h.unit }, 'task stop failed');
    } finally {
      clearTimeout(timer);
      h.stopping = false;
    }
  }

  private track(p: Promise<void>) {
    this.pendingStops.add(p);
    void p.finally(() => this.pendingStops.delete(p));
  }

  /** Stops units whose lease cannot be proven in time for a clean stop before expiry. */
  private watchdog() {
    const now = mono();
    for (const h of this.held.values()) {
      if ((h.phase === 'starting' || h.phase === 'running' || h.phase === 'releasing') && now >= h.validUntil - this.stopTimeoutMs) {
        // handBack releases it once the unit is down (or queues the release while Redis is away)
        if (h.phase === 'releasing') { h.phase = 'abandoned'; continue; }
        this.lose(h, 'unproven');
      }
    }
  }

  // --- shutdown --------------------------------------------------------------

  /** Graceful: stop every held unit, release the leases, leave the group. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const crashed = this.state === 'crashed';
    this.state = 'closing';
    if (this.rebalanceTimer) clearTimeout(this.rebalanceTimer);
    if (this.suspectTimer) clearTimeout(this.suspectTimer);
    await this.rebalancing;
    const live = [...this.held.values()].filter((h) => h.phase === 'starting' || h.phase === 'running');
    if (!crashed) await Promise.all(live.map((h) => this.handBack(h, 'shutdown')));
    // a crashed worker releases nothing; it only stops what still runs in this process
    else await Promise.all(live.map(async (h) => { h.phase = 'lost'; h.validUntil = 0; await this.stopUnit(h, 'shutdown'); this.held.delete(h.unit); }));
    await Promise.allSettled([...this.pendingStops]);
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (!crashed) {
      try {
        await this.redis.eval(LEAVE, 2, this.key('members'), this.key('member-info'), this.instance);
        await this.redis.publish(this.key('events'), this.instance);
      } catch (e) { this.log.warn({ err: e }, 'could not leave the cluster cleanly'); }
    }
    await withTimeout(this.channel.close({ obliterate: !crashed }), 2000);
    this.state = 'closed';
    this.redis.disconnect();
    this.sub.disconnect();
    this.log.info('left the Connect cluster');
  }

  /**
   * Test hook: behave like a worker cut off from Redis for good — no renewals, no
   * release, no rebalancing. The watchdog still stops units when their proof runs
   * out, exactly as a partitioned worker would.
   */
  crash(): void {
    this.state = 'crashed';
    for (const t of this.timers) clearInterval(t);
    this.timers = [setInterval(() => this.watchdog(), Math.max(10, Math.min(100, Math.floor(this.renewMs / 2))))];
    if (this.rebalanceTimer) clearTimeout(this.rebalanceTimer);
    if (this.suspectTimer) clearTimeout(this.suspectTimer);
    this.redis.disconnect();
    this.sub.disconnect();
    void withTimeout(this.channel.close({ obliterate: false }), 1000);
  }

  get lastClusterView(): ClusterView | null { return this.lastView; }
}

export const NOT_HOLDER = 'NOT_HOLDER';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const withTimeout = <T>(p: Promise<T>, ms: number) => Promise.race([p.catch(() => undefined), sleep(ms)]);

/** BullMQ connection options from a redis:// URL (BullMQ's workers need maxRetriesPerRequest null). */
export function bullConnection(url: string): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname && u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  } as ConnectionOptions;
}
