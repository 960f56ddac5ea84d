// tributary group list|describe|reset-offsets|delete — kafka-consumer-groups' vocabulary.
import { ClusterAdmin } from '../../client/admin-cluster.ts';
import { UsageError } from '../errors.ts';
import { CommandError, EXIT, print, progress, progressDone, runAdminCommand, type Parsed } from './common.ts';

const HELP = `usage: tributary group <list|describe|reset-offsets|delete> [GROUP] [options]

  list
  describe GROUP              state, members, committed offset and lag per partition
  reset-offsets GROUP --topic TOPIC[:P,P…] (one of)
      --to-earliest | --to-latest | --to-datetime 2026-12-05T10:00:00Z
      | --shift-by N | --to-offset N
      [--execute]             without it: a dry run that shows the plan and changes nothing
  delete GROUP…

The group must have no active members to reset its offsets (stop its consumers first).

example:
  tributary group reset-offsets billing --topic orders --to-earliest            # dry run
  tributary group reset-offsets billing --topic orders --shift-by -100 --execute`;

const FLAGS = {
  '--topic': { value: true, repeat: true }, '--all-topics': {},
  '--to-earliest': {}, '--to-latest': {}, '--to-datetime': { value: true }, '--shift-by': { value: true }, '--to-offset': { value: true },
  '--execute': {}, '--dry-run': {},
};

export async function run(argv: string[]): Promise<void> {
  await runAdminCommand(argv, {
    command: 'group', flags: FLAGS, help: HELP, aliases: { ls: 'list' },
    subcommands: {
      list: (p, admin) => list(p, admin),
      describe: (p, admin, names) => describe(p, admin, one(names)),
      'reset-offsets': (p, admin, names) => reset(p, admin, one(names)),
      delete: remove,
    },
  });
}

/** no members: offsets may be changed, the group deleted (the library spells states in capitals) */
const idle = (state: string) => /^(empty|dead)$/i.test(state);

function one(names: string[]): string {
  if (names.length !== 1) throw new UsageError(names.length ? `expected one group, got ${names.join(' ')}` : 'missing GROUP');
  return names[0];
}

async function known(admin: ClusterAdmin, group: string): Promise<{ state: string }> {
  const g = (await admin.listGroups()).find((x) => x.groupId === group);
  if (!g) throw new CommandError(`group ${group} does not exist`, EXIT.NOT_FOUND);
  return g;
}

async function list(p: Parsed, admin: ClusterAdmin): Promise<void> {
  const groups = (await admin.listGroups()).sort((a, b) => a.groupId.localeCompare(b.groupId));
  print(p, groups.map((g) => ({ group: g.groupId, state: g.state, protocol_type: g.protocolType })), ['group', 'state', 'protocol_type']);
}

async function describe(p: Parsed, admin: ClusterAdmin, group: string): Promise<void> {
  await known(admin, group);
  const [g] = await admin.inspectGroups([group]);
  const offsets = await admin.groupOffsets(group);
  const topics = [...new Set(offsets.map((o) => o.topic))];
  const ends = topics.length ? await admin.topicOffsets(topics) : [];
  const owner = new Map<string, string>();
  for (const m of g?.members ?? []) for (const a of m.assignment ?? []) for (const part of a.partitions) owner.set(`${a.topic}:${part}`, `${m.clientId}/${m.clientHost}`);
  const rows = offsets.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic.localeCompare(b.topic))).map((o) => {
    const end = ends.find((e) => e.topic === o.topic && e.partition === o.partition)?.latest ?? null;
    return { topic: o.topic, partition: o.partition, current_offset: o.offset, log_end_offset: end, lag: end === null || o.offset < 0 ? null : Math.max(0, end - o.offset), consumer: owner.get(`${o.topic}:${o.partition}`) ?? null };
  });
  if (p.json) { print(p, [], undefined, { group, state: g?.state ?? 'Unknown', members: g?.members ?? [], offsets: rows }); return; }
  process.stdout.write(`group ${group}  state ${g?.state ?? 'Unknown'}  members ${g?.members.length ?? 0}\n\n`);
  print(p, rows, ['topic', 'partition', 'current_offset', 'log_end_offset', 'lag', 'consumer']);
}

/** --topic t, --topic t:0,2 */
function topicSpecs(p: Parsed): { topic: string; partitions: number[] | null }[] {
  const specs = p.all('--topic').map((s) => {
    const [topic, parts] = s.split(':');
    if (!topic) throw new UsageError(`--topic expects TOPIC or TOPIC:P,P, got ${JSON.stringify(s)}`);
    const partitions = parts === undefined ? null : parts.split(',').map((x) => { if (!/^\d+$/.test(x)) throw new UsageError(`--topic ${s}: bad partition ${JSON.stringify(x)}`); return Number(x); });
    return { topic, partitions };
  });
  return specs;
}

async function reset(p: Parsed, admin: ClusterAdmin, group: string): Promise<void> {
  const modes = ['--to-earliest', '--to-latest', '--to-datetime', '--shift-by', '--to-offset'].filter((f) => p.has(f));
  if (modes.length !== 1) throw new UsageError('reset-offsets needs exactly one of --to-earliest, --to-latest, --to-datetime, --shift-by, --to-offset');
  // Every flag is checked before the broker is asked anything: a typo answers at once (exit 2), reachable broker or not.
  const mode = modes[0];
  const value = p.get(mode)!;
  if ((mode === '--shift-by' || mode === '--to-offset') && !/^-?\d+$/.test(value)) throw new UsageError(`${mode} expects an integer, got ${JSON.stringify(value)}`);
  const ts = mode === '--to-datetime' ? Date.parse(value) : 0;
  if (Number.isNaN(ts)) throw new UsageError(`--to-datetime expects an ISO date-time such as 2026-12-05T10:00:00Z, got ${JSON.stringify(value)}`);
  if (p.has('--execute') && p.has('--dry-run')) throw new UsageError('reset-offsets takes --execute or --dry-run, not both');
  if (!p.has('--all-topics') && !topicSpecs(p).length) throw new UsageError('reset-offsets needs --topic TOPIC (or --all-topics)');
  let specs = topicSpecs(p);
  const committed = await admin.groupOffsets(group).catch(() => []);
  if (p.has('--all-topics')) specs = [...new Set(committed.map((o) => o.topic))].map((topic) => ({ topic, partitions: null }));
  if (!specs.length) throw new UsageError('reset-offsets needs --topic TOPIC (or --all-topics)');
  const state = (await admin.listGroups()).find((x) => x.groupId === group)?.state;
  if (state && !idle(state)) throw new CommandError(`group ${group} is ${state}: stop its consumers before resetting offsets`, EXIT.FAILED);
  const existing = await admin.listTopics(true);
  for (const s of specs) if (!existing.includes(s.topic)) throw new CommandError(`topic ${s.topic} does not exist`, EXIT.NOT_FOUND);
  const ends = await admin.topicOffsets(specs.map((s) => s.topic));
  let byTime: Map<string, number> | null = null;
  if (mode === '--to-datetime') {
    byTime = new Map();
    for (const s of specs) for (const o of await admin.offsetsForTimes(s.topic, ts)) byTime.set(`${s.topic}:${o.partition}`, o.offset);
  }
  const n = mode === '--shift-by' || mode === '--to-offset' ? Number(value) : 0;
  const plan: { topic: string; partition: number; current_offset: number | null; new_offset: number }[] = [];
  for (const e of ends) {
    const s = specs.find((x) => x.topic === e.topic)!;
    if (s.partitions && !s.partitions.includes(e.partition)) continue;
    const cur = committed.find((o) => o.topic === e.topic && o.partition === e.partition)?.offset ?? null;
    let target: number;
    switch (mode) {
      case '--to-earliest': target = e.earliest; break;
      case '--to-latest': target = e.latest; break;
      case '--to-datetime': { const t = byTime!.get(`${e.topic}:${e.partition}`) ?? -1; target = t < 0 ? e.latest : t; break; }
      case '--shift-by': target = (cur ?? e.latest) + n; break;
      default: target = n;
    }
    // as kafka-consumer-groups: clamp into [log start, log end]
    plan.push({ topic: e.topic, partition: e.partition, current_offset: cur, new_offset: Math.min(Math.max(target, e.earliest), e.latest) });
  }
  for (const s of specs) for (const part of s.partitions ?? []) if (!plan.some((x) => x.topic === s.topic && x.partition === part)) throw new CommandError(`${s.topic} has no partition ${part}`, EXIT.NOT_FOUND);
  const execute = p.has('--execute');
  if (execute) {
    // one OffsetCommit per 500 partitions, with progress for large groups
    for (let i = 0; i < plan.length; i += 500) {
      await admin.setGroupOffsets(group, plan.slice(i, i + 500).map((x) => ({ topic: x.topic, partition: x.partition, offset: x.new_offset })));
      progress('resetting', Math.min(i + 500, plan.length), plan.length);
    }
    progressDone();
  }
  if (p.json) { print(p, [], undefined, { group, executed: execute, plan }); return; }
  print(p, plan, ['topic', 'partition', 'current_offset', 'new_offset']);
  process.stdout.write(execute ? `\nreset ${plan.length} partition(s) of group ${group}\n` : '\ndry run: nothing changed (add --execute to apply)\n');
}

async function remove(p: Parsed, admin: ClusterAdmin, names: string[]): Promise<void> {
  if (!names.length) throw new UsageError('missing GROUP');
  for (const n of names) {
    const g = await known(admin, n);
    if (!idle(g.state)) throw new CommandError(`group ${n} is ${g.state}: stop its consumers before deleting it`, EXIT.FAILED);
  }
  await admin.deleteGroups(names);
  print(p, names.map((group) => ({ group, status: 'deleted' })));
}
