// tributary partitions reassign|list-reassignments|elect-leaders — Kafka's
// AlterPartitionReassignments / ListPartitionReassignments / ElectLeaders, with
// Kafka's reassignment JSON (kafka-reassign-partitions.sh) as the plan format.
import fs from 'node:fs';
import { ClusterAdmin, type PartitionOutcome } from '../../client/admin-cluster.ts';
import { ERROR_NAME_BY_CODE } from '../../server/errors.ts';
import { UsageError } from '../errors.ts';
import { CommandError, EXIT, print, runAdminCommand, type Parsed } from './common.ts';
import { parseKafkaPlan } from './cluster-plan.ts';

const HELP = `usage: tributary partitions <reassign|list-reassignments|elect-leaders> [options]

  reassign --plan FILE [--cancel] [--no-wait] [--max-moves N] [--timeout-ms N]
      move partitions to the replica lists in FILE (Kafka's reassignment JSON:
      {"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[2,3]}]},
      preferred leader first); new replicas catch up before old ones leave. Waits until
      every move is done (progress on stderr), then elects the preferred leaders.
      --max-moves N copies at most N partitions at a time (the rest follow as they finish).
      --cancel stops the reassignments of the partitions in FILE.
  list-reassignments            reassignments in progress (replicas, adding, removing)
  elect-leaders [--topic T [--partition P]]   preferred replicas lead again (all partitions by default)

example:
  tributary partitions reassign --bootstrap localhost:9091 --plan move.json`;

const FLAGS = { '--plan': { value: true }, '--cancel': {}, '--no-wait': {}, '--max-moves': { value: true }, '--timeout-ms': { value: true }, '--topic': { value: true }, '--partition': { value: true } };

export async function run(argv: string[]): Promise<void> {
  await runAdminCommand(argv, {
    command: 'partitions', flags: FLAGS, help: HELP, args: false,
    subcommands: { reassign, 'list-reassignments': list, 'elect-leaders': elect },
  });
}

const errName = (o: PartitionOutcome) => (o.errorCode ? ERROR_NAME_BY_CODE.get(o.errorCode) ?? `error ${o.errorCode}` : 'OK');

async function reassign(p: Parsed, admin: ClusterAdmin): Promise<void> {
  const file = p.get('--plan');
  if (!file) throw new UsageError('reassign needs --plan FILE (Kafka\'s reassignment JSON)');
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) { throw new UsageError(`cannot read --plan ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  let moves: { topic: string; partition: number; replicas: number[] }[];
  try { moves = parseKafkaPlan(text, file); } catch (e) { throw new UsageError((e as Error).message); }
  const timeoutMs = p.int('--timeout-ms') ?? 3_600_000;
  if (p.has('--cancel')) {
    const out = await admin.alterPartitionReassignments(moves.map((m) => ({ ...m, replicas: null })));
    report(p, out);
    return;
  }
  await applyMoves(p, admin, moves, { wait: !p.has('--no-wait'), timeoutMs, maxMoves: p.int('--max-moves') });
}

function report(p: Parsed, out: PartitionOutcome[]): void {
  print(p, out.map((o) => ({ topic: o.topic, partition: o.partition, result: errName(o), message: o.errorMessage ?? '' })), ['topic', 'partition', 'result', 'message']);
  const failed = out.filter((o) => o.errorCode);
  if (failed.length) throw new CommandError(`${failed.length} of ${out.length} partition(s) refused: ${failed.map((o) => `${o.topic}-${o.partition} ${errName(o)}`).join(', ')}`, EXIT.FAILED);
}

/**
 * Submits the moves, then (with `wait`) polls ListPartitionReassignments until none
 * of them is in progress, reporting how many are left, and elects the preferred
 * leaders. `maxMoves` bounds how many partitions copy data at once (the next ones are
 * submitted as earlier ones finish), so a large plan does not take all the
 * brokers' bandwidth from clients.
 */
export async function applyMoves(p: Parsed, admin: ClusterAdmin, moves: { topic: string; partition: number; replicas: number[] }[], o: { wait: boolean; timeoutMs: number; maxMoves?: number }): Promise<void> {
  if (!moves.length) { process.stdout.write('nothing to move\n'); return; }
  const batch = o.wait && o.maxMoves && o.maxMoves > 0 ? o.maxMoves : moves.length;
  const key = (m: { topic: string; partition: number }) => `${m.topic}-${m.partition}`;
  const queue = [...moves];
  const active = new Set<string>();
  const submit = async (n: number) => {
    const next = queue.splice(0, n);
    if (!next.length) return;
    const out = await admin.alterPartitionReassignments(next);
    if (out.some((x) => x.errorCode)) report(p, out);
    for (const m of next) active.add(key(m));
  };
  await submit(batch);
  process.stderr.write(`reassigning ${moves.length} partition(s)${batch < moves.length ? `, at most ${batch} at a time` : ''}\n`);
  if (!o.wait) return;
  const deadline = Date.now() + o.timeoutMs;
  let last = '';
  for (;;) {
    const inProgress = await admin.listPartitionReassignments();
    if (inProgress === null) throw new CommandError('the broker does not offer ListPartitionReassignments; cannot follow the moves', EXIT.FAILED);
    const still = new Set(inProgress.map(key));
    for (const k of [...active]) if (!still.has(k)) active.delete(k);
    await submit(batch - active.size);
    const left = inProgress.filter((r) => active.has(key(r)));
    const done = moves.length - queue.length - active.size;
    const line = `${done}/${moves.length} done${left.length ? `; waiting for ${left.slice(0, 3).map((r) => `${r.topic}-${r.partition} (adding ${r.adding.join(',')})`).join(', ')}${left.length > 3 ? ', …' : ''} to join the ISR` : ''}`;
    if (line !== last) { process.stderr.write(line + '\n'); last = line; }
    if (!active.size && !queue.length) break;
    if (Date.now() > deadline) throw new CommandError(`timed out after ${o.timeoutMs} ms with ${active.size + queue.length} reassignment(s) not done (those submitted continue; see partitions list-reassignments)`, EXIT.FAILED);
    await new Promise((r) => setTimeout(r, 500));
  }
  // New preferred leaders take over (a moved-away leader was replaced already; a reordered one waits for this).
  const elected = await admin.electLeaders(moves.map((m) => ({ topic: m.topic, partition: m.partition })));
  const moved = elected.filter((e) => e.errorCode === 0).length;
  process.stderr.write(`done: ${moves.length} partition(s) on their new replicas; ${moved} leader(s) moved to the preferred replica\n`);
  if (p.json) print(p, [], undefined, { moved: moves.length, leadersElected: moved });
}

async function list(p: Parsed, admin: ClusterAdmin): Promise<void> {
  const l = await admin.listPartitionReassignments();
  if (l === null) throw new CommandError('the broker does not offer ListPartitionReassignments', EXIT.FAILED);
  print(p, l.map((r) => ({ topic: r.topic, partition: r.partition, replicas: r.replicas.join(','), adding: r.adding.join(','), removing: r.removing.join(',') })), ['topic', 'partition', 'replicas', 'adding', 'removing'], l);
}

async function elect(p: Parsed, admin: ClusterAdmin): Promise<void> {
  const topic = p.get('--topic');
  const partition = p.int('--partition');
  if (partition !== undefined && !topic) throw new UsageError('--partition needs --topic');
  let which: { topic: string; partition: number }[] | null = null;
  if (topic) {
    const [t] = await admin.describeTopics([topic]);
    if (!t) throw new CommandError(`topic ${topic} does not exist`, EXIT.NOT_FOUND);
    which = t.partitions.filter((x) => partition === undefined || x.partition === partition).map((x) => ({ topic, partition: x.partition }));
    if (!which.length) throw new CommandError(`topic ${topic} has no partition ${partition}`, EXIT.NOT_FOUND);
  }
  const out = await admin.electLeaders(which);
  print(p, out.map((o) => ({ topic: o.topic, partition: o.partition, result: errName(o), message: o.errorMessage ?? '' })), ['topic', 'partition', 'result', 'message'], out);
}
