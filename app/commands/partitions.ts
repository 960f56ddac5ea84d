// tributary partitions reassign|list-reassignments|elect-leaders — Kafka's
// AlterPartitionReassignments / ListPartitionReassignments / ElectLeaders, with
// Kafka's reassignment JSON (kafka-reassign-partitions.sh) as the plan format.
import fs from 'node:fs';
import { ClusterAdmin, type PartitionOutcome } from '../../client/admin-cluster.ts';
import { ERROR_NAME_BY_CODE } from '../../server/errors.ts';
import { UsageError } from '../errors.ts';
import { CommandError, EXIT, print, runAdminCommand, type Parsed } from './common.ts';
import { parseKafkaPlan, planThrottles } from './cluster-plan.ts';

const HELP = `usage: tributary partitions <reassign|list-reassignments|elect-leaders> [options]

  reassign --plan FILE [--throttle BYTES_PER_SEC] [--cancel] [--verify] [--no-wait] [--max-moves N] [--timeout-ms N]
      move partitions to the replica lists in FILE (Kafka's reassignment JSON:
      {"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[2,3]}]},
      preferred leader first); new replicas catch up before old ones leave. Waits until
      every move is done (progress on stderr), then elects the preferred leaders.
      --max-moves N copies at most N partitions at a time (the rest follow as they finish).
      --throttle B limits the copying to B bytes/s per broker, as Kafka's tool does (the
      leader/follower.replication.throttled.rate of the brokers involved and the topics'
      *.replication.throttled.replicas), and removes the throttle when the moves are done.
      --verify reports which moves of FILE are done and, once all are, removes the
      throttle (after --no-wait or an interrupted run).
      --cancel stops the reassignments of the partitions in FILE (and removes the throttle).
  list-reassignments            reassignments in progress (replicas, adding, removing)
  elect-leaders [--topic T [--partition P]]   preferred replicas lead again (all partitions by default)

example:
  tributary partitions reassign --bootstrap localhost:9091 --plan move.json`;

const FLAGS = { '--plan': { value: true }, '--throttle': { value: true }, '--verify': {}, '--cancel': {}, '--no-wait': {}, '--max-moves': { value: true }, '--timeout-ms': { value: true }, '--topic': { value: true }, '--partition': { value: true } };

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
  const throttle = throttleFlag(p);
  if (p.has('--cancel') && p.has('--verify')) throw new UsageError('--cancel and --verify do not go together');
  if (throttle !== undefined && (p.has('--cancel') || p.has('--verify'))) throw new UsageError('--throttle goes with a reassignment to start, not with --cancel or --verify');
  if (p.has('--cancel')) {
    const out = await admin.alterPartitionReassignments(moves.map((m) => ({ ...m, replicas: null })));
    await clearThrottles(admin, [...new Set(moves.map((m) => m.topic))], (await admin.describeCluster()).brokers.map((b) => b.nodeId));
    report(p, out);
    return;
  }
  if (p.has('--verify')) { await verify(p, admin, moves); return; }
  await applyMoves(p, admin, moves, { wait: !p.has('--no-wait'), timeoutMs, maxMoves: p.int('--max-moves'), throttle });
}

/** --throttle BYTES_PER_SEC: a positive integer. */
export function throttleFlag(p: Parsed): number | undefined {
  const v = p.get('--throttle');
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) <= 0) throw new UsageError(`--throttle expects bytes per second (a positive integer), got ${JSON.stringify(v)}`);
  return Number(v);
}

const TOPIC = 2;
const BROKER = 4;
const SET = 0;
const DELETE = 1;
const LEADER_REPLICAS = 'leader.replication.throttled.replicas';
const FOLLOWER_REPLICAS = 'follower.replication.throttled.replicas';
const LEADER_RATE = 'leader.replication.throttled.rate';
const FOLLOWER_RATE = 'follower.replication.throttled.rate';

/**
 * Kafka's --throttle: the topics' throttled replica lists and both rates on every
 * broker of a moving partition, each broker asked until it reports the rate (so the
 * first bytes copied are throttled too). Returns what to clear afterwards.
 */
async function setThrottles(admin: ClusterAdmin, moves: { topic: string; partition: number; replicas: number[] }[], rate: number): Promise<{ topics: string[]; brokers: number[] }> {
  const topics = [...new Set(moves.map((m) => m.topic))];
  const current = new Map<string, number[]>();
  for (const t of await admin.describeTopics(topics)) for (const x of t.partitions) current.set(`${t.topic}-${x.partition}`, x.replicas);
  const plan = planThrottles(moves, current);
  const throttledTopics = [...new Set([...plan.leader.keys(), ...plan.follower.keys()])];
  if (!plan.brokers.length) return { topics: [], brokers: [] };
  try {
    await admin.raw.incrementalAlterConfigs({
      resources: throttledTopics.map((t) => ({
        resourceType: TOPIC, resourceName: t,
        configs: [
          ...(plan.leader.get(t) ? [{ name: LEADER_REPLICAS, configOperation: SET, value: plan.leader.get(t)! }] : []),
          ...(plan.follower.get(t) ? [{ name: FOLLOWER_REPLICAS, configOperation: SET, value: plan.follower.get(t)! }] : []),
        ] as any,
      })),
    });
    await admin.raw.incrementalAlterConfigs({
      resources: plan.brokers.map((b) => ({
        resourceType: BROKER, resourceName: String(b),
        configs: [{ name: LEADER_RATE, configOperation: SET, value: String(rate) }, { name: FOLLOWER_RATE, configOperation: SET, value: String(rate) }] as any,
      })),
    });
  } catch (e) {
    throw new CommandError(`could not set the throttle: ${kafkaMessage(e)}`, EXIT.FAILED);
  }
  // Each broker takes the change from the cluster's store: wait until every one reports it.
  const until = Date.now() + 15_000;
  for (const b of plan.brokers) {
    for (;;) {
      const c = await admin.describeBrokerConfigs(b).catch(() => ({} as Record<string, string | null>));
      if (c[LEADER_RATE] === String(rate) && c[FOLLOWER_RATE] === String(rate)) break;
      if (Date.now() > until) { process.stderr.write(`warning: broker ${b} does not report the throttle yet; moving anyway\n`); break; }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  process.stderr.write(`throttle: ${rate} B/s on brokers ${plan.brokers.join(',')} (${LEADER_RATE}, ${FOLLOWER_RATE}); throttled replicas set on ${throttledTopics.join(', ')}\n`);
  return { topics: throttledTopics, brokers: plan.brokers };
}

/** Removes the throttled replica lists of `topics` and the throttle rates of `brokers` (Kafka's --verify once done). */
async function clearThrottles(admin: ClusterAdmin, topics: string[], brokers: number[]): Promise<void> {
  if (!topics.length && !brokers.length) return;
  try {
    if (topics.length) {
      await admin.raw.incrementalAlterConfigs({
        resources: topics.map((t) => ({ resourceType: TOPIC, resourceName: t, configs: [{ name: LEADER_REPLICAS, configOperation: DELETE }, { name: FOLLOWER_REPLICAS, configOperation: DELETE }] as any })),
      });
    }
    if (brokers.length) {
      await admin.raw.incrementalAlterConfigs({
        resources: brokers.map((b) => ({ resourceType: BROKER, resourceName: String(b), configs: [{ name: LEADER_RATE, configOperation: DELETE }, { name: FOLLOWER_RATE, configOperation: DELETE }] as any })),
      });
    }
  } catch (e) {
    throw new CommandError(`the moves are done but the throttle could not be removed: ${kafkaMessage(e)}; run partitions reassign --plan FILE --verify`, EXIT.FAILED);
  }
  process.stderr.write(`throttle removed${topics.length ? ` from ${topics.join(', ')}` : ''}${brokers.length ? ` and brokers ${brokers.join(',')}` : ''}\n`);
}

/** The broker's own words from the client library's nested errors (apiId: serverErrorMessage). */
export function kafkaMessage(e: unknown): string {
  const leaves: string[] = [];
  const walk = (x: any) => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x.errors) && x.errors.length) { for (const y of x.errors) walk(y); return; }
    leaves.push(x.serverErrorMessage ? `${x.apiId ?? 'error'}: ${x.serverErrorMessage}` : String(x.message ?? x));
  };
  walk(e);
  return leaves.join('; ') || String(e);
}

/** Kafka's --verify: which moves of the plan are still running; once none is, the throttle goes. */
async function verify(p: Parsed, admin: ClusterAdmin, moves: { topic: string; partition: number; replicas: number[] }[]): Promise<void> {
  const inProgress = await admin.listPartitionReassignments();
  if (inProgress === null) throw new CommandError('the broker does not offer ListPartitionReassignments; cannot verify the moves', EXIT.FAILED);
  const running = new Set(inProgress.map((r) => `${r.topic}-${r.partition}`));
  const topics = await admin.describeTopics([...new Set(moves.map((m) => m.topic))]);
  const replicasOf = (m: { topic: string; partition: number }) => topics.find((t) => t.topic === m.topic)?.partitions.find((x) => x.partition === m.partition)?.replicas ?? [];
  const rows = moves.map((m) => {
    const now = replicasOf(m);
    const state = running.has(`${m.topic}-${m.partition}`) ? 'in progress' : now.join(',') === m.replicas.join(',') ? 'done' : 'not running (replicas differ from the plan)';
    return { topic: m.topic, partition: m.partition, replicas: now.join(','), target: m.replicas.join(','), state };
  });
  print(p, rows, ['topic', 'partition', 'replicas', 'target', 'state']);
  if (rows.some((r) => r.state === 'in progress')) { process.stderr.write('reassignment in progress: the throttle stays until it is done\n'); return; }
  await clearThrottles(admin, [...new Set(moves.map((m) => m.topic))], (await admin.describeCluster()).brokers.map((b) => b.nodeId));
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
export async function applyMoves(p: Parsed, admin: ClusterAdmin, moves: { topic: string; partition: number; replicas: number[] }[], o: { wait: boolean; timeoutMs: number; maxMoves?: number; throttle?: number }): Promise<void> {
  if (!moves.length) { process.stdout.write('nothing to move\n'); return; }
  const throttled = o.throttle !== undefined ? await setThrottles(admin, moves, o.throttle) : null;
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
  if (!o.wait) {
    if (throttled?.brokers.length) process.stderr.write('the throttle stays until you run: tributary partitions reassign --plan FILE --verify (once the moves are done)\n');
    return;
  }
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
    if (Date.now() > deadline) throw new CommandError(`timed out after ${o.timeoutMs} ms with ${active.size + queue.length} reassignment(s) not done (those submitted continue; see partitions list-reassignments${throttled?.brokers.length ? '; the throttle stays until partitions reassign --plan FILE --verify finds them done' : ''})`, EXIT.FAILED);
    await new Promise((r) => setTimeout(r, 500));
  }
  if (throttled) await clearThrottles(admin, throttled.topics, throttled.brokers);
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
