// The platform's one internal Kafka client (see README.md). Import from here.
export { type ClientConfig, bootstrapList } from './config.ts';
export { CODECS, type Codec, ensureCodecs } from './codecs.ts';
export { KafkaProducer, ProducerTransaction, isFencingError, type ProducerConfig, type OutgoingRecord, type PartitionOffset, type Header, type GroupMetadata, type PreparedBatch } from './producer.ts';
export { RecordBatchBuilder, builtRecords, type BuiltRecord } from './record-batch.ts';
export { PartitionReader, type PartitionReaderConfig, type ConsumedRecord, type PartitionBatch, type PartitionEnds, type TopicPartition, type Isolation } from './partition-reader.ts';
export { KafkaAdmin, hasKafkaError, type TopicSpec, type TopicDescription, type ClusterDescription, type TopicOffsets, type GroupListing, type GroupDescription, type GroupMemberDescription, type GroupOffset } from './admin.ts';
export { GroupConsumer, type GroupConsumerConfig } from './group-consumer.ts';
export { CommitFailedError } from './group-member.ts';
export { CompactedTopicLog, TopicPartitionCountError, type CompactedTopicLogConfig, type LogTopic } from './compacted-topic-log.ts';
export { GroupMembership, type GroupMembershipConfig, type MemberMetadata } from './group-membership.ts';
export { ClusterAdmin, type ConfigEntry, type GroupInspection, type GroupMemberInspection, type BrokerLogDirs, type LogDirDescription, type PartitionReassignment, type ClusterMetadata } from './admin-cluster.ts';
export { summarizeKafkaError, type KafkaErrorSummary } from './admin-errors.ts';
export { clientSecurity, ClientSecurityError, type ClientSecurity, type SecurityProps } from './security.ts';
export { ScramAdmin, type ScramUser } from './scram-admin.ts';
export { AclAdmin, type AclEntry, type AclEntryFilter } from './admin-acls.ts';
