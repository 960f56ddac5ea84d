// Broker and topic configuration, with Kafka's names, types and defaults, defined
// with the platform's one config-definition helper (common/config-def.ts, Kafka's
// ConfigDef and its type vocabulary). Validated at start (the failing key is named);
// unknown Kafka names warn. Values are kept as the text given (DescribeConfigs
// answers them so); the helper checks that text.
import { checkValue as checkKey, Validators, type ConfigKey, type ConfigWording, type Validator } from '../common/config-def.ts';

/** A broker or topic config: a key of Kafka's ConfigDef, its default as text (null: none). */
export interface BrokerConfigKey extends ConfigKey {
  default: string | null;
}

/** The broker's wording of a bad value, as its start-up errors and AlterConfigs answers have always said it. */
const BROKER_WORDING: ConfigWording = {
  invalid: (name, shown, reason) => `Invalid value ${JSON.stringify(String(shown))} for configuration ${name}: ${reason}`,
  showRaw: true,
  type: (type, outOfRange) => (outOfRange ? `out of ${type.toLowerCase()} range`
    : ({ INT: 'expected an integer', SHORT: 'expected an integer', LONG: 'expected a long', DOUBLE: 'expected a number', BOOLEAN: 'expected true or false' } as Record<string, string>)[type] ?? `expected ${type.toLowerCase()}`),
  atLeast: (min) => `must be at least ${min}`,
  atMost: (max) => `must be at most ${max}`,
  oneOf: (allowed) => `must be one of ${allowed.join(' | ')}`,
};

const range = (min: number | null, max: number | null): Validator => Validators.range(min, max, BROKER_WORDING);

/**
 * One of `allowed`, compared on the text as given (case-sensitive, as Kafka does); a
 * LIST value as a set of names, so `delete,compact` is `compact,delete`.
 */
function oneOf(allowed: string[]): Validator {
  const set = (s: string) => s.split(',').map((x) => x.trim()).sort().join(',');
  const f: Validator = (name, value, raw) => {
    const text = typeof raw === 'string' ? raw : Array.isArray(value) ? value.join(',') : String(value);
    const list = Array.isArray(value);
    if (!allowed.some((o) => (list ? set(o) === set(text) : o === text))) return BROKER_WORDING.invalid(name, text, BROKER_WORDING.oneOf(allowed));
  };
  f.describe = `[${allowed.join(', ')}]`;
  return f;
}

const H = 3600 * 1000;
/** Kafka's default throttle rate, Long.MAX_VALUE: no throttle. */
export const THROTTLE_OFF = '9223372036854775807';

/** Kafka's ThrottledReplicaListValidator: `*`, or `partition:broker` entries separated by commas (empty: none). */
export function checkThrottledReplicas(value: string): string | null {
  const v = value.trim();
  if (v === '' || v === '*') return null;
  return v.split(',').every((e) => /^\s*\d+\s*:\s*\d+\s*$/.test(e)) ? null : 'must be the literal \'*\' or a list of replicas in the format [partitionId]:[brokerId],[partitionId]:[brokerId],...';
}

/** A check of the value's text beyond its type (the reason it is wrong, or null), in the broker's wording. */
function textCheck(check: (value: string) => string | null): Validator {
  return (name, value, raw) => {
    const text = typeof raw === 'string' ? raw : Array.isArray(value) ? value.join(',') : String(value ?? '');
    const why = check(text);
    if (why) return BROKER_WORDING.invalid(name, text, why);
  };
}

/** Topic-level configs and the broker config that supplies each default. */
export const TOPIC_CONFIGS: (BrokerConfigKey & { broker?: string })[] = [
  { name: 'cleanup.policy', type: 'LIST', default: 'delete', documentation: 'delete, compact, or both', broker: 'log.cleanup.policy', validator: oneOf(['delete', 'compact', 'compact,delete', 'delete,compact']) },
  { name: 'compression.type', type: 'STRING', default: 'producer', documentation: 'Batches are stored as produced (producer).', broker: 'compression.type', validator: oneOf(['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd']) },
  { name: 'delete.retention.ms', type: 'LONG', default: String(24 * H), documentation: 'How long tombstones are kept on compacted topics.', broker: 'log.cleaner.delete.retention.ms', validator: range(0, null) },
  { name: 'file.delete.delay.ms', type: 'LONG', default: '60000', documentation: 'Delay before deleting a file from the filesystem.', broker: 'log.segment.delete.delay.ms', validator: range(0, null) },
  { name: 'flush.messages', type: 'LONG', default: String(Number.MAX_SAFE_INTEGER), documentation: 'fsync after this many messages.', broker: 'log.flush.interval.messages', validator: range(1, null) },
  { name: 'flush.ms', type: 'LONG', default: String(Number.MAX_SAFE_INTEGER), documentation: 'fsync at least this often.', broker: 'log.flush.interval.ms', validator: range(0, null) },
  { name: 'index.interval.bytes', type: 'INT', default: '4096', documentation: 'Bytes of log between offset index entries.', broker: 'log.index.interval.bytes', validator: range(0, null) },
  { name: 'local.retention.bytes', type: 'LONG', default: '-2', documentation: 'Local bytes kept when tiered storage is on (-2: retention.bytes).', broker: 'log.local.retention.bytes', validator: range(-2, null) },
  { name: 'local.retention.ms', type: 'LONG', default: '-2', documentation: 'Local time kept when tiered storage is on (-2: retention.ms).', broker: 'log.local.retention.ms', validator: range(-2, null) },
  { name: 'max.compaction.lag.ms', type: 'LONG', default: String(Number.MAX_SAFE_INTEGER), documentation: 'Maximum time a message stays uncompacted.', broker: 'log.cleaner.max.compaction.lag.ms', validator: range(1, null) },
  { name: 'max.message.bytes', type: 'INT', default: '1048588', documentation: 'Largest record batch size allowed.', broker: 'message.max.bytes', validator: range(0, null) },
  { name: 'message.timestamp.type', type: 'STRING', default: 'CreateTime', documentation: 'CreateTime or LogAppendTime.', broker: 'log.message.timestamp.type', validator: oneOf(['CreateTime', 'LogAppendTime']) },
  { name: 'min.cleanable.dirty.ratio', type: 'DOUBLE', default: '0.5', documentation: 'Dirty ratio above which the cleaner compacts.', broker: 'log.cleaner.min.cleanable.ratio', validator: range(0, 1) },
  { name: 'min.compaction.lag.ms', type: 'LONG', default: '0', documentation: 'Minimum age before a message can be compacted.', broker: 'log.cleaner.min.compaction.lag.ms', validator: range(0, null) },
  { name: 'min.insync.replicas', type: 'INT', default: '1', documentation: 'Replicas that must acknowledge an acks=all write.', broker: 'min.insync.replicas', validator: range(1, null) },
  { name: 'preallocate', type: 'BOOLEAN', default: 'false', documentation: 'Accepted for compatibility; segments are not preallocated.', broker: 'log.preallocate' },
  { name: 'remote.storage.enable', type: 'BOOLEAN', default: 'false', documentation: 'Tier closed segments of this topic to S3.' },
  { name: 'retention.bytes', type: 'LONG', default: '-1', documentation: 'Maximum partition size before old segments are deleted (-1: none).', broker: 'log.retention.bytes', validator: range(-1, null) },
  { name: 'retention.ms', type: 'LONG', default: String(168 * H), documentation: 'Maximum age before old segments are deleted (-1: none).', broker: 'log.retention.ms', validator: range(-1, null) },
  { name: 'segment.bytes', type: 'INT', default: String(1024 * 1024 * 1024), documentation: 'Segment file size.', broker: 'log.segment.bytes', validator: range(14, null) },
  { name: 'segment.index.bytes', type: 'INT', default: String(10 * 1024 * 1024), documentation: 'Accepted for compatibility; indexes grow as needed.', broker: 'log.index.size.max.bytes', validator: range(4, null) },
  { name: 'segment.jitter.ms', type: 'LONG', default: '0', documentation: 'Accepted for compatibility.', broker: 'log.roll.jitter.ms', validator: range(0, null) },
  { name: 'segment.ms', type: 'LONG', default: String(168 * H), documentation: 'Time after which the active segment rolls.', broker: 'log.roll.ms', validator: range(1, null) },
  { name: 'unclean.leader.election.enable', type: 'BOOLEAN', default: 'false', documentation: 'Allow out-of-sync replicas to become leader.', broker: 'unclean.leader.election.enable' },
  // KIP-73: which replicas of this topic are throttled, `partition:broker,...` or `*` (kafka-reassign-partitions.sh --throttle sets them).
  { name: 'leader.replication.throttled.replicas', type: 'LIST', default: '', documentation: 'Replicas whose replication is throttled on the leader side (partition:broker of the leader serving it, or *), at leader.replication.throttled.rate.', validator: textCheck(checkThrottledReplicas) },
  { name: 'follower.replication.throttled.replicas', type: 'LIST', default: '', documentation: 'Replicas whose replication is throttled on the follower side (partition:broker of the follower fetching it, or *), at follower.replication.throttled.rate.', validator: textCheck(checkThrottledReplicas) },
  { name: 'message.downconversion.enable', type: 'BOOLEAN', default: 'true', documentation: 'Accepted for compatibility.' },
  // Deprecated in Kafka 3.0 (KIP-724) and ignored there: batches stay magic v2. librdkafka's test 0092 sets it.
  { name: 'message.format.version', type: 'STRING', default: '3.0-IV1', documentation: 'Accepted for compatibility and ignored, as Kafka 3.x does: record batches are always stored as magic v2.' },
];

export const TOPIC_CONFIG_BY_NAME = new Map(TOPIC_CONFIGS.map((c) => [c.name, c]));

/** Broker-level configs (Kafka's names). Topic defaults derive from the log.* ones. */
export const BROKER_CONFIGS: BrokerConfigKey[] = [
  { name: 'node.id', type: 'INT', default: '0', documentation: 'This broker\'s id.', validator: range(0, null) },
  { name: 'broker.id', type: 'INT', default: '-1', documentation: 'Alias of node.id.' },
  { name: 'cluster.id', type: 'STRING', default: null, documentation: 'Cluster id; generated on first start and kept in meta.properties.' },
  { name: 'broker.rack', type: 'STRING', default: null, documentation: 'Rack of this broker; replica placement spreads each partition over racks.' },
  { name: 'replica.selector.class', type: 'STRING', default: '', documentation: 'KIP-392: org.apache.kafka.common.replica.RackAwareReplicaSelector lets consumers that send client.rack fetch from an in-sync replica in their rack (the leader answers preferred_read_replica); org.apache.kafka.common.replica.LeaderSelector: consumers read from the leader, and followers serve v11+ consumers that fetch from them (as Kafka); empty: only the leader serves fetches.', validator: oneOf(['', 'org.apache.kafka.common.replica.RackAwareReplicaSelector', 'org.apache.kafka.common.replica.LeaderSelector']) },
  { name: 'metadata.store.url', type: 'STRING', default: null, documentation: 'Cluster metadata store (postgres://USER@HOST:PORT/DB); brokers sharing one database form one cluster. Unset: a single node with a local metadata file.' },
  { name: 'broker.session.timeout.ms', type: 'INT', default: '9000', documentation: 'A broker whose registration lease is not renewed for this long is fenced and its partitions get new leaders.', validator: range(1000, null) },
  { name: 'broker.heartbeat.interval.ms', type: 'INT', default: '2000', documentation: 'How often a broker renews its registration lease (at most a third of broker.session.timeout.ms is used).', validator: range(100, null) },
  { name: 'controlled.shutdown.enable', type: 'BOOLEAN', default: 'true', documentation: 'On SIGTERM move leadership of this broker\'s partitions to other replicas before stopping.' },
  { name: 'auto.leader.rebalance.enable', type: 'BOOLEAN', default: 'true', documentation: 'The controller moves leadership back to each partition\'s preferred replica when it is in sync.' },
  { name: 'leader.imbalance.check.interval.seconds', type: 'LONG', default: '300', documentation: 'How often the controller checks preferred-leader imbalance.', validator: range(1, null) },
  { name: 'leader.imbalance.per.broker.percentage', type: 'INT', default: '10', documentation: 'Imbalance per broker above which the controller rebalances leaders.', validator: range(0, 100) },
  { name: 'replica.lag.time.max.ms', type: 'LONG', default: '30000', documentation: 'A follower not caught up for this long leaves the ISR.', validator: range(1, null) },
  { name: 'replica.fetch.max.bytes', type: 'INT', default: '1048576', documentation: 'Bytes a follower asks for per partition in one fetch (at least one batch is always returned).', validator: range(0, null) },
  { name: 'replica.fetch.response.max.bytes', type: 'INT', default: '10485760', documentation: 'Bytes a follower asks for in one fetch response, all partitions together.', validator: range(0, null) },
  { name: 'replica.fetch.wait.max.ms', type: 'INT', default: '500', documentation: 'How long a follower\'s fetch waits at the leader for new data.', validator: range(0, null) },
  { name: 'replica.fetch.min.bytes', type: 'INT', default: '1', documentation: 'Bytes a follower\'s fetch waits for at the leader.', validator: range(1, null) },
  { name: 'max.incremental.fetch.session.cache.slots', type: 'INT', default: '1000', documentation: 'KIP-227: fetch sessions this broker keeps (followers\' and consumers\' incremental fetches); 0 answers every fetch without a session.', validator: range(0, null) },
  { name: 'replica.fetch.backoff.ms', type: 'INT', default: '1000', documentation: 'How long a follower waits before fetching a partition again after an error.', validator: range(0, null) },
  { name: 'leader.replication.throttled.rate', type: 'LONG', default: THROTTLE_OFF, documentation: 'KIP-73: bytes/s this broker sends to followers of throttled replicas (leader.replication.throttled.replicas) that are not in the ISR. Dynamic.', validator: range(0, null) },
  { name: 'follower.replication.throttled.rate', type: 'LONG', default: THROTTLE_OFF, documentation: 'KIP-73: bytes/s this broker fetches for its throttled replicas (follower.replication.throttled.replicas) while they are not caught up. Dynamic.', validator: range(0, null) },
  { name: 'replica.socket.timeout.ms', type: 'INT', default: '30000', documentation: 'Timeout of a follower\'s requests to its leader (beyond replica.fetch.wait.max.ms).', validator: range(1, null) },
  { name: 'admin.listeners', type: 'STRING', default: null, documentation: 'Admin HTTP listeners (http://HOST:PORT, comma-separated) serving /metrics, /health and /ready; unset: none. The CLI sets it from --admin-port.' },
  { name: 'advertised.listeners', type: 'STRING', default: null, documentation: 'NAME://host:port per listener, what Metadata tells clients of that listener (unset: as bound).' },
  // Security (server/security/): each ssl.* / sasl.* name may also be given per listener as listener.name.<name>.<config>.
  { name: 'listeners', type: 'LIST', default: null, documentation: 'NAME://host:port listeners (PLAINTEXT://127.0.0.1:9092,SASL_SSL://0.0.0.0:9093); unset: PLAINTEXT on --host/--kafka-port. --host/--kafka-port, when given, replace the first listener\'s.' },
  { name: 'listener.security.protocol.map', type: 'LIST', default: 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL', documentation: 'Listener name to security protocol.' },
  { name: 'inter.broker.listener.name', type: 'STRING', default: null, documentation: 'The listener brokers use to reach each other (unset: the first listener).' },
  { name: 'sasl.mechanism.inter.broker.protocol', type: 'STRING', default: 'GSSAPI', documentation: 'SASL mechanism of inter-broker connections over a SASL listener: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (the username/password of the listener\'s JAAS config for it is this broker\'s login).' },
  { name: 'ssl.endpoint.identification.algorithm', type: 'STRING', default: 'https', documentation: 'Inter-broker TLS: https checks the other broker\'s certificate names its host; empty does not.' },
  { name: 'ssl.keystore.type', type: 'STRING', default: 'PEM', documentation: 'PEM only (KIP-651).', validator: oneOf(['PEM']) },
  { name: 'ssl.keystore.location', type: 'STRING', default: null, documentation: 'PEM file with the private key and certificate chain; watched and reloaded when it changes.' },
  { name: 'ssl.keystore.certificate.chain', type: 'PASSWORD', default: null, documentation: 'PEM certificate chain, inline.' },
  { name: 'ssl.keystore.key', type: 'PASSWORD', default: null, documentation: 'PEM private key, inline.' },
  { name: 'ssl.key.password', type: 'PASSWORD', default: null, documentation: 'Password of an encrypted PEM private key.' },
  { name: 'ssl.truststore.type', type: 'STRING', default: 'PEM', documentation: 'PEM only.', validator: oneOf(['PEM']) },
  { name: 'ssl.truststore.location', type: 'STRING', default: null, documentation: 'PEM file of CA certificates trusted for client certificates.' },
  { name: 'ssl.truststore.certificates', type: 'PASSWORD', default: null, documentation: 'PEM CA certificates, inline.' },
  { name: 'ssl.client.auth', type: 'STRING', default: 'none', documentation: 'Client certificates: none, requested, required.', validator: oneOf(['none', 'requested', 'required']) },
  { name: 'ssl.principal.mapping.rules', type: 'STRING', default: 'DEFAULT', documentation: 'Client certificate subject to principal name: RULE:pattern/replacement/[LU],…,DEFAULT.' },
  { name: 'sasl.enabled.mechanisms', type: 'LIST', default: 'GSSAPI', documentation: 'SASL mechanisms of SASL listeners: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER.' },
  { name: 'sasl.server.max.receive.size', type: 'INT', default: '524288', documentation: 'Largest frame accepted before authentication.', validator: range(1, null) },
  { name: 'connection.failed.authentication.delay.ms', type: 'INT', default: '100', documentation: 'A failed authentication is answered (and the connection closed) this late; doubled for each further failure from the same address within the window below.', validator: range(0, null) },
  { name: 'connection.failed.authentication.max.per.ip', type: 'INT', default: '0', documentation: 'Tributary: failed SASL authentications from one address within the window after which its new connections to SASL listeners are closed at once, until the oldest failure ages out (0, the default: no lock-out; the growing delay still applies). Off by default because it also shuts out the good clients of that host: one connector with a wrong password would lock out its whole Connect worker.', validator: range(0, null) },
  { name: 'connection.failed.authentication.window.ms', type: 'LONG', default: '60000', documentation: 'Tributary: the window over which failed authentications per address are counted.', validator: range(1, null) },
  { name: 'connection.failed.authentication.max.delay.ms', type: 'INT', default: '5000', documentation: 'Tributary: cap of the growing failed-authentication delay.', validator: range(0, null) },
  { name: 'connections.max.reauth.ms', type: 'LONG', default: '0', documentation: 'KIP-368: SASL sessions last this long (or until an OAUTHBEARER token expires); a connection that has not re-authenticated by then is closed. 0: sessions do not expire.', validator: range(0, null) },
  { name: 'sasl.oauthbearer.jwks.endpoint.url', type: 'STRING', default: null, documentation: 'OAUTHBEARER: the JWKS whose keys sign accepted JWTs (file:// or http(s)://).' },
  { name: 'sasl.oauthbearer.jwks.endpoint.refresh.ms', type: 'LONG', default: '3600000', documentation: 'OAUTHBEARER: how often the JWKS is reloaded (also reloaded when a token names an unknown kid).', validator: range(0, null) },
  { name: 'sasl.oauthbearer.jwks.endpoint.retry.backoff.ms', type: 'LONG', default: '100', documentation: 'OAUTHBEARER: shortest wait between JWKS reloads caused by unknown key ids.', validator: range(0, null) },
  { name: 'sasl.oauthbearer.expected.audience', type: 'LIST', default: null, documentation: 'OAUTHBEARER: a token\'s aud must hold one of these (unset: not checked).' },
  { name: 'sasl.oauthbearer.expected.issuer', type: 'STRING', default: null, documentation: 'OAUTHBEARER: a token\'s iss must equal this (unset: not checked).' },
  { name: 'sasl.oauthbearer.sub.claim.name', type: 'STRING', default: 'sub', documentation: 'OAUTHBEARER: the claim whose value is the principal name.' },
  { name: 'sasl.oauthbearer.clock.skew.seconds', type: 'INT', default: '30', documentation: 'OAUTHBEARER: clock difference allowed when checking exp and nbf.', validator: range(0, null) },
  { name: 'authorizer.class.name', type: 'STRING', default: '', documentation: 'org.apache.kafka.metadata.authorizer.StandardAuthorizer (or kafka.security.authorizer.AclAuthorizer) switches ACLs on; empty: every request allowed.', validator: oneOf(['', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'kafka.security.authorizer.AclAuthorizer', 'kafka.security.auth.SimpleAclAuthorizer']) },
  { name: 'super.users', type: 'STRING', default: null, documentation: 'Principals allowed everything, semicolon-separated (User:admin;User:ANONYMOUS).' },
  { name: 'allow.everyone.if.no.acl.found', type: 'BOOLEAN', default: 'false', documentation: 'Allow a resource that has no ACL at all.' },
  { name: 'num.partitions', type: 'INT', default: '1', documentation: 'Partitions of auto-created topics.', validator: range(1, null) },
  { name: 'default.replication.factor', type: 'INT', default: '1', documentation: 'Replication factor of auto-created topics.', validator: range(1, null) },
  { name: 'auto.create.topics.enable', type: 'BOOLEAN', default: 'true', documentation: 'Create topics on first metadata request or produce.' },
  { name: 'delete.topic.enable', type: 'BOOLEAN', default: 'true', documentation: 'Allow DeleteTopics.' },
  { name: 'log.segment.bytes', type: 'INT', default: String(1024 * 1024 * 1024), documentation: 'Default segment.bytes.', validator: range(14, null) },
  { name: 'log.roll.ms', type: 'LONG', default: null, documentation: 'Default segment.ms.' },
  { name: 'log.roll.hours', type: 'INT', default: '168', documentation: 'Default segment.ms in hours.', validator: range(1, null) },
  { name: 'log.tail.cache.bytes', type: 'LONG', default: String(64 * 1024 * 1024), documentation: 'Tributary: memory for the latest appended batches (all partitions together) so fetches at the tail skip the segment file; a batch of a large Produce request counts its share of the request buffer it keeps alive; 0 turns it off.', validator: range(0, null) },
  { name: 'log.index.interval.bytes', type: 'INT', default: '4096', documentation: 'Default index.interval.bytes.', validator: range(0, null) },
  { name: 'log.flush.interval.messages', type: 'LONG', default: String(Number.MAX_SAFE_INTEGER), documentation: 'Default flush.messages.', validator: range(1, null) },
  { name: 'log.flush.interval.ms', type: 'LONG', default: null, documentation: 'Default flush.ms.' },
  { name: 'log.flush.scheduler.interval.ms', type: 'LONG', default: '1000', documentation: 'How often flush.ms and segment.ms are checked.', validator: range(1, null) },
  { name: 'log.retention.ms', type: 'LONG', default: null, documentation: 'Default retention.ms.' },
  { name: 'log.retention.minutes', type: 'INT', default: null, documentation: 'Default retention in minutes.' },
  { name: 'log.retention.hours', type: 'INT', default: '168', documentation: 'Default retention in hours.' },
  { name: 'log.retention.bytes', type: 'LONG', default: '-1', documentation: 'Default retention.bytes.' },
  { name: 'log.retention.check.interval.ms', type: 'LONG', default: '300000', documentation: 'How often retention runs.', validator: range(1, null) },
  { name: 'log.cleanup.policy', type: 'LIST', default: 'delete', documentation: 'Default cleanup.policy.', validator: oneOf(['delete', 'compact', 'compact,delete', 'delete,compact']) },
  { name: 'log.cleaner.enable', type: 'BOOLEAN', default: 'true', documentation: 'Run the log cleaner for compacted topics.' },
  { name: 'log.cleaner.backoff.ms', type: 'LONG', default: '15000', documentation: 'Sleep between cleaner runs when nothing is dirty.', validator: range(0, null) },
  { name: 'log.cleaner.delete.retention.ms', type: 'LONG', default: String(24 * H), documentation: 'Default delete.retention.ms.', validator: range(0, null) },
  { name: 'log.cleaner.min.cleanable.ratio', type: 'DOUBLE', default: '0.5', documentation: 'Default min.cleanable.dirty.ratio.', validator: range(0, 1) },
  { name: 'log.cleaner.min.compaction.lag.ms', type: 'LONG', default: '0', documentation: 'Default min.compaction.lag.ms.', validator: range(0, null) },
  { name: 'log.cleaner.max.compaction.lag.ms', type: 'LONG', default: String(Number.MAX_SAFE_INTEGER), documentation: 'Default max.compaction.lag.ms.', validator: range(1, null) },
  { name: 'log.message.timestamp.type', type: 'STRING', default: 'CreateTime', documentation: 'Default message.timestamp.type.', validator: oneOf(['CreateTime', 'LogAppendTime']) },
  { name: 'log.preallocate', type: 'BOOLEAN', default: 'false', documentation: 'Default preallocate.' },
  { name: 'log.index.size.max.bytes', type: 'INT', default: String(10 * 1024 * 1024), documentation: 'Default segment.index.bytes.' },
  { name: 'log.roll.jitter.ms', type: 'LONG', default: '0', documentation: 'Default segment.jitter.ms.' },
  { name: 'log.segment.delete.delay.ms', type: 'LONG', default: '60000', documentation: 'Default file.delete.delay.ms.' },
  { name: 'log.local.retention.ms', type: 'LONG', default: '-2', documentation: 'Default local.retention.ms.' },
  { name: 'log.local.retention.bytes', type: 'LONG', default: '-2', documentation: 'Default local.retention.bytes.' },
  { name: 'message.max.bytes', type: 'INT', default: '1048588', documentation: 'Default max.message.bytes.', validator: range(0, null) },
  { name: 'compression.type', type: 'STRING', default: 'producer', documentation: 'Default compression.type.', validator: oneOf(['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd']) },
  { name: 'min.insync.replicas', type: 'INT', default: '1', documentation: 'Default min.insync.replicas.', validator: range(1, null) },
  { name: 'unclean.leader.election.enable', type: 'BOOLEAN', default: 'false', documentation: 'Default unclean.leader.election.enable.' },
  { name: 'socket.request.max.bytes', type: 'INT', default: '104857600', documentation: 'Largest request frame accepted; larger closes the connection.', validator: range(1, null) },
  { name: 'connections.max.idle.ms', type: 'LONG', default: '600000', documentation: 'Idle connections are closed after this.', validator: range(1, null) },
  { name: 'offsets.topic.num.partitions', type: 'INT', default: '50', documentation: 'Partitions of __consumer_offsets.', validator: range(1, null) },
  { name: 'offsets.topic.replication.factor', type: 'INT', default: '3', documentation: 'Replication factor of __consumer_offsets in a cluster (a single node keeps one copy); it is created once that many brokers are alive.', validator: range(1, null) },
  { name: 'offsets.topic.segment.bytes', type: 'INT', default: String(100 * 1024 * 1024), documentation: 'segment.bytes of __consumer_offsets.', validator: range(1, null) },
  { name: 'offsets.retention.minutes', type: 'INT', default: '10080', documentation: 'Committed offsets of empty groups expire after this.', validator: range(1, null) },
  { name: 'offsets.retention.check.interval.ms', type: 'LONG', default: '600000', documentation: 'How often expired offsets are removed.', validator: range(1, null) },
  { name: 'offset.metadata.max.bytes', type: 'INT', default: '4096', documentation: 'Largest commit metadata string.', validator: range(0, null) },
  { name: 'group.initial.rebalance.delay.ms', type: 'INT', default: '3000', documentation: 'Wait for more members before the first rebalance of an empty group.', validator: range(0, null) },
  { name: 'group.min.session.timeout.ms', type: 'INT', default: '6000', documentation: 'Smallest session timeout a member may ask for.', validator: range(0, null) },
  { name: 'group.max.session.timeout.ms', type: 'INT', default: '1800000', documentation: 'Largest session timeout a member may ask for.', validator: range(0, null) },
  { name: 'group.max.size', type: 'INT', default: '2147483647', documentation: 'Maximum members per group.', validator: range(1, null) },
  { name: 'transaction.state.log.num.partitions', type: 'INT', default: '50', documentation: 'Partitions of __transaction_state.', validator: range(1, null) },
  { name: 'transaction.state.log.replication.factor', type: 'INT', default: '3', documentation: 'Replication factor of __transaction_state in a cluster (a single node keeps one copy); it is created once that many brokers are alive.', validator: range(1, null) },
  { name: 'transaction.max.timeout.ms', type: 'INT', default: '900000', documentation: 'Largest transaction timeout a producer may ask for.', validator: range(1, null) },
  { name: 'transaction.abort.timed.out.transaction.cleanup.interval.ms', type: 'INT', default: '10000', documentation: 'How often timed-out transactions are aborted.', validator: range(1, null) },
  { name: 'transactional.id.expiration.ms', type: 'INT', default: '604800000', documentation: 'Idle transactional ids expire after this.', validator: range(1, null) },
  { name: 'producer.id.expiration.ms', type: 'INT', default: '86400000', documentation: 'Idle idempotent producer state expires after this.', validator: range(1, null) },
  { name: 'remote.log.storage.system.enable', type: 'BOOLEAN', default: 'false', documentation: 'Enable tiered storage on this broker.' },
  { name: 'tiered.s3.endpoint', type: 'STRING', default: null, documentation: 'S3 endpoint URL (MinIO, R2, s3rver); empty for AWS.' },
  { name: 'tiered.s3.region', type: 'STRING', default: 'us-east-1', documentation: 'S3 region.' },
  { name: 'tiered.s3.bucket', type: 'STRING', default: null, documentation: 'Bucket for tiered segments.' },
  { name: 'tiered.s3.prefix', type: 'STRING', default: 'tributary/', documentation: 'Key prefix for tiered segments.' },
  { name: 'tiered.s3.force.path.style', type: 'BOOLEAN', default: 'false', documentation: 'Path-style addressing (MinIO, s3rver).' },
  { name: 'remote.log.manager.task.interval.ms', type: 'LONG', default: '30000', documentation: 'How often tiered storage uploads closed segments and applies local and total retention.', validator: range(10, null) },
  { name: 'remote.log.manager.task.retry.backoff.ms', type: 'LONG', default: '500', documentation: 'First wait before retrying a failed upload; doubles on each failure.', validator: range(1, null) },
  { name: 'remote.log.manager.task.retry.backoff.max.ms', type: 'LONG', default: '30000', documentation: 'Longest wait between upload retries while remote storage is down.', validator: range(1, null) },
  { name: 'tiered.cache.bytes', type: 'LONG', default: String(64 * 1024 * 1024), documentation: 'Memory for remote segment ranges and indexes read from S3 (LRU).', validator: range(0, null) },
];

export const BROKER_CONFIG_BY_NAME = new Map(BROKER_CONFIGS.map((c) => [c.name, c]));

/**
 * Broker configs AlterConfigs / IncrementalAlterConfigs may change at runtime on a
 * BROKER resource: the defaults of topic configs (Kafka's DynamicLogConfig), which
 * take effect at once for every topic without its own override, and the replication
 * throttle rates.
 */
export const DYNAMIC_BROKER_CONFIGS = new Set([
  ...TOPIC_CONFIGS.flatMap((t) => (t.broker && BROKER_CONFIG_BY_NAME.has(t.broker) ? [t.broker] : [])),
  // replication throttles (KIP-73), set per broker by kafka-configs.sh / kafka-reassign-partitions.sh --throttle
  'leader.replication.throttled.rate', 'follower.replication.throttled.rate',
]);

/** DescribeConfigs config_source values. */
export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1, DYNAMIC_BROKER_CONFIG: 2, DYNAMIC_DEFAULT_BROKER_CONFIG: 3, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5,
} as const;

export interface ConfigSynonym { name: string; value: string | null; source: number }

/** Broker names for one setting, most specific first, each with its unit in ms (Kafka's synonyms). */
const BROKER_SYNONYMS: Record<string, [string, number][]> = {
  'log.retention.ms': [['log.retention.ms', 1], ['log.retention.minutes', 60000], ['log.retention.hours', H]],
  'log.retention.minutes': [['log.retention.minutes', 60000], ['log.retention.hours', H]],
  'log.roll.ms': [['log.roll.ms', 1], ['log.roll.hours', H]],
};
const UNIT = new Map(Object.values(BROKER_SYNONYMS).flat());

/**
 * Kafka's checks for AlterConfigs on a BROKER resource (DynamicBrokerConfig.validateConfigs):
 * a known config that is not dynamic refuses the whole resource; a name Kafka has
 * but we do not implement is accepted and ignored, as Kafka accepts custom configs.
 * Returns the error message, or null.
 */
export function checkDynamicBrokerConfigs(configs: Record<string, string>): string | null {
  const fixed = Object.keys(configs).filter((k) => BROKER_CONFIG_BY_NAME.has(k) && !DYNAMIC_BROKER_CONFIGS.has(k));
  if (fixed.length) return `Cannot update these configs dynamically: Set(${fixed.join(', ')})`;
  for (const [k, v] of Object.entries(configs)) {
    const def = BROKER_CONFIG_BY_NAME.get(k);
    const err = def && checkValue(def, v);
    if (err) return err;
  }
  return null;
}

/** A bad broker config value or file; the CLI exits 2 with its message. */
export class ConfigError extends Error {
  readonly exitCode = 2;
}

/** Checks `value` against a definition; returns a message naming the key, or null. */
export function checkValue(def: BrokerConfigKey, value: string): string | null {
  return checkKey(def, value, BROKER_WORDING);
}

export interface BrokerConfig {
  /** static configs (file, --set) */
  values: Map<string, string>;
  /** dynamic configs (AlterConfigs on BROKER resources): this broker's, and the cluster-wide default "" */
  dynamic: { broker: Map<string, string>; cluster: Map<string, string> };
  /** effective value: this broker's dynamic config, the cluster default, the static config, the default */
  get(name: string): string | null;
  /**
   * Where a broker config's value comes from, as DescribeConfigs reports it: every
   * level setting it or a synonym, most specific level first (Kafka's order), then defaults.
   */
  synonyms(name: string): ConfigSynonym[];
  int(name: string): number;
  bool(name: string): boolean;
  /** topic config defaults derived from the broker's log.* settings */
  topicDefault(name: string): string | null;
}

/**
 * Builds the broker config from `name=value` pairs (file, then --set). Unknown
 * names are returned as warnings; bad values throw ConfigError naming the key.
 */
export function loadBrokerConfig(pairs: [string, string][], ownedElsewhere: (name: string) => boolean = () => false): { config: BrokerConfig; warnings: string[] } {
  const values = new Map<string, string>();
  const warnings: string[] = [];
  for (const [k, v] of pairs) {
    const def = BROKER_CONFIG_BY_NAME.get(k) ?? TOPIC_CONFIG_BY_NAME.get(k);
    // Per-listener security settings (listener.name.sasl_ssl.ssl.keystore.location) are read by the listener they name.
    if (!def && /^listener\.name\.[a-z0-9_]+\.[a-z0-9.-]+$/i.test(k)) { values.set(k, v); continue; }
    if (!def) {
      if (!ownedElsewhere(k)) warnings.push(`The configuration '${k}' was supplied but isn't a known config; ignored.`);
      continue;
    }
    const err = checkValue(def, v);
    if (err) throw new ConfigError(err);
    values.set(k, v);
  }
  const dynamic = { broker: new Map<string, string>(), cluster: new Map<string, string>() };
  const get = (name: string): string | null => dynamic.broker.get(name) ?? dynamic.cluster.get(name) ?? values.get(name) ?? BROKER_CONFIG_BY_NAME.get(name)?.default ?? null;
  const levels: [Map<string, string>, number][] = [
    [dynamic.broker, ConfigSource.DYNAMIC_BROKER_CONFIG], [dynamic.cluster, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG], [values, ConfigSource.STATIC_BROKER_CONFIG],
  ];
  const allSynonyms = (name: string): ConfigSynonym[] => {
    const names = (BROKER_SYNONYMS[name] ?? [[name, 1]]).map(([n]) => n);
    const out: ConfigSynonym[] = [];
    for (const [map, source] of levels) for (const n of names) if (map.has(n)) out.push({ name: n, value: map.get(n)!, source });
    for (const n of names) { const d = BROKER_CONFIG_BY_NAME.get(n)?.default; if (d != null) out.push({ name: n, value: d, source: ConfigSource.DEFAULT_CONFIG }); }
    return out;
  };
  const inMs = (s: ConfigSynonym): string => {
    const unit = UNIT.get(s.name) ?? 1;
    if (unit === 1 || s.value == null) return s.value!;
    const n = Number(s.value);
    return n < 0 ? '-1' : String(n * unit);
  };
  const config: BrokerConfig = {
    values,
    dynamic,
    get,
    synonyms(name) {
      const all = allSynonyms(name);
      const i = all.findIndex((s) => s.name === name);
      return i < 0 ? [] : all.slice(i);
    },
    int: (name) => Number(get(name)),
    bool: (name) => String(get(name)).toLowerCase() === 'true',
    topicDefault(name) {
      const def = TOPIC_CONFIG_BY_NAME.get(name);
      if (!def) return null;
      const first = def.broker ? allSynonyms(def.broker)[0] : undefined;
      return first ? inMs(first) : def.default;
    },
  };
  if (config.int('broker.id') >= 0 && !values.has('node.id')) values.set('node.id', String(config.int('broker.id')));
  return { config, warnings };
}

/** Parses a Kafka-style .properties file or a JSON object into pairs. */
export function parseConfigFile(text: string, file: string): [string, string][] {
  const t = text.trim();
  if (t.startsWith('{')) {
    let obj: Record<string, unknown>;
    try { obj = JSON.parse(t); } catch (e) { throw new ConfigError(`${file}: invalid JSON: ${(e as Error).message}`); }
    return Object.entries(obj).map(([k, v]) => [k, String(v)]);
  }
  const out: [string, string][] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (!m) throw new ConfigError(`${file}: cannot parse line ${JSON.stringify(line)}`);
    out.push([m[1], m[2]]);
  }
  return out;
}
