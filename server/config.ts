// Broker and topic configuration, with Kafka's names, types and defaults.
// Validated at start (the failing key is named); unknown Kafka names warn.

export type ConfigType = 'int' | 'long' | 'boolean' | 'string' | 'double' | 'list' | 'password';

export interface ConfigDef {
  name: string;
  type: ConfigType;
  default: string | null;
  doc: string;
  /** allowed values (strings compared case-sensitively, as Kafka does) */
  oneOf?: string[];
  min?: number;
  max?: number;
}

const H = 3600 * 1000;

/** Topic-level configs and the broker config that supplies each default. */
export const TOPIC_CONFIGS: (ConfigDef & { broker?: string })[] = [
  { name: 'cleanup.policy', type: 'list', default: 'delete', doc: 'delete, compact, or both', broker: 'log.cleanup.policy', oneOf: ['delete', 'compact', 'compact,delete', 'delete,compact'] },
  { name: 'compression.type', type: 'string', default: 'producer', doc: 'Batches are stored as produced (producer).', broker: 'compression.type', oneOf: ['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'] },
  { name: 'delete.retention.ms', type: 'long', default: String(24 * H), doc: 'How long tombstones are kept on compacted topics.', broker: 'log.cleaner.delete.retention.ms', min: 0 },
  { name: 'file.delete.delay.ms', type: 'long', default: '60000', doc: 'Delay before deleting a file from the filesystem.', broker: 'log.segment.delete.delay.ms', min: 0 },
  { name: 'flush.messages', type: 'long', default: String(Number.MAX_SAFE_INTEGER), doc: 'fsync after this many messages.', broker: 'log.flush.interval.messages', min: 1 },
  { name: 'flush.ms', type: 'long', default: String(Number.MAX_SAFE_INTEGER), doc: 'fsync at least this often.', broker: 'log.flush.interval.ms', min: 0 },
  { name: 'index.interval.bytes', type: 'int', default: '4096', doc: 'Bytes of log between offset index entries.', broker: 'log.index.interval.bytes', min: 0 },
  { name: 'local.retention.bytes', type: 'long', default: '-2', doc: 'Local bytes kept when tiered storage is on (-2: retention.bytes).', broker: 'log.local.retention.bytes', min: -2 },
  { name: 'local.retention.ms', type: 'long', default: '-2', doc: 'Local time kept when tiered storage is on (-2: retention.ms).', broker: 'log.local.retention.ms', min: -2 },
  { name: 'max.compaction.lag.ms', type: 'long', default: String(Number.MAX_SAFE_INTEGER), doc: 'Maximum time a message stays uncompacted.', broker: 'log.cleaner.max.compaction.lag.ms', min: 1 },
  { name: 'max.message.bytes', type: 'int', default: '1048588', doc: 'Largest record batch size allowed.', broker: 'message.max.bytes', min: 0 },
  { name: 'message.timestamp.type', type: 'string', default: 'CreateTime', doc: 'CreateTime or LogAppendTime.', broker: 'log.message.timestamp.type', oneOf: ['CreateTime', 'LogAppendTime'] },
  { name: 'min.cleanable.dirty.ratio', type: 'double', default: '0.5', doc: 'Dirty ratio above which the cleaner compacts.', broker: 'log.cleaner.min.cleanable.ratio', min: 0, max: 1 },
  { name: 'min.compaction.lag.ms', type: 'long', default: '0', doc: 'Minimum age before a message can be compacted.', broker: 'log.cleaner.min.compaction.lag.ms', min: 0 },
  { name: 'min.insync.replicas', type: 'int', default: '1', doc: 'Replicas that must acknowledge an acks=all write.', broker: 'min.insync.replicas', min: 1 },
  { name: 'preallocate', type: 'boolean', default: 'false', doc: 'Accepted for compatibility; segments are not preallocated.', broker: 'log.preallocate' },
  { name: 'remote.storage.enable', type: 'boolean', default: 'false', doc: 'Tier closed segments of this topic to S3.' },
  { name: 'retention.bytes', type: 'long', default: '-1', doc: 'Maximum partition size before old segments are deleted (-1: none).', broker: 'log.retention.bytes', min: -1 },
  { name: 'retention.ms', type: 'long', default: String(168 * H), doc: 'Maximum age before old segments are deleted (-1: none).', broker: 'log.retention.ms', min: -1 },
  { name: 'segment.bytes', type: 'int', default: String(1024 * 1024 * 1024), doc: 'Segment file size.', broker: 'log.segment.bytes', min: 14 },
  { name: 'segment.index.bytes', type: 'int', default: String(10 * 1024 * 1024), doc: 'Accepted for compatibility; indexes grow as needed.', broker: 'log.index.size.max.bytes', min: 4 },
  { name: 'segment.jitter.ms', type: 'long', default: '0', doc: 'Accepted for compatibility.', broker: 'log.roll.jitter.ms', min: 0 },
  { name: 'segment.ms', type: 'long', default: String(168 * H), doc: 'Time after which the active segment rolls.', broker: 'log.roll.ms', min: 1 },
  { name: 'unclean.leader.election.enable', type: 'boolean', default: 'false', doc: 'Allow out-of-sync replicas to become leader.', broker: 'unclean.leader.election.enable' },
  { name: 'message.downconversion.enable', type: 'boolean', default: 'true', doc: 'Accepted for compatibility.' },
  // Deprecated in Kafka 3.0 (KIP-724) and ignored there: batches stay magic v2. librdkafka's test 0092 sets it.
  { name: 'message.format.version', type: 'string', default: '3.0-IV1', doc: 'Accepted for compatibility and ignored, as Kafka 3.x does: record batches are always stored as magic v2.' },
];

export const TOPIC_CONFIG_BY_NAME = new Map(TOPIC_CONFIGS.map((c) => [c.name, c]));

/** Broker-level configs (Kafka's names). Topic defaults derive from the log.* ones. */
export const BROKER_CONFIGS: ConfigDef[] = [
  { name: 'node.id', type: 'int', default: '0', doc: 'This broker\'s id.', min: 0 },
  { name: 'broker.id', type: 'int', default: '-1', doc: 'Alias of node.id.' },
  { name: 'cluster.id', type: 'string', default: null, doc: 'Cluster id; generated on first start and kept in meta.properties.' },
  { name: 'broker.rack', type: 'string', default: null, doc: 'Rack of this broker; replica placement spreads each partition over racks.' },
  { name: 'metadata.store.url', type: 'string', default: null, doc: 'Cluster metadata store (postgres://USER@HOST:PORT/DB); brokers sharing one database form one cluster. Unset: a single node with a local metadata file.' },
  { name: 'broker.session.timeout.ms', type: 'int', default: '9000', doc: 'A broker whose registration lease is not renewed for this long is fenced and its partitions get new leaders.', min: 1000 },
  { name: 'broker.heartbeat.interval.ms', type: 'int', default: '2000', doc: 'How often a broker renews its registration lease (at most a third of broker.session.timeout.ms is used).', min: 100 },
  { name: 'controlled.shutdown.enable', type: 'boolean', default: 'true', doc: 'On SIGTERM move leadership of this broker\'s partitions to other replicas before stopping.' },
  { name: 'auto.leader.rebalance.enable', type: 'boolean', default: 'true', doc: 'The controller moves leadership back to each partition\'s preferred replica when it is in sync.' },
  { name: 'leader.imbalance.check.interval.seconds', type: 'long', default: '300', doc: 'How often the controller checks preferred-leader imbalance.', min: 1 },
  { name: 'leader.imbalance.per.broker.percentage', type: 'int', default: '10', doc: 'Imbalance per broker above which the controller rebalances leaders.', min: 0, max: 100 },
  { name: 'replica.lag.time.max.ms', type: 'long', default: '30000', doc: 'A follower not caught up for this long leaves the ISR.', min: 1 },
  { name: 'replica.fetch.max.bytes', type: 'int', default: '1048576', doc: 'Bytes a follower asks for per partition in one fetch (at least one batch is always returned).', min: 0 },
  { name: 'replica.fetch.response.max.bytes', type: 'int', default: '10485760', doc: 'Bytes a follower asks for in one fetch response, all partitions together.', min: 0 },
  { name: 'replica.fetch.wait.max.ms', type: 'int', default: '500', doc: 'How long a follower\'s fetch waits at the leader for new data.', min: 0 },
  { name: 'replica.fetch.min.bytes', type: 'int', default: '1', doc: 'Bytes a follower\'s fetch waits for at the leader.', min: 1 },
  { name: 'replica.fetch.backoff.ms', type: 'int', default: '1000', doc: 'How long a follower waits before fetching a partition again after an error.', min: 0 },
  { name: 'replica.socket.timeout.ms', type: 'int', default: '30000', doc: 'Timeout of a follower\'s requests to its leader (beyond replica.fetch.wait.max.ms).', min: 1 },
  { name: 'admin.listeners', type: 'string', default: null, doc: 'Admin HTTP listeners (http://HOST:PORT, comma-separated) serving /metrics, /health and /ready; unset: none. The CLI sets it from --admin-port.' },
  { name: 'advertised.listeners', type: 'string', default: null, doc: 'NAME://host:port per listener, what Metadata tells clients of that listener (unset: as bound).' },
  // Security (server/security/): each ssl.* / sasl.* name may also be given per listener as listener.name.<name>.<config>.
  { name: 'listeners', type: 'list', default: null, doc: 'NAME://host:port listeners (PLAINTEXT://127.0.0.1:9092,SASL_SSL://0.0.0.0:9093); unset: PLAINTEXT on --host/--kafka-port. --host/--kafka-port, when given, replace the first listener\'s.' },
  { name: 'listener.security.protocol.map', type: 'list', default: 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL', doc: 'Listener name to security protocol.' },
  { name: 'inter.broker.listener.name', type: 'string', default: null, doc: 'The listener brokers use to reach each other (unset: the first listener).' },
  { name: 'sasl.mechanism.inter.broker.protocol', type: 'string', default: 'GSSAPI', doc: 'SASL mechanism of inter-broker connections over a SASL listener: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (the username/password of the listener\'s JAAS config for it is this broker\'s login).' },
  { name: 'ssl.endpoint.identification.algorithm', type: 'string', default: 'https', doc: 'Inter-broker TLS: https checks the other broker\'s certificate names its host; empty does not.' },
  { name: 'ssl.keystore.type', type: 'string', default: 'PEM', doc: 'PEM only (KIP-651).', oneOf: ['PEM'] },
  { name: 'ssl.keystore.location', type: 'string', default: null, doc: 'PEM file with the private key and certificate chain; watched and reloaded when it changes.' },
  { name: 'ssl.keystore.certificate.chain', type: 'password', default: null, doc: 'PEM certificate chain, inline.' },
  { name: 'ssl.keystore.key', type: 'password', default: null, doc: 'PEM private key, inline.' },
  { name: 'ssl.key.password', type: 'password', default: null, doc: 'Password of an encrypted PEM private key.' },
  { name: 'ssl.truststore.type', type: 'string', default: 'PEM', doc: 'PEM only.', oneOf: ['PEM'] },
  { name: 'ssl.truststore.location', type: 'string', default: null, doc: 'PEM file of CA certificates trusted for client certificates.' },
  { name: 'ssl.truststore.certificates', type: 'password', default: null, doc: 'PEM CA certificates, inline.' },
  { name: 'ssl.client.auth', type: 'string', default: 'none', doc: 'Client certificates: none, requested, required.', oneOf: ['none', 'requested', 'required'] },
  { name: 'ssl.principal.mapping.rules', type: 'string', default: 'DEFAULT', doc: 'Client certificate subject to principal name: RULE:pattern/replacement/[LU],…,DEFAULT.' },
  { name: 'sasl.enabled.mechanisms', type: 'list', default: 'GSSAPI', doc: 'SASL mechanisms of SASL listeners: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER.' },
  { name: 'sasl.server.max.receive.size', type: 'int', default: '524288', doc: 'Largest frame accepted before authentication.', min: 1 },
  { name: 'connection.failed.authentication.delay.ms', type: 'int', default: '100', doc: 'A failed authentication is answered (and the connection closed) this late; doubled for each further failure from the same address within the window below.', min: 0 },
  { name: 'connection.failed.authentication.max.per.ip', type: 'int', default: '0', doc: 'Tributary: failed SASL authentications from one address within the window after which its new connections to SASL listeners are closed at once, until the oldest failure ages out (0, the default: no lock-out; the growing delay still applies). Off by default because it also shuts out the good clients of that host: one connector with a wrong password would lock out its whole Connect worker.', min: 0 },
  { name: 'connection.failed.authentication.window.ms', type: 'long', default: '60000', doc: 'Tributary: the window over which failed authentications per address are counted.', min: 1 },
  { name: 'connection.failed.authentication.max.delay.ms', type: 'int', default: '5000', doc: 'Tributary: cap of the growing failed-authentication delay.', min: 0 },
  { name: 'connections.max.reauth.ms', type: 'long', default: '0', doc: 'KIP-368: SASL sessions last this long (or until an OAUTHBEARER token expires); a connection that has not re-authenticated by then is closed. 0: sessions do not expire.', min: 0 },
  { name: 'sasl.oauthbearer.jwks.endpoint.url', type: 'string', default: null, doc: 'OAUTHBEARER: the JWKS whose keys sign accepted JWTs (file:// or http(s)://).' },
  { name: 'sasl.oauthbearer.jwks.endpoint.refresh.ms', type: 'long', default: '3600000', doc: 'OAUTHBEARER: how often the JWKS is reloaded (also reloaded when a token names an unknown kid).', min: 0 },
  { name: 'sasl.oauthbearer.jwks.endpoint.retry.backoff.ms', type: 'long', default: '100', doc: 'OAUTHBEARER: shortest wait between JWKS reloads caused by unknown key ids.', min: 0 },
  { name: 'sasl.oauthbearer.expected.audience', type: 'list', default: null, doc: 'OAUTHBEARER: a token\'s aud must hold one of these (unset: not checked).' },
  { name: 'sasl.oauthbearer.expected.issuer', type: 'string', default: null, doc: 'OAUTHBEARER: a token\'s iss must equal this (unset: not checked).' },
  { name: 'sasl.oauthbearer.sub.claim.name', type: 'string', default: 'sub', doc: 'OAUTHBEARER: the claim whose value is the principal name.' },
  { name: 'sasl.oauthbearer.clock.skew.seconds', type: 'int', default: '30', doc: 'OAUTHBEARER: clock difference allowed when checking exp and nbf.', min: 0 },
  { name: 'authorizer.class.name', type: 'string', default: '', doc: 'org.apache.kafka.metadata.authorizer.StandardAuthorizer (or kafka.security.authorizer.AclAuthorizer) switches ACLs on; empty: every request allowed.', oneOf: ['', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'kafka.security.authorizer.AclAuthorizer', 'kafka.security.auth.SimpleAclAuthorizer'] },
  { name: 'super.users', type: 'string', default: null, doc: 'Principals allowed everything, semicolon-separated (User:admin;User:ANONYMOUS).' },
  { name: 'allow.everyone.if.no.acl.found', type: 'boolean', default: 'false', doc: 'Allow a resource that has no ACL at all.' },
  { name: 'num.partitions', type: 'int', default: '1', doc: 'Partitions of auto-created topics.', min: 1 },
  { name: 'default.replication.factor', type: 'int', default: '1', doc: 'Replication factor of auto-created topics.', min: 1 },
  { name: 'auto.create.topics.enable', type: 'boolean', default: 'true', doc: 'Create topics on first metadata request or produce.' },
  { name: 'delete.topic.enable', type: 'boolean', default: 'true', doc: 'Allow DeleteTopics.' },
  { name: 'log.segment.bytes', type: 'int', default: String(1024 * 1024 * 1024), doc: 'Default segment.bytes.', min: 14 },
  { name: 'log.roll.ms', type: 'long', default: null, doc: 'Default segment.ms.' },
  { name: 'log.roll.hours', type: 'int', default: '168', doc: 'Default segment.ms in hours.', min: 1 },
  { name: 'log.tail.cache.bytes', type: 'long', default: String(64 * 1024 * 1024), doc: 'Tributary: bytes of the latest appended batches kept in memory (all partitions together) so fetches at the tail skip the segment file; 0 turns it off.', min: 0 },
  { name: 'log.index.interval.bytes', type: 'int', default: '4096', doc: 'Default index.interval.bytes.', min: 0 },
  { name: 'log.flush.interval.messages', type: 'long', default: String(Number.MAX_SAFE_INTEGER), doc: 'Default flush.messages.', min: 1 },
  { name: 'log.flush.interval.ms', type: 'long', default: null, doc: 'Default flush.ms.' },
  { name: 'log.flush.scheduler.interval.ms', type: 'long', default: '1000', doc: 'How often flush.ms and segment.ms are checked.', min: 1 },
  { name: 'log.retention.ms', type: 'long', default: null, doc: 'Default retention.ms.' },
  { name: 'log.retention.minutes', type: 'int', default: null, doc: 'Default retention in minutes.' },
  { name: 'log.retention.hours', type: 'int', default: '168', doc: 'Default retention in hours.' },
  { name: 'log.retention.bytes', type: 'long', default: '-1', doc: 'Default retention.bytes.' },
  { name: 'log.retention.check.interval.ms', type: 'long', default: '300000', doc: 'How often retention runs.', min: 1 },
  { name: 'log.cleanup.policy', type: 'list', default: 'delete', doc: 'Default cleanup.policy.', oneOf: ['delete', 'compact', 'compact,delete', 'delete,compact'] },
  { name: 'log.cleaner.enable', type: 'boolean', default: 'true', doc: 'Run the log cleaner for compacted topics.' },
  { name: 'log.cleaner.backoff.ms', type: 'long', default: '15000', doc: 'Sleep between cleaner runs when nothing is dirty.', min: 0 },
  { name: 'log.cleaner.delete.retention.ms', type: 'long', default: String(24 * H), doc: 'Default delete.retention.ms.', min: 0 },
  { name: 'log.cleaner.min.cleanable.ratio', type: 'double', default: '0.5', doc: 'Default min.cleanable.dirty.ratio.', min: 0, max: 1 },
  { name: 'log.cleaner.min.compaction.lag.ms', type: 'long', default: '0', doc: 'Default min.compaction.lag.ms.', min: 0 },
  { name: 'log.cleaner.max.compaction.lag.ms', type: 'long', default: String(Number.MAX_SAFE_INTEGER), doc: 'Default max.compaction.lag.ms.', min: 1 },
  { name: 'log.message.timestamp.type', type: 'string', default: 'CreateTime', doc: 'Default message.timestamp.type.', oneOf: ['CreateTime', 'LogAppendTime'] },
  { name: 'log.preallocate', type: 'boolean', default: 'false', doc: 'Default preallocate.' },
  { name: 'log.index.size.max.bytes', type: 'int', default: String(10 * 1024 * 1024), doc: 'Default segment.index.bytes.' },
  { name: 'log.roll.jitter.ms', type: 'long', default: '0', doc: 'Default segment.jitter.ms.' },
  { name: 'log.segment.delete.delay.ms', type: 'long', default: '60000', doc: 'Default file.delete.delay.ms.' },
  { name: 'log.local.retention.ms', type: 'long', default: '-2', doc: 'Default local.retention.ms.' },
  { name: 'log.local.retention.bytes', type: 'long', default: '-2', doc: 'Default local.retention.bytes.' },
  { name: 'message.max.bytes', type: 'int', default: '1048588', doc: 'Default max.message.bytes.', min: 0 },
  { name: 'compression.type', type: 'string', default: 'producer', doc: 'Default compression.type.', oneOf: ['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'] },
  { name: 'min.insync.replicas', type: 'int', default: '1', doc: 'Default min.insync.replicas.', min: 1 },
  { name: 'unclean.leader.election.enable', type: 'boolean', default: 'false', doc: 'Default unclean.leader.election.enable.' },
  { name: 'socket.request.max.bytes', type: 'int', default: '104857600', doc: 'Largest request frame accepted; larger closes the connection.', min: 1 },
  { name: 'connections.max.idle.ms', type: 'long', default: '600000', doc: 'Idle connections are closed after this.', min: 1 },
  { name: 'offsets.topic.num.partitions', type: 'int', default: '50', doc: 'Partitions of __consumer_offsets.', min: 1 },
  { name: 'offsets.topic.replication.factor', type: 'int', default: '3', doc: 'Replication factor of __consumer_offsets in a cluster (a single node keeps one copy); it is created once that many brokers are alive.', min: 1 },
  { name: 'offsets.topic.segment.bytes', type: 'int', default: String(100 * 1024 * 1024), doc: 'segment.bytes of __consumer_offsets.', min: 1 },
  { name: 'offsets.retention.minutes', type: 'int', default: '10080', doc: 'Committed offsets of empty groups expire after this.', min: 1 },
  { name: 'offsets.retention.check.interval.ms', type: 'long', default: '600000', doc: 'How often expired offsets are removed.', min: 1 },
  { name: 'offset.metadata.max.bytes', type: 'int', default: '4096', doc: 'Largest commit metadata string.', min: 0 },
  { name: 'group.initial.rebalance.delay.ms', type: 'int', default: '3000', doc: 'Wait for more members before the first rebalance of an empty group.', min: 0 },
  { name: 'group.min.session.timeout.ms', type: 'int', default: '6000', doc: 'Smallest session timeout a member may ask for.', min: 0 },
  { name: 'group.max.session.timeout.ms', type: 'int', default: '1800000', doc: 'Largest session timeout a member may ask for.', min: 0 },
  { name: 'group.max.size', type: 'int', default: '2147483647', doc: 'Maximum members per group.', min: 1 },
  { name: 'transaction.state.log.num.partitions', type: 'int', default: '50', doc: 'Partitions of __transaction_state.', min: 1 },
  { name: 'transaction.state.log.replication.factor', type: 'int', default: '3', doc: 'Replication factor of __transaction_state in a cluster (a single node keeps one copy); it is created once that many brokers are alive.', min: 1 },
  { name: 'transaction.max.timeout.ms', type: 'int', default: '900000', doc: 'Largest transaction timeout a producer may ask for.', min: 1 },
  { name: 'transaction.abort.timed.out.transaction.cleanup.interval.ms', type: 'int', default: '10000', doc: 'How often timed-out transactions are aborted.', min: 1 },
  { name: 'transactional.id.expiration.ms', type: 'int', default: '604800000', doc: 'Idle transactional ids expire after this.', min: 1 },
  { name: 'producer.id.expiration.ms', type: 'int', default: '86400000', doc: 'Idle idempotent producer state expires after this.', min: 1 },
  { name: 'remote.log.storage.system.enable', type: 'boolean', default: 'false', doc: 'Enable tiered storage on this broker.' },
  { name: 'tiered.s3.endpoint', type: 'string', default: null, doc: 'S3 endpoint URL (MinIO, R2, s3rver); empty for AWS.' },
  { name: 'tiered.s3.region', type: 'string', default: 'us-east-1', doc: 'S3 region.' },
  { name: 'tiered.s3.bucket', type: 'string', default: null, doc: 'Bucket for tiered segments.' },
  { name: 'tiered.s3.prefix', type: 'string', default: 'tributary/', doc: 'Key prefix for tiered segments.' },
  { name: 'tiered.s3.force.path.style', type: 'boolean', default: 'false', doc: 'Path-style addressing (MinIO, s3rver).' },
  { name: 'remote.log.manager.task.interval.ms', type: 'long', default: '30000', doc: 'How often tiered storage uploads closed segments and applies local and total retention.', min: 10 },
  { name: 'remote.log.manager.task.retry.backoff.ms', type: 'long', default: '500', doc: 'First wait before retrying a failed upload; doubles on each failure.', min: 1 },
  { name: 'remote.log.manager.task.retry.backoff.max.ms', type: 'long', default: '30000', doc: 'Longest wait between upload retries while remote storage is down.', min: 1 },
  { name: 'tiered.cache.bytes', type: 'long', default: String(64 * 1024 * 1024), doc: 'Memory for remote segment ranges and indexes read from S3 (LRU).', min: 0 },
];

export const BROKER_CONFIG_BY_NAME = new Map(BROKER_CONFIGS.map((c) => [c.name, c]));

/**
 * Broker configs AlterConfigs / IncrementalAlterConfigs may change at runtime on a
 * BROKER resource: the defaults of topic configs (Kafka's DynamicLogConfig). They
 * take effect at once for every topic without its own override.
 */
export const DYNAMIC_BROKER_CONFIGS = new Set(TOPIC_CONFIGS.flatMap((t) => (t.broker && BROKER_CONFIG_BY_NAME.has(t.broker) ? [t.broker] : [])));

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
export function checkValue(def: ConfigDef, value: string): string | null {
  const bad = (why: string) => `Invalid value ${JSON.stringify(value)} for configuration ${def.name}: ${why}`;
  switch (def.type) {
    case 'int': case 'long': {
      if (!/^-?\d+$/.test(value.trim())) return bad(`expected ${def.type === 'int' ? 'an integer' : 'a long'}`);
      const n = Number(value);
      if (def.type === 'int' && (n > 2147483647 || n < -2147483648)) return bad('out of int range');
      if (def.min !== undefined && n < def.min) return bad(`must be at least ${def.min}`);
      if (def.max !== undefined && n > def.max) return bad(`must be at most ${def.max}`);
      return null;
    }
    case 'double': {
      const n = Number(value);
      if (value.trim() === '' || Number.isNaN(n)) return bad('expected a number');
      if (def.min !== undefined && n < def.min) return bad(`must be at least ${def.min}`);
      if (def.max !== undefined && n > def.max) return bad(`must be at most ${def.max}`);
      return null;
    }
    case 'boolean':
      return /^(true|false)$/i.test(value.trim()) ? null : bad('expected true or false');
    default:
      if (def.oneOf) {
        const v = def.type === 'list' ? value.split(',').map((s) => s.trim()).sort().join(',') : value;
        const ok = def.oneOf.some((o) => (def.type === 'list' ? o.split(',').sort().join(',') : o) === v);
        if (!ok) return bad(`must be one of ${def.oneOf.join(' | ')}`);
      }
      return null;
  }
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
