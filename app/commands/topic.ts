// tributary topic create|list|describe|alter-config|delete|add-partitions
import { ClusterAdmin } from '../../client/admin-cluster.ts';
import { UsageError } from '../errors.ts';
import { CommandError, EXIT, pairs, print, runAdminCommand, type Parsed } from './common.ts';

const HELP = `usage: tributary topic <create|list|describe|alter-config|delete|add-partitions> [TOPIC] [options]

  create TOPIC [--partitions N] [--replication-factor N] [--config name=value]…
  list [--internal]
  describe TOPIC            partitions (leader, replicas, ISR, offsets) and the configs set on it
  alter-config TOPIC [--set name=value]… [--delete name]…
  delete TOPIC…
  add-partitions TOPIC --partitions N   (the new total)

example:
  tributary topic create orders --partitions 6 --config retention.ms=86400000
  tributary topic describe orders --output json`;

const FLAGS = {
  '--partitions': { value: true }, '-p': { value: true }, '--replication-factor': { value: true }, '-r': { value: true },
  '--config': { value: true, repeat: true }, '-c': { value: true, repeat: true }, '--set': { value: true, repeat: true },
  '--delete': { value: true, repeat: true }, '--internal': {},
};

export async function run(argv: string[]): Promise<void> {
  await runAdminCommand(argv, {
    command: 'topic', flags: FLAGS, help: HELP, aliases: { ls: 'list' },
    subcommands: {
      create: (p, admin, names) => create(p, admin, one(names)),
      list: (p, admin) => list(p, admin),
      describe: (p, admin, names) => describe(p, admin, one(names)),
      'alter-config': (p, admin, names) => alterConfig(p, admin, one(names)),
      delete: remove,
      'add-partitions': (p, admin, names) => addPartitions(p, admin, one(names)),
    },
  });
}

function one(names: string[]): string {
  if (names.length !== 1) throw new UsageError(names.length ? `expected one topic, got ${names.join(' ')}` : 'missing TOPIC');
  return names[0];
}

async function exists(admin: ClusterAdmin, topic: string): Promise<void> {
  if (!(await admin.listTopics(true)).includes(topic)) throw new CommandError(`topic ${topic} does not exist`, EXIT.NOT_FOUND);
}

async function create(p: Parsed, admin: ClusterAdmin, topic: string): Promise<void> {
  const partitions = p.int('--partitions') ?? p.int('-p') ?? 1;
  const rf = p.int('--replication-factor') ?? p.int('-r') ?? 1;
  if (partitions < 1) throw new UsageError('--partitions must be at least 1');
  const configs = { ...pairs(p, '--config'), ...pairs(p, '-c') };
  await admin.createTopic({ topic, partitions, replicationFactor: rf, configs });
  print(p, [{ topic, partitions, replication_factor: rf, status: 'created' }]);
}

async function list(p: Parsed, admin: ClusterAdmin): Promise<void> {
  const names = (await admin.listTopics(p.has('--internal'))).sort();
  const desc = names.length ? await admin.describeTopics(names) : [];
  const rows = desc.map((t) => ({ topic: t.topic, partitions: t.partitions.length, replicas: t.partitions[0]?.replicas.length ?? 0, id: t.id }));
  print(p, rows, ['topic', 'partitions', 'replicas', 'id']);
}

async function describe(p: Parsed, admin: ClusterAdmin, topic: string): Promise<void> {
  await exists(admin, topic);
  const [t] = await admin.describeTopics([topic]);
  const offsets = await admin.topicOffsets([topic]);
  const entries = await admin.describeTopicConfigEntries(topic);
  const overrides = Object.fromEntries(entries.filter((e) => e.source === 1).map((e) => [e.name, e.value]));
  const partitions = t.partitions.map((x) => {
    const o = offsets.find((y) => y.partition === x.partition);
    return { partition: x.partition, leader: x.leader, replicas: x.replicas.join(','), isr: x.isr.join(','), start_offset: o?.earliest ?? null, end_offset: o?.latest ?? null, messages: o ? o.latest - o.earliest : null };
  });
  if (p.json) { print(p, [], undefined, { topic, id: t.id, partitions, configs: overrides }); return; }
  process.stdout.write(`topic ${topic}  id ${t.id}  partitions ${t.partitions.length}\n`);
  process.stdout.write(`configs: ${Object.keys(overrides).length ? Object.entries(overrides).map(([k, v]) => `${k}=${v}`).join(', ') : '(defaults)'}\n\n`);
  print(p, partitions);
}

async function alterConfig(p: Parsed, admin: ClusterAdmin, topic: string): Promise<void> {
  const set = pairs(p, '--set');
  const del = p.all('--delete');
  if (!Object.keys(set).length && !del.length) throw new UsageError('alter-config needs --set name=value or --delete name');
  await exists(admin, topic);
  const current = Object.fromEntries((await admin.describeTopicConfigEntries(topic)).filter((e) => e.source === 1 && e.value !== null).map((e) => [e.name, e.value!]));
  const next = { ...current, ...set };
  for (const d of del) delete next[d];
  await admin.replaceTopicConfigs(topic, next);
  print(p, Object.entries(next).map(([name, value]) => ({ name, value })), ['name', 'value'], { topic, configs: next });
}

async function remove(p: Parsed, admin: ClusterAdmin, names: string[]): Promise<void> {
  if (!names.length) throw new UsageError('missing TOPIC');
  for (const n of names) await exists(admin, n);
  await admin.deleteTopics(names);
  print(p, names.map((topic) => ({ topic, status: 'deleted' })));
}

async function addPartitions(p: Parsed, admin: ClusterAdmin, topic: string): Promise<void> {
  const n = p.int('--partitions') ?? p.int('-p');
  if (n === undefined) throw new UsageError('add-partitions needs --partitions N (the new total)');
  await exists(admin, topic);
  const [t] = await admin.describeTopics([topic]);
  if (n <= t.partitions.length) throw new CommandError(`topic ${topic} has ${t.partitions.length} partitions; --partitions must be more`, EXIT.FAILED);
  await admin.createPartitions(topic, n);
  print(p, [{ topic, partitions: n, was: t.partitions.length }]);
}
