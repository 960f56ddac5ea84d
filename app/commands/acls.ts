// tributary acls add|list|remove — Kafka's ACLs in kafka-acls' vocabulary.
import { AclAdmin, type AclEntry, type AclEntryFilter } from '../../client/admin-acls.ts';
import { UsageError } from '../errors.ts';
import { clientConfig, parse, print, runCommand, type Parsed } from './common.ts';

const HELP = `usage: tributary acls <add|list|remove> [options]

  add     --allow-principal User:NAME | --deny-principal User:NAME (repeatable)
          [--allow-host H | --deny-host H] (default *)
          --operation OP (repeatable: Read, Write, Create, Delete, Alter, Describe, ClusterAction,
                          DescribeConfigs, AlterConfigs, IdempotentWrite, All)
          | --producer (Write, Describe, Create on the topics) | --consumer (Read, Describe on
            the topics, Read on the group)
          one or more resources: --topic T, --group G, --transactional-id ID, --cluster
          [--resource-pattern-type literal|prefixed] (default literal)
  list    [resources] [--principal User:NAME] [--resource-pattern-type any|match|literal|prefixed]
          (default: every ACL; with a resource: pattern type literal unless given)
  remove  the same flags as add (or as list): every ACL matching them is removed

example:
  tributary acls add --allow-principal User:alice --operation Write --topic orders- --resource-pattern-type prefixed
  tributary acls add --allow-principal User:alice --consumer --topic orders --group billing
  tributary acls list --topic orders --resource-pattern-type match`;

const FLAGS = {
  '--allow-principal': { value: true, repeat: true }, '--deny-principal': { value: true, repeat: true }, '--principal': { value: true, repeat: true },
  '--allow-host': { value: true, repeat: true }, '--deny-host': { value: true, repeat: true },
  '--operation': { value: true, repeat: true }, '--producer': {}, '--consumer': {},
  '--topic': { value: true, repeat: true }, '--group': { value: true, repeat: true }, '--transactional-id': { value: true, repeat: true }, '--cluster': {},
  '--resource-pattern-type': { value: true }, '--force': {},
};

const op = (s: string) => s.replace(/([a-z])([A-Z])/g, '$1_$2').replace(/-/g, '_').toUpperCase();

function resources(p: Parsed): { resourceType: string; resourceName: string }[] {
  return [
    ...p.all('--topic').map((n) => ({ resourceType: 'TOPIC', resourceName: n })),
    ...p.all('--group').map((n) => ({ resourceType: 'GROUP', resourceName: n })),
    ...p.all('--transactional-id').map((n) => ({ resourceType: 'TRANSACTIONAL_ID', resourceName: n })),
    ...(p.has('--cluster') ? [{ resourceType: 'CLUSTER', resourceName: 'kafka-cluster' }] : []),
  ];
}

/** The ACLs add/remove name: principals × hosts × operations × resources (kafka-acls' expansion). */
function entries(p: Parsed): AclEntry[] {
  const patternType = (p.get('--resource-pattern-type') ?? 'literal').toUpperCase();
  if (patternType !== 'LITERAL' && patternType !== 'PREFIXED') throw new UsageError('--resource-pattern-type for add/remove is literal or prefixed');
  const who = [...p.all('--allow-principal').map((x) => ['ALLOW', x]), ...p.all('--deny-principal').map((x) => ['DENY', x])];
  if (!who.length) throw new UsageError('name at least one --allow-principal or --deny-principal (User:NAME)');
  for (const [, pr] of who) if (!/^[^:]+:.+$/.test(pr)) throw new UsageError(`principal ${JSON.stringify(pr)} must be TYPE:NAME, for example User:alice`);
  const res = resources(p);
  if (!res.length) throw new UsageError('name a resource: --topic, --group, --transactional-id or --cluster');
  const out: AclEntry[] = [];
  const push = (r: { resourceType: string; resourceName: string }, ops: string[]) => {
    for (const [permission, principal] of who) {
      const hosts = permission === 'ALLOW' ? p.all('--allow-host') : p.all('--deny-host');
      for (const host of hosts.length ? hosts : ['*']) for (const o of ops) out.push({ ...r, patternType: r.resourceType === 'CLUSTER' ? 'LITERAL' : patternType, principal, host, operation: o, permission });
    }
  };
  const ops = p.all('--operation').map(op);
  for (const r of res) {
    if (ops.length) push(r, ops);
    if (p.has('--producer') && r.resourceType === 'TOPIC') push(r, ['WRITE', 'DESCRIBE', 'CREATE']);
    if (p.has('--consumer') && r.resourceType === 'TOPIC') push(r, ['READ', 'DESCRIBE']);
    if (p.has('--consumer') && r.resourceType === 'GROUP') push(r, ['READ']);
  }
  if (!out.length) throw new UsageError('name what is allowed: --operation OP, --producer or --consumer');
  return out;
}

function filters(p: Parsed): AclEntryFilter[] {
  const res = resources(p);
  const patternType = (p.get('--resource-pattern-type') ?? (res.length ? 'literal' : 'any')).toUpperCase();
  const principals = p.all('--principal');
  const base = { patternType, host: null, operation: null, permission: null };
  const rs: { resourceType: string | null; resourceName: string | null }[] = res.length ? res : [{ resourceType: null, resourceName: null }];
  return rs.flatMap((r) => (principals.length ? principals : [null]).map((principal) => ({ ...base, ...r, principal })));
}

const columns = ['principal', 'permission', 'operation', 'host', 'resourceType', 'patternType', 'resourceName'];

export async function run(argv: string[]): Promise<void> {
  await runCommand(argv, async () => {
    const p = parse(argv, FLAGS, HELP);
    const [sub] = p.positional;
    if (!sub) throw new UsageError('acls needs a subcommand: add, list, remove (see --help)');
    const admin = new AclAdmin(clientConfig(p));
    try {
      switch (sub) {
        case 'add': case 'create': {
          const acls = entries(p);
          await admin.createAcls(acls);
          print(p, acls as unknown as Record<string, unknown>[], columns);
          return;
        }
        case 'list': case 'ls': {
          const all = [];
          for (const f of filters(p)) all.push(...await admin.describeAcls(f));
          print(p, all as unknown as Record<string, unknown>[], columns);
          return;
        }
        case 'remove': case 'delete': {
          const named = p.has('--allow-principal') || p.has('--deny-principal');
          const fs: AclEntryFilter[] = named ? entries(p) : filters(p);
          const removed = await admin.deleteAcls(fs);
          print(p, removed as unknown as Record<string, unknown>[], columns);
          return;
        }
        default: throw new UsageError(`unknown acls subcommand ${JSON.stringify(sub)} (see --help)`);
      }
    } finally {
      await admin.close();
    }
  });
}
