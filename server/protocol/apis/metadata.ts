// Metadata (key 3). Kafka grammar:
//   Metadata Request (Version: 12) => [topics] allow_auto_topic_creation include_topic_authorized_operations TAG_BUFFER
//     topics => topic_id name TAG_BUFFER
//   Metadata Response (Version: 12) => throttle_time_ms [brokers] cluster_id controller_id [topics] TAG_BUFFER
//     brokers => node_id host port rack TAG_BUFFER
//     topics => error_code name topic_id is_internal [partitions] topic_authorized_operations TAG_BUFFER
//       partitions => error_code partition_index leader_id leader_epoch [replica_nodes] [isr_nodes]
//                     [offline_replicas] TAG_BUFFER
// topics = null (v1+) means all topics; v0 has no null and an empty list means all.
import { type ApiDecl, f, arr } from '../schema.ts';

export const Metadata = {
  key: 3, name: 'Metadata', minVersion: 0, maxVersion: 12, flexibleFrom: 9,
  request: [
    arr('topics', '0+', [
      f('topicId', 'uuid', '10+'),
      f('name', 'string', '0+', { nullableVersions: '10+' }),
    ], { nullableVersions: '1+' }),
    f('allowAutoTopicCreation', 'bool', '4+', { default: true }),
    f('includeClusterAuthorizedOperations', 'bool', '8-10'),
    f('includeTopicAuthorizedOperations', 'bool', '8+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '3+'),
    arr('brokers', '0+', [
      f('nodeId', 'int32'),
      f('host', 'string'),
      f('port', 'int32'),
      f('rack', 'string', '1+', { nullableVersions: '1+', default: null }),
    ]),
    f('clusterId', 'string', '2+', { nullableVersions: '2+', default: null }),
    f('controllerId', 'int32', '1+', { default: -1 }),
    arr('topics', '0+', [
      f('errorCode', 'int16'),
      f('name', 'string', '0+', { nullableVersions: '12+' }),
      f('topicId', 'uuid', '10+'),
      f('isInternal', 'bool', '1+', { default: false }),
      arr('partitions', '0+', [
        f('errorCode', 'int16'),
        f('partitionIndex', 'int32'),
        f('leaderId', 'int32'),
        f('leaderEpoch', 'int32', '7+', { default: -1 }),
        f('replicaNodes', '[]int32'),
        f('isrNodes', '[]int32'),
        f('offlineReplicas', '[]int32', '5+'),
      ]),
      f('topicAuthorizedOperations', 'int32', '8+', { default: -2147483648 }),
    ]),
    f('clusterAuthorizedOperations', 'int32', '8-10', { default: -2147483648 }),
  ],
} satisfies ApiDecl;
