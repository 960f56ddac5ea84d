// Which ACL each API needs, as Kafka's KafkaApis checks it, applied around the
// registered handlers: a refused request never reaches its handler; a partly refused
// one reaches it without the refused topics/groups, which are answered with Kafka's
// error code (TOPIC_AUTHORIZATION_FAILED, GROUP_AUTHORIZATION_FAILED,
// CLUSTER_AUTHORIZATION_FAILED, TRANSACTIONAL_ID_AUTHORIZATION_FAILED). The handlers
// themselves know nothing of ACLs.
import { code, KafkaError } from '../errors.ts';
import { CloseConnection, type Handler, type RequestContext } from '../network/api-handlers.ts';
import { AclOperation as Op, CLUSTER_NAME, ResourceType as R } from './acl.ts';
import type { Authorizer } from './authorizer.ts';

const TOPIC_DENIED = code('TOPIC_AUTHORIZATION_FAILED');
const GROUP_DENIED = code('GROUP_AUTHORIZATION_FAILED');
const CLUSTER_DENIED = code('CLUSTER_AUTHORIZATION_FAILED');
const TXN_DENIED = code('TRANSACTIONAL_ID_AUTHORIZATION_FAILED');
const NOT_ATTEMPTED = code('OPERATION_NOT_ATTEMPTED');
const AUTH_FAILED_MESSAGE = 'Authorization failed.';
// DescribeConfigs / AlterConfigs resource types
const CONFIG_TOPIC = 2; const CONFIG_BROKER = 4; const CONFIG_BROKER_LOGGER = 8;

/** What the rules need to know about topics besides the request. */
export interface TopicLookup {
  nameOf(topicId: string): string | undefined;
  exists(name: string): boolean;
}

/** A rule either refuses the whole request (its top-level error code), or passes it on (maybe narrowed) and completes the response. */
type Outcome = { deny: number } | { request: any; complete?: (response: any) => any } | null;
type Rule = (a: Check, req: any, ctx: RequestContext) => Outcome;

class Check {
  constructor(readonly az: Authorizer, readonly ctx: RequestContext, readonly topics: TopicLookup) {}
  ok(op: number, type: number, name: string): boolean { return this.az.authorize(this.ctx.session, op, type, name); }
  topic(op: number, name: string): boolean { return this.ok(op, R.TOPIC, name); }
  group(op: number, name: string): boolean { return this.ok(op, R.GROUP, name); }
  cluster(op: number): boolean { return this.ok(op, R.CLUSTER, CLUSTER_NAME); }
  txn(op: number, id: string): boolean { return this.ok(op, R.TRANSACTIONAL_ID, id); }
}

/** Splits a request's topic list by whether `allowed(name)`. */
function split<T>(items: T[] | null | undefined, name: (t: T) => string, allowed: (name: string) => boolean): [T[], T[]] {
  const yes: T[] = []; const no: T[] = [];
  for (const t of items ?? []) (allowed(name(t)) ? yes : no).push(t);
  return [yes, no];
}

const appendTo = (field: string, extra: any[]) => (res: any) => (extra.length ? { ...res, [field]: [...(res[field] ?? []), ...extra] } : res);

const cluster = (op: number): Rule => (a) => (a.cluster(op) ? null : { deny: CLUSTER_DENIED });
const groupRule = (op: number): Rule => (a, req) => (a.group(op, req.groupId) ? null : { deny: GROUP_DENIED });

/** Per-partition errors for topics with a `partitions` list of indexes or objects. */
function partitionErrors(parts: any[], idx: (p: any) => number, build: (i: number) => any): any[] { return parts.map((p) => build(idx(p))); }

const RULES: Record<number, Rule> = {
  // Produce: WRITE on each topic; a transactional producer also WRITE on its transactional id.
  0: (a, req) => {
    const txnOk = req.transactionalId == null || a.txn(Op.WRITE, req.transactionalId);
    const [ok, no] = txnOk ? split(req.topicData, (t: any) => t.name, (n) => a.topic(Op.WRITE, n)) : [[], req.topicData ?? []];
    if (!no.length) return null;
    const err = txnOk ? TOPIC_DENIED : TXN_DENIED;
    const extra = no.map((t: any) => ({ name: t.name, partitionResponses: partitionErrors(t.partitionData, (p) => p.index, (index) => ({ index, errorCode: err, baseOffset: -1n })) }));
    return { request: { ...req, topicData: ok }, complete: appendTo('responses', extra) };
  },
  // Fetch: a consumer needs READ on each topic; a follower CLUSTER_ACTION.
  1: (a, req) => {
    const replica = Math.max(req.replicaId ?? -1, req.replicaState?.replicaId ?? -1);
    if (replica >= 0) return a.cluster(Op.CLUSTER_ACTION) ? null : { deny: CLUSTER_DENIED };
    const name = (t: any) => t.topic || a.topics.nameOf(t.topicId) || '';
    const [ok, no] = split(req.topics, name, (n) => a.topic(Op.READ, n));
    if (!no.length) return null;
    const extra = no.map((t: any) => ({ topic: t.topic, topicId: t.topicId, partitions: partitionErrors(t.partitions, (p) => p.partition, (partitionIndex) => ({ partitionIndex, errorCode: TOPIC_DENIED, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: Buffer.alloc(0) })) }));
    return { request: { ...req, topics: ok }, complete: appendTo('responses', extra) };
  },
  // ListOffsets: DESCRIBE on each topic.
  2: (a, req) => {
    const [ok, no] = split(req.topics, (t: any) => t.name, (n) => a.topic(Op.DESCRIBE, n));
    if (!no.length) return null;
    const extra = no.map((t: any) => ({ name: t.name, partitions: partitionErrors(t.partitions, (p) => p.partitionIndex, (partitionIndex) => ({ partitionIndex, errorCode: TOPIC_DENIED, timestamp: -1n, offset: -1n })) }));
    return { request: { ...req, topics: ok }, complete: appendTo('topics', extra) };
  },
  // Metadata: topics the principal may not DESCRIBE are left out of "all topics" and
  // answered TOPIC_AUTHORIZATION_FAILED when asked for by name; auto-creation needs CREATE.
  3: (a, req, ctx) => {
    const all = req.topics == null || (ctx.apiVersion === 0 && req.topics.length === 0);
    if (all) return { request: req, complete: (res) => ({ ...res, topics: (res.topics ?? []).filter((t: any) => a.topic(Op.DESCRIBE, t.name)) }) };
    const extra: any[] = []; const ok: any[] = [];
    const autoCreate = ctx.apiVersion < 4 || req.allowAutoTopicCreation !== false;
    for (const t of req.topics) {
      const name = t.name ?? a.topics.nameOf(t.topicId);
      if (name == null) { ok.push(t); continue; }
      if (!a.topic(Op.DESCRIBE, name)) extra.push({ errorCode: TOPIC_DENIED, name, topicId: t.topicId ?? '', isInternal: false, partitions: [] });
      else if (autoCreate && !a.topics.exists(name) && !a.cluster(Op.CREATE) && !a.topic(Op.CREATE, name)) extra.push({ errorCode: code('UNKNOWN_TOPIC_OR_PARTITION'), name, topicId: '', isInternal: false, partitions: [] });
      else ok.push(t);
    }
    if (!extra.length) return null;
    return { request: { ...req, topics: ok }, complete: appendTo('topics', extra) };
  },
  // OffsetCommit: READ on the group, then READ on each topic.
  8: (a, req) => {
    const groupOk = a.group(Op.READ, req.groupId);
    const [ok, no] = groupOk ? split(req.topics, (t: any) => t.name, (n) => a.topic(Op.READ, n)) : [[], req.topics ?? []];
    if (!no.length) return null;
    const err = groupOk ? TOPIC_DENIED : GROUP_DENIED;
    const extra = no.map((t: any) => ({ name: t.name, partitions: partitionErrors(t.partitions, (p) => p.partitionIndex, (partitionIndex) => ({ partitionIndex, errorCode: err })) }));
    if (!groupOk) return { request: null, complete: () => ({ topics: extra }) };
    return { request: { ...req, topics: ok }, complete: appendTo('topics', extra) };
  },
  // OffsetFetch: DESCRIBE on the group; committed offsets of topics it may not DESCRIBE are hidden.
  9: (a, req, ctx) => {
    const hide = (topics: any[] | undefined) => (topics ?? []).filter((t: any) => a.topic(Op.DESCRIBE, t.name));
    if (ctx.apiVersion < 8) {
      if (!a.group(Op.DESCRIBE, req.groupId)) return { deny: GROUP_DENIED };
      return { request: req, complete: (res) => ({ ...res, topics: hide(res.topics) }) };
    }
    const [ok, no] = split(req.groups, (g: any) => g.groupId, (n) => a.group(Op.DESCRIBE, n));
    const extra = no.map((g: any) => ({ groupId: g.groupId, topics: [], errorCode: GROUP_DENIED }));
    return { request: { ...req, groups: ok }, complete: (res) => ({ ...res, groups: [...(res.groups ?? []).map((g: any) => ({ ...g, topics: hide(g.topics) })), ...extra] }) };
  },
  // FindCoordinator: DESCRIBE on the group or transactional id.
  10: (a, req, ctx) => {
    const may = (key: string) => (req.keyType === 1 ? a.txn(Op.DESCRIBE, key) : a.group(Op.DESCRIBE, key));
    const err = req.keyType === 1 ? TXN_DENIED : GROUP_DENIED;
    if (ctx.apiVersion < 4) return may(req.key) ? null : { deny: err };
    const [ok, no] = split(req.coordinatorKeys as string[], (k) => k, may);
    if (!no.length) return null;
    const extra = no.map((key) => ({ key, nodeId: -1, host: '', port: -1, errorCode: err, errorMessage: AUTH_FAILED_MESSAGE }));
    return { request: { ...req, coordinatorKeys: ok }, complete: appendTo('coordinators', extra) };
  },
  11: groupRule(Op.READ), // JoinGroup
  12: groupRule(Op.READ), // Heartbeat
  13: groupRule(Op.READ), // LeaveGroup
  14: groupRule(Op.READ), // SyncGroup
  // DescribeGroups: DESCRIBE on each group.
  15: (a, req) => {
    const [ok, no] = split(req.groups as string[], (g) => g, (g) => a.group(Op.DESCRIBE, g));
    if (!no.length) return null;
    const extra = no.map((groupId) => ({ errorCode: GROUP_DENIED, groupId, groupState: '', protocolType: '', protocolData: '', members: [] }));
    return { request: { ...req, groups: ok }, complete: appendTo('groups', extra) };
  },
  // ListGroups: everything with DESCRIBE on the cluster, else the groups it may DESCRIBE.
  16: (a, req) => (a.cluster(Op.DESCRIBE) ? null : { request: req, complete: (res) => ({ ...res, groups: (res.groups ?? []).filter((g: any) => a.group(Op.DESCRIBE, g.groupId)) }) }),
  // CreateTopics: CREATE on the cluster or on the topic.
  19: (a, req) => {
    if (a.cluster(Op.CREATE)) return null;
    const [ok, no] = split(req.topics, (t: any) => t.name, (n) => a.topic(Op.CREATE, n));
    if (!no.length) return null;
    const extra = no.map((t: any) => ({ name: t.name, errorCode: TOPIC_DENIED, errorMessage: AUTH_FAILED_MESSAGE, numPartitions: -1, replicationFactor: -1, configs: null }));
    return { request: { ...req, topics: ok }, complete: appendTo('topics', extra) };
  },
  // DeleteTopics: DELETE on each topic (by name or id).
  20: (a, req, ctx) => {
    if (ctx.apiVersion < 6) {
      const [ok, no] = split(req.topicNames as string[], (n) => n, (n) => a.topic(Op.DELETE, n));
      if (!no.length) return null;
      return { request: { ...req, topicNames: ok }, complete: appendTo('responses', no.map((name) => ({ name, errorCode: TOPIC_DENIED, errorMessage: AUTH_FAILED_MESSAGE }))) };
    }
    const [ok, no] = split(req.topics, (t: any) => t.name ?? a.topics.nameOf(t.topicId) ?? '', (n) => a.topic(Op.DELETE, n));
    if (!no.length) return null;
    return { request: { ...req, topics: ok }, complete: appendTo('responses', no.map((t: any) => ({ name: t.name, topicId: t.topicId, errorCode: TOPIC_DENIED, errorMessage: AUTH_FAILED_MESSAGE }))) };
  },
  // DeleteRecords: DELETE on each topic.
  21: (a, req) => {
    const [ok, no] = split(req.topics, (t: any) => t.name, (n) => a.topic(Op.DELETE, n));
    if (!no.length) return null;
    const extra = no.map((t: any) => ({ name: t.name, partitions: partitionErrors(t.partitions, (p) => p.partitionIndex, (partitionIndex) => ({ partitionIndex, lowWatermark: -1n, errorCode: TOPIC_DENIED })) }));
    return { request: { ...req, topics: ok }, complete: appendTo('topics', extra) };
  },
  // InitProducerId: WRITE on the transactional id; an idempotent producer IDEMPOTENT_WRITE on the cluster or WRITE on some topic.
  22: (a, req) => {
    if (req.transactionalId != null) return a.txn(Op.WRITE, req.transactionalId) ? null : { deny: TXN_DENIED };
    return a.cluster(Op.IDEMPOTENT_WRITE) || a.az.authorizeAny(a.ctx.session, Op.WRITE, R.TOPIC) ? null : { deny: CLUSTER_DENIED };
  },
  // OffsetForLeaderEpoch: DESCRIBE on each topic (a follower: CLUSTER_ACTION).
  23: (a, req) => {
    if ((req.replicaId ?? -2) >= 0) return a.cluster(Op.CLUSTER_ACTION) ? null : { deny: CLUSTER_DENIED };
    const [ok, no] = split(req.topics, (t: any) => t.topic, (n) => a.topic(Op.DESCRIBE, n));
    if (!no.length) return null;
    const extra = no.map((t: any) => ({ topic: t.topic, partitions: partitionErrors(t.partitions, (p) => p.partition, (partition) => ({ errorCode: TOPIC_DENIED, partition })) }));
    return { request: { ...req, topics: ok }, complete: appendTo('topics', extra) };
  },
  // AddPartitionsToTxn: WRITE on the transactional id and on every topic; one refused
  // topic fails the request (the others OPERATION_NOT_ATTEMPTED), as Kafka does.
  24: (a, req, ctx) => {
    const check = (id: string, topics: any[]) => {
      const txnOk = a.txn(Op.WRITE, id);
      const bad = txnOk ? topics.filter((t) => !a.topic(Op.WRITE, t.name)) : topics;
      if (!bad.length) return null;
      return topics.map((t) => ({ name: t.name, resultsByPartition: (t.partitions as number[]).map((partitionIndex) => ({ partitionIndex, partitionErrorCode: !txnOk ? TXN_DENIED : bad.includes(t) ? TOPIC_DENIED : NOT_ATTEMPTED })) }));
    };
    if (ctx.apiVersion < 4) {
      const results = check(req.v3AndBelowTransactionalId, req.v3AndBelowTopics ?? []);
      return results ? { request: null, complete: () => ({ resultsByTopicV3AndBelow: results }) } : null;
    }
    if (!a.cluster(Op.CLUSTER_ACTION)) {
      const denied: any[] = []; const ok: any[] = [];
      for (const t of req.transactions ?? []) { const r = check(t.transactionalId, t.topics ?? []); if (r) denied.push({ transactionalId: t.transactionalId, topicResults: r }); else ok.push(t); }
      if (!denied.length) return null;
      return { request: { ...req, transactions: ok }, complete: appendTo('resultsByTransaction', denied) };
    }
    return null;
  },
  // AddOffsetsToTxn: WRITE on the transactional id, READ on the group.
  25: (a, req) => (!a.txn(Op.WRITE, req.transactionalId) ? { deny: TXN_DENIED } : !a.group(Op.READ, req.groupId) ? { deny: GROUP_DENIED } : null),
  26: (a, req) => (a.txn(Op.WRITE, req.transactionalId) ? null : { deny: TXN_DENIED }), // EndTxn
  27: cluster(Op.CLUSTER_ACTION), // WriteTxnMarkers
  // TxnOffsetCommit: WRITE on the transactional id, READ on the group and each topic.
  28: (a, req) => {
    const whole = !a.txn(Op.WRITE, req.transactionalId) ? TXN_DENIED : !a.group(Op.READ, req.groupId) ? GROUP_DENIED : 0;
    const [ok, no] = whole ? [[], req.topics ?? []] : split(req.topics, (t: any) => t.name, (n) => a.topic(Op.READ, n));
    if (!no.length) return null;
    const extra = no.map((t: any) => ({ name: t.name, partitions: partitionErrors(t.partitions, (p) => p.partitionIndex, (partitionIndex) => ({ partitionIndex, errorCode: whole || TOPIC_DENIED })) }));
    if (whole) return { request: null, complete: () => ({ topics: extra }) };
    return { request: { ...req, topics: ok }, complete: appendTo('topics', extra) };
  },
  // DescribeConfigs / AlterConfigs / IncrementalAlterConfigs: (DESCRIBE|ALTER)_CONFIGS on the topic or the cluster.
  32: configsRule(Op.DESCRIBE_CONFIGS, 'results'),
  33: configsRule(Op.ALTER_CONFIGS, 'responses'),
  44: configsRule(Op.ALTER_CONFIGS, 'responses'),
  35: cluster(Op.DESCRIBE), // DescribeLogDirs
  // CreatePartitions: ALTER on each topic.
  37: (a, req) => {
    const [ok, no] = split(req.topics, (t: any) => t.name, (n) => a.topic(Op.ALTER, n));
    if (!no.length) return null;
    return { request: { ...req, topics: ok }, complete: appendTo('results', no.map((t: any) => ({ name: t.name, errorCode: TOPIC_DENIED, errorMessage: AUTH_FAILED_MESSAGE }))) };
  },
  // DeleteGroups: DELETE on each group.
  42: (a, req) => {
    const [ok, no] = split(req.groupsNames as string[], (g) => g, (g) => a.group(Op.DELETE, g));
    if (!no.length) return null;
    return { request: { ...req, groupsNames: ok }, complete: appendTo('results', no.map((groupId) => ({ groupId, errorCode: GROUP_DENIED }))) };
  },
  // OffsetDelete: DELETE on the group, READ on each topic.
  47: (a, req) => {
    if (!a.group(Op.DELETE, req.groupId)) return { deny: GROUP_DENIED };
    const [ok, no] = split(req.topics, (t: any) => t.name, (n) => a.topic(Op.READ, n));
    if (!no.length) return null;
    const extra = no.map((t: any) => ({ name: t.name, partitions: partitionErrors(t.partitions, (p) => p.partitionIndex, (partitionIndex) => ({ partitionIndex, errorCode: TOPIC_DENIED })) }));
    return { request: { ...req, topics: ok }, complete: appendTo('topics', extra) };
  },
  // DescribeProducers: READ on each topic.
  61: (a, req) => {
    const [ok, no] = split(req.topics, (t: any) => t.name, (n) => a.topic(Op.READ, n));
    if (!no.length) return null;
    const extra = no.map((t: any) => ({ name: t.name, partitions: (t.partitionIndexes as number[]).map((partitionIndex) => ({ partitionIndex, errorCode: TOPIC_DENIED, errorMessage: AUTH_FAILED_MESSAGE, activeProducers: [] })) }));
    return { request: { ...req, topics: ok }, complete: appendTo('topics', extra) };
  },
  60: cluster(Op.DESCRIBE), // DescribeCluster
  // DescribeTransactions: DESCRIBE on each transactional id.
  65: (a, req) => {
    const [ok, no] = split(req.transactionalIds as string[], (t) => t, (t) => a.txn(Op.DESCRIBE, t));
    if (!no.length) return null;
    const extra = no.map((transactionalId) => ({ errorCode: TXN_DENIED, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1n, producerId: -1n, producerEpoch: -1, topics: [] }));
    return { request: { ...req, transactionalIds: ok }, complete: appendTo('transactionStates', extra) };
  },
  // ListTransactions: the transactional ids it may DESCRIBE.
  66: (a, req) => ({ request: req, complete: (res) => ({ ...res, transactionStates: (res.transactionStates ?? []).filter((t: any) => a.txn(Op.DESCRIBE, t.transactionalId)) }) }),
};

function configsRule(op: number, field: string): Rule {
  return (a, req) => {
    const allowed = (r: any) => (r.resourceType === CONFIG_TOPIC ? a.topic(op, r.resourceName) : r.resourceType === CONFIG_BROKER || r.resourceType === CONFIG_BROKER_LOGGER ? a.cluster(op) : true);
    const [ok, no] = split(req.resources, (r: any) => r, allowed as any) as [any[], any[]];
    if (!no.length) return null;
    const extra = no.map((r: any) => ({ errorCode: r.resourceType === CONFIG_TOPIC ? TOPIC_DENIED : CLUSTER_DENIED, errorMessage: AUTH_FAILED_MESSAGE, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] }));
    return { request: { ...req, resources: ok }, complete: appendTo(field, extra) };
  };
}

/** Wraps one API's handler with its ACL check (APIs without a rule pass through). */
export function authorizingHandler(apiKey: number, handler: Handler, az: Authorizer, topics: TopicLookup): Handler {
  const rule = RULES[apiKey];
  if (!rule) return handler;
  return (ctx, req) => {
    const out = rule(new Check(az, ctx, topics), req, ctx);
    if (out === null) return handler(ctx, req);
    if ('deny' in out) throw new KafkaError(nameOfCode(out.deny));
    const complete = out.complete ?? ((r: any) => r);
    if (out.request === null) return complete({});
    const res = handler(ctx, out.request);
    const fin = (r: any) => (r && typeof r === 'object' && !(r instanceof CloseConnection) ? complete(r) : r);
    return res instanceof Promise ? res.then(fin) : fin(res);
  };
}

function nameOfCode(c: number): 'TOPIC_AUTHORIZATION_FAILED' | 'GROUP_AUTHORIZATION_FAILED' | 'CLUSTER_AUTHORIZATION_FAILED' | 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED' {
  return c === GROUP_DENIED ? 'GROUP_AUTHORIZATION_FAILED' : c === CLUSTER_DENIED ? 'CLUSTER_AUTHORIZATION_FAILED' : c === TXN_DENIED ? 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED' : 'TOPIC_AUTHORIZATION_FAILED';
}
