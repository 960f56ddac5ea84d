// Standby tasks (num.standby.replicas): an instance keeps a copy of another
// instance's persistent stores by following their changelog partitions, and writes
// a checkpoint (changelog offsets) as it goes. When the task moves to this instance
// (its owner left, or was killed), the standby hands over: its checkpoint makes the
// restore read only the changelog's tail.
import fs from 'node:fs';
import path from 'node:path';
import { PartitionReader } from '../../client/index.ts';
import type { StreamTask } from './task.ts';

export interface StandbyRuntime { task: StreamTask; dir: string; changelogs: Map<string, { topic: string; partition: number }> }

const tpk = (t: string, p: number) => `${t}:${p}`;
const CHECKPOINT_EVERY_MS = 1000;

export function readCheckpoint(dir: string): Record<string, number> {
  try { return JSON.parse(fs.readFileSync(path.join(dir, '.checkpoint'), 'utf8')); } catch { return {}; }
}

export class StandbyTasks {
  private readonly tasks = new Map<string, StandbyRuntime>();
  private readonly byTp = new Map<string, { id: string; store: string }>();
  /** changelog partition → the offset after the last record applied to the standby store */
  private readonly appliedTo = new Map<string, number>();
  private reader?: PartitionReader;
  private loop?: Promise<void>;
  private stopped = false;
  private lastCheckpoint = Date.now();
  /** changelog records applied by standbys (for tests and the bench) */
  applied = 0;

  constructor(private readonly o: { bootstrap: string[]; clientId: string; eos: boolean; build(id: string): StandbyRuntime | null; onError(e: Error): void }) {}

  ids(): string[] { return [...this.tasks.keys()].sort(); }

  /** Keeps exactly these standby tasks: stops (and checkpoints) the others, starts the new ones. */
  async set(want: Set<string>): Promise<void> {
    for (const id of [...this.tasks.keys()]) if (!want.has(id)) await this.stop(id);
    for (const id of want) if (!this.tasks.has(id)) await this.start(id);
    if (this.tasks.size && !this.loop && !this.stopped) this.loop = this.run().finally(() => { this.loop = undefined; });
  }

  /** Hands these tasks over to become active here: their stores are checkpointed and closed. */
  async release(ids: string[]): Promise<void> { for (const id of ids) if (this.tasks.has(id)) await this.stop(id); }

  private async start(id: string): Promise<void> {
    const rt = this.o.build(id);
    if (!rt || !rt.changelogs.size) return;
    const cp = readCheckpoint(rt.dir);
    const assign: Array<{ topic: string; partition: number; offset: number }> = [];
    for (const [store, tp] of rt.changelogs) {
      const st = rt.task.stores.get(store)! as unknown as { inner: { clear(): void } };
      let from = cp[tpk(tp.topic, tp.partition)];
      if (from === undefined) { st.inner.clear(); from = 0; }
      assign.push({ ...tp, offset: from });
      this.byTp.set(tpk(tp.topic, tp.partition), { id, store });
      this.appliedTo.set(tpk(tp.topic, tp.partition), from);
    }
    this.reader ??= new PartitionReader({ bootstrap: this.o.bootstrap, clientId: `${this.o.clientId}-standby`, isolation: this.o.eos ? 'read_committed' : 'read_uncommitted', maxWaitMs: 200, partitionMaxBytes: 8 << 20 });
    this.tasks.set(id, rt);
    await this.reader.assign(assign);
  }

  private async stop(id: string): Promise<void> {
    const rt = this.tasks.get(id);
    if (!rt) return;
    this.tasks.delete(id);
    const tps = [...rt.changelogs.values()];
    // no more batches for it, then what was applied is written and checkpointed, then the stores close
    this.reader?.unassign(tps);
    for (const tp of tps) this.byTp.delete(tpk(tp.topic, tp.partition));
    await this.checkpoint(rt);
    for (const tp of tps) this.appliedTo.delete(tpk(tp.topic, tp.partition));
    for (const s of rt.task.stores.values()) s.close();
  }

  private async checkpoint(rt: StandbyRuntime): Promise<void> {
    for (const s of rt.task.stores.values()) await (s as unknown as { restored?(): Promise<void> }).restored?.();
    const cp = readCheckpoint(rt.dir);
    for (const tp of rt.changelogs.values()) { const pos = this.appliedTo.get(tpk(tp.topic, tp.partition)); if (pos !== undefined) cp[tpk(tp.topic, tp.partition)] = pos; }
    fs.writeFileSync(path.join(rt.dir, '.checkpoint'), JSON.stringify(cp));
  }

  private async run(): Promise<void> {
    while (!this.stopped && this.tasks.size) {
      try {
        for (const b of await this.reader!.poll()) {
          const to = this.byTp.get(tpk(b.topic, b.partition));
          const rt = to && this.tasks.get(to.id);
          if (!to || !rt) continue; // handed over while this fetch was out
          const batch: Array<[Buffer, Buffer | null]> = [];
          for (const r of b.records) if (r.key) batch.push([r.key, r.value]);
          (rt.task.stores.get(to.store) as unknown as { restoreBatch(b: Array<[Buffer, Buffer | null]>): void }).restoreBatch(batch);
          this.applied += batch.length;
          this.appliedTo.set(tpk(b.topic, b.partition), b.nextOffset);
        }
        if (Date.now() - this.lastCheckpoint >= CHECKPOINT_EVERY_MS) {
          this.lastCheckpoint = Date.now();
          for (const rt of [...this.tasks.values()]) await this.checkpoint(rt);
        }
      } catch (e) {
        if (this.stopped) break;
        this.o.onError(e as Error);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.loop;
    for (const id of [...this.tasks.keys()]) await this.stop(id).catch(() => undefined);
    await this.reader?.close().catch(() => undefined);
  }
}
