// Owner-addressed commands over BullMQ: each worker consumes its own queue
// `ctl-<instance>`; a worker that needs the holder of a unit (restart a task, …)
// adds a job there and waits for its result through QueueEvents. BullMQ gives us
// the delivery, the result/failure round trip and cleanup; the caller's retry
// loop (ClusterCoordinator.runOnOwner) handles owners that move or die meanwhile.
import { Queue, QueueEvents, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';

/** The target did not answer in time (gone, busy, or cut off): try its successor. */
export class NoAnswer extends Error {}

export interface CommandJob { unit: string; payload: unknown }
export type CommandHandler = (unit: string, payload: unknown) => Promise<unknown>;

export class CommandChannel {
  private worker: Worker | null = null;
  private queues = new Map<string, { queue: Queue; events: QueueEvents }>();

  constructor(
    private readonly connection: ConnectionOptions,
    private readonly prefix: string,
    private readonly instance: string,
    private readonly handler: CommandHandler,
    private readonly logger: Logger,
  ) {}

  private queueName(instance: string) { return `ctl-${instance}`; }

  async start(): Promise<void> {
    this.worker = new Worker<CommandJob>(this.queueName(this.instance), async (job) => this.handler(job.data.unit, job.data.payload), {
      connection: this.connection, prefix: this.prefix, concurrency: 8,
    });
    this.quiet(this.worker);
    await this.worker.waitUntilReady();
  }

  private target(instance: string) {
    let t = this.queues.get(instance);
    if (!t) {
      const name = this.queueName(instance);
      t = { queue: this.quiet(new Queue(name, { connection: this.connection, prefix: this.prefix })), events: this.quiet(new QueueEvents(name, { connection: this.connection, prefix: this.prefix })) };
      this.queues.set(instance, t);
    }
    return t;
  }

  /** Runs the command on `instance`; rejects on the handler's error or after timeoutMs. */
  async send(instance: string, unit: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    const t = this.target(instance);
    const deadline = Date.now() + timeoutMs;
    const within = <T>(p: Promise<T>) => {
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([p, new Promise<T>((_r, j) => { timer = setTimeout(() => j(new NoAnswer(`no answer from worker ${instance} within ${timeoutMs} ms`)), Math.max(1, deadline - Date.now())); })]).finally(() => clearTimeout(timer));
    };
    await within(t.events.waitUntilReady());
    const job = await within(t.queue.add('command', { unit, payload }, { removeOnComplete: true, removeOnFail: true, attempts: 1 }));
    try {
      return await within(job.waitUntilFinished(t.events, timeoutMs));
    } catch (e) {
      if (!(e instanceof NoAnswer)) throw new Error(String((e as Error)?.message ?? e));
      // a job nobody took must not run later, after the caller retried elsewhere
      await job.remove().catch(() => undefined);
      throw e;
    }
  }

  /** Drops the queue of a member gone for good (its jobs can never run). */
  async forget(instance: string): Promise<void> {
    const t = this.queues.get(instance);
    this.queues.delete(instance);
    const q = t?.queue ?? this.quiet(new Queue(this.queueName(instance), { connection: this.connection, prefix: this.prefix }));
    await bounded(q.obliterate({ force: true }), 2000);
    await bounded(Promise.allSettled([q.close(), t?.events.close()]), 2000);
    await Promise.allSettled([q.disconnect(), t?.events.disconnect()]);
  }

  private quiet<T extends { on(e: 'error', f: (e: Error) => void): unknown }>(x: T): T {
    x.on('error', (e) => this.logger.debug({ err: e }, 'command channel error'));
    return x;
  }

  async close(opts: { obliterate: boolean }): Promise<void> {
    const own = this.worker;
    this.worker = null;
    const all = [...this.queues.values()].flatMap((t) => [t.queue, t.events]);
    this.queues.clear();
    // Redis may be unreachable: give a clean close a moment, then cut the connections
    await bounded(Promise.allSettled([own?.close(true), ...all.map((x) => x.close())]), 2000);
    await Promise.allSettled([own?.disconnect(), ...all.map((x) => x.disconnect())]);
    if (opts.obliterate) {
      const q = this.quiet(new Queue(this.queueName(this.instance), { connection: this.connection, prefix: this.prefix }));
      await bounded(q.obliterate({ force: true }), 2000);
      await bounded(q.close(), 1000);
      await q.disconnect().catch(() => undefined);
    }
  }
}

function bounded(p: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p.catch(() => undefined), new Promise((r) => { timer = setTimeout(r, ms); })]).finally(() => clearTimeout(timer));
}
