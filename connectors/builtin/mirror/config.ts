// Kafka's MirrorMaker 2 connector configs (MirrorSourceConfig, MirrorCheckpointConfig,
// MirrorHeartbeatConfig), by Kafka's names and defaults.
import { ConfigDef, Validators, type ConfigValues } from '../../../plugins/sdk/index.ts';
import { DEFAULT_POLICY, POLICIES, replicationPolicy, type ReplicationPolicy } from './policy.ts';

export const TOPICS_EXCLUDE_DEFAULT = '.*[\\-\\.]internal, .*\\.replica, __.*';
export const GROUPS_EXCLUDE_DEFAULT = 'console-consumer-.*, connect-.*, __.*';
/** Kafka's DefaultConfigPropertyFilter: configs that describe the cluster, not the data */
export const CONFIG_PROPERTIES_EXCLUDE_DEFAULT = 'follower\\.replication\\.throttled\\.replicas, leader\\.replication\\.throttled\\.replicas, message\\.timestamp\\.difference\\.max\\.ms, message\\.timestamp\\.type, unclean\\.leader\\.election\\.enable, min\\.insync\\.replicas';

const G = 'Mirror';

function common() {
  return new ConfigDef()
    .define({ name: 'source.cluster.alias', type: 'STRING', importance: 'HIGH', group: G, orderInGroup: 1, documentation: 'Alias of the source cluster (prefix of mirrored topic names with the default policy).', validator: Validators.nonEmptyString() })
    .define({ name: 'target.cluster.alias', type: 'STRING', default: 'target', importance: 'HIGH', group: G, orderInGroup: 2, documentation: 'Alias of the target cluster.', validator: Validators.nonEmptyString() })
    .define({ name: 'source.cluster.bootstrap.servers', type: 'STRING', importance: 'HIGH', group: G, orderInGroup: 3, documentation: 'host:port list of the source cluster.', validator: Validators.nonEmptyString() })
    .define({ name: 'target.cluster.bootstrap.servers', type: 'STRING', importance: 'HIGH', group: G, orderInGroup: 4, documentation: 'host:port list of the target cluster (the one this Connect worker writes to).', validator: Validators.nonEmptyString() })
    .define({ name: 'replication.policy.class', type: 'CLASS', default: DEFAULT_POLICY, importance: 'LOW', group: G, orderInGroup: 5, documentation: 'How remote topics are named: DefaultReplicationPolicy (<alias>.<topic>) or IdentityReplicationPolicy (same name; no cycle detection).', validator: Validators.oneOf(...POLICIES), recommendedValues: POLICIES.slice(0, 2) })
    .define({ name: 'replication.policy.separator', type: 'STRING', default: '.', importance: 'LOW', group: G, orderInGroup: 6, documentation: 'Separator between the cluster alias and the topic name.', validator: Validators.nonEmptyString() })
    .define({ name: 'offset-syncs.topic.location', type: 'STRING', default: 'source', importance: 'LOW', group: G, orderInGroup: 7, documentation: 'Cluster holding mm2-offset-syncs.<target>.internal: source or target.', validator: Validators.oneOf('source', 'target'), recommendedValues: ['source', 'target'] })
    .define({ name: 'offset-syncs.topic.replication.factor', type: 'SHORT', default: 3, importance: 'LOW', group: G, orderInGroup: 8, documentation: 'Replication factor of the offset-syncs topic (capped at the number of brokers).', validator: Validators.range(1, null) })
    .define({ name: 'topics', type: 'LIST', default: '.*', importance: 'HIGH', group: G, orderInGroup: 10, documentation: 'Topics to mirror: comma-separated regular expressions (whole-name match).' })
    .define({ name: 'topics.exclude', type: 'LIST', default: TOPICS_EXCLUDE_DEFAULT, importance: 'HIGH', group: G, orderInGroup: 11, documentation: 'Topics never mirrored: comma-separated regular expressions.' });
}

export function sourceConfig() {
  return common()
    .define({ name: 'replication.factor', type: 'INT', default: 2, importance: 'MEDIUM', group: G, orderInGroup: 20, documentation: 'Replication factor of the remote topics created on the target (capped at its number of brokers).', validator: Validators.range(1, null) })
    .define({ name: 'sync.topic.configs.enabled', type: 'BOOLEAN', default: true, importance: 'MEDIUM', group: G, orderInGroup: 21, documentation: 'Copy topic configs (those set on the source topic) to the remote topic, at creation and periodically.' })
    .define({ name: 'sync.topic.configs.interval.seconds', type: 'LONG', default: 600, importance: 'LOW', group: G, orderInGroup: 22, documentation: 'How often topic configs are synced.', validator: Validators.range(1, null) })
    .define({ name: 'sync.topic.acls.enabled', type: 'BOOLEAN', default: true, importance: 'LOW', group: G, orderInGroup: 23, documentation: 'Copy the source topics\' LITERAL topic ACLs to their remote topics, as Kafka does: ALLOW WRITE is not copied and ALLOW ALL becomes ALLOW READ (only the mirror writes there); DENY entries are copied as they are. Needs an authorizer on both clusters; without one on the source it logs once and stops.' })
    .define({ name: 'sync.topic.acls.interval.seconds', type: 'LONG', default: 600, importance: 'LOW', group: G, orderInGroup: 23, documentation: 'How often topic ACLs are synced.', validator: Validators.range(1, null) })
    .define({ name: 'refresh.topics.enabled', type: 'BOOLEAN', default: true, importance: 'LOW', group: G, orderInGroup: 24, documentation: 'Look for new topics and partitions on the source periodically.' })
    .define({ name: 'refresh.topics.interval.seconds', type: 'LONG', default: 600, importance: 'LOW', group: G, orderInGroup: 25, documentation: 'How often new topics and partitions are looked for.', validator: Validators.range(1, null) })
    .define({ name: 'emit.offset-syncs.enabled', type: 'BOOLEAN', default: true, importance: 'LOW', group: G, orderInGroup: 26, documentation: 'Write offset syncs (needed by checkpoints).' })
    .define({ name: 'offset.lag.max', type: 'LONG', default: 100, importance: 'LOW', group: G, orderInGroup: 27, documentation: 'How far the translated offset may fall behind before a new offset sync is written (smaller: fewer re-read records after a failover, more syncs).', validator: Validators.range(0, null) })
    .define({ name: 'config.properties.exclude', type: 'LIST', default: CONFIG_PROPERTIES_EXCLUDE_DEFAULT, importance: 'LOW', group: G, orderInGroup: 28, documentation: 'Topic configs never synced: comma-separated regular expressions.' });
}

export function checkpointConfig() {
  return common()
    .define({ name: 'groups', type: 'LIST', default: '.*', importance: 'HIGH', group: G, orderInGroup: 30, documentation: 'Consumer groups to checkpoint: comma-separated regular expressions.' })
    .define({ name: 'groups.exclude', type: 'LIST', default: GROUPS_EXCLUDE_DEFAULT, importance: 'HIGH', group: G, orderInGroup: 31, documentation: 'Groups never checkpointed.' })
    .define({ name: 'emit.checkpoints.enabled', type: 'BOOLEAN', default: true, importance: 'LOW', group: G, orderInGroup: 32, documentation: 'Write checkpoints to <source>.checkpoints.internal on the target.' })
    .define({ name: 'emit.checkpoints.interval.seconds', type: 'LONG', default: 60, importance: 'LOW', group: G, orderInGroup: 33, documentation: 'How often checkpoints are written.', validator: Validators.range(1, null) })
    .define({ name: 'sync.group.offsets.enabled', type: 'BOOLEAN', default: false, importance: 'MEDIUM', group: G, orderInGroup: 34, documentation: 'Commit translated offsets into the target\'s __consumer_offsets for groups with no active member there.' })
    .define({ name: 'sync.group.offsets.interval.seconds', type: 'LONG', default: 60, importance: 'LOW', group: G, orderInGroup: 35, documentation: 'How often group offsets are synced.', validator: Validators.range(1, null) })
    .define({ name: 'refresh.groups.enabled', type: 'BOOLEAN', default: true, importance: 'LOW', group: G, orderInGroup: 36, documentation: 'Look for new consumer groups periodically.' })
    .define({ name: 'refresh.groups.interval.seconds', type: 'LONG', default: 600, importance: 'LOW', group: G, orderInGroup: 37, documentation: 'How often new consumer groups are looked for.', validator: Validators.range(1, null) })
    .define({ name: 'checkpoints.topic.replication.factor', type: 'SHORT', default: 3, importance: 'LOW', group: G, orderInGroup: 38, documentation: 'Replication factor of the checkpoints topic (capped at the number of brokers).', validator: Validators.range(1, null) });
}

export function heartbeatConfig() {
  return common()
    .define({ name: 'emit.heartbeats.enabled', type: 'BOOLEAN', default: true, importance: 'LOW', group: G, orderInGroup: 40, documentation: 'Write heartbeats to the target\'s heartbeats topic.' })
    .define({ name: 'emit.heartbeats.interval.seconds', type: 'LONG', default: 1, importance: 'LOW', group: G, orderInGroup: 41, documentation: 'How often heartbeats are written.', validator: Validators.range(1, null) })
    .define({ name: 'heartbeats.topic.replication.factor', type: 'SHORT', default: 3, importance: 'LOW', group: G, orderInGroup: 42, documentation: 'Replication factor of the heartbeats topic (capped at the number of brokers).', validator: Validators.range(1, null) });
}

export type CommonConfig = ConfigValues<ReturnType<typeof common>>;
export type SourceConfig = ConfigValues<ReturnType<typeof sourceConfig>>;
export type CheckpointConfig = ConfigValues<ReturnType<typeof checkpointConfig>>;
export type HeartbeatConfig = ConfigValues<ReturnType<typeof heartbeatConfig>>;

/** Kafka's regex lists: each entry matches a whole name. */
export function regexList(list: string[]): RegExp | null {
  if (!list.length) return null;
  return new RegExp(`^(?:${list.map((r) => `(?:${r})`).join('|')})$`);
}

export function nameFilter(include: string[], exclude: string[]): (name: string) => boolean {
  const inc = regexList(include), exc = regexList(exclude);
  return (n) => !!inc && inc.test(n) && !(exc && exc.test(n));
}

export function policyOf(c: CommonConfig): ReplicationPolicy {
  return replicationPolicy(c['replication.policy.class'], c['replication.policy.separator']);
}

/** The bootstrap of the cluster holding the offset-syncs topic. */
export function offsetSyncsBootstrap(c: CommonConfig): string {
  return c['offset-syncs.topic.location'] === 'target' ? c['target.cluster.bootstrap.servers'] : c['source.cluster.bootstrap.servers'];
}
