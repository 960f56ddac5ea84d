// Fetch (key 1). Kafka grammar:
//   Fetch Request (Version: 17) => max_wait_ms min_bytes max_bytes isolation_level session_id session_epoch
//                                  [topics] [forgotten_topics_data] rack_id TAG_BUFFER
//     topics => topic_id [partitions] TAG_BUFFER
//       partitions => partition current_leader_epoch fetch_offset last_fetched_epoch log_start_offset
//                     partition_max_bytes TAG_BUFFER
//     forgotten_topics_data => topic_id [partitions] TAG_BUFFER
//   Tagged: cluster_id (tag 0, v12+), replica_state (tag 1, v15+; replaces replica_id),
//           partitions.replica_directory_id (tag 0, v17+).
//   Fetch Response (Version: 17) => throttle_time_ms error_code session_id [responses] TAG_BUFFER
//     responses => topic_id [partitions] TAG_BUFFER
//       partitions => partition_index error_code high_watermark last_stable_offset log_start_offset
//                     [aborted_transactions] preferred_read_replica records TAG_BUFFER
//         aborted_transactions => producer_id first_offset TAG_BUFFER
//   Tagged: partitions.diverging_epoch (0), current_leader (1), snapshot_id (2); node_endpoints (0, v16+).
// v13+ addresses topics by topicId instead of topic name.
import { type ApiDecl, f, arr, tagged } from '../schema.ts';

export const Fetch = {
  key: 1, name: 'Fetch', minVersion: 0, maxVersion: 17, flexibleFrom: 12,
  request: [
    tagged('clusterId', 'string', 0, '12+', { nullableVersions: '12+', default: null }),
    f('replicaId', 'int32', '0-14', { default: -1 }),
    tagged('replicaState', 'ReplicaState', 1, '15+', { fields: [
      f('replicaId', 'int32', '15+', { default: -1 }),
      f('replicaEpoch', 'int64', '15+', { default: -1n }),
    ] }),
    f('maxWaitMs', 'int32'),
    f('minBytes', 'int32'),
    f('maxBytes', 'int32', '3+', { default: 0x7fffffff }),
    f('isolationLevel', 'int8', '4+', { default: 0 }),
    f('sessionId', 'int32', '7+', { default: 0 }),
    f('sessionEpoch', 'int32', '7+', { default: -1 }),
    arr('topics', '0+', [
      f('topic', 'string', '0-12'),
      f('topicId', 'uuid', '13+'),
      arr('partitions', '0+', [
        f('partition', 'int32'),
        f('currentLeaderEpoch', 'int32', '9+', { default: -1 }),
        f('fetchOffset', 'int64'),
        f('lastFetchedEpoch', 'int32', '12+', { default: -1 }),
        f('logStartOffset', 'int64', '5+', { default: -1n }),
        f('partitionMaxBytes', 'int32'),
        tagged('replicaDirectoryId', 'uuid', 0, '17+'),
      ]),
    ]),
    arr('forgottenTopicsData', '7+', [
      f('topic', 'string', '7-12'),
      f('topicId', 'uuid', '13+'),
      f('partitions', '[]int32', '7+'),
    ]),
    f('rackId', 'string', '11+', { default: '' }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16', '7+'),
    f('sessionId', 'int32', '7+', { default: 0 }),
    arr('responses', '0+', [
      f('topic', 'string', '0-12'),
      f('topicId', 'uuid', '13+'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32'),
        f('errorCode', 'int16'),
        f('highWatermark', 'int64'),
        f('lastStableOffset', 'int64', '4+', { default: -1n }),
        f('logStartOffset', 'int64', '5+', { default: -1n }),
        tagged('divergingEpoch', 'EpochEndOffset', 0, '12+', { fields: [
          f('epoch', 'int32', '12+', { default: -1 }),
          f('endOffset', 'int64', '12+', { default: -1n }),
        ] }),
        tagged('currentLeader', 'LeaderIdAndEpoch', 1, '12+', { fields: [
          f('leaderId', 'int32', '12+', { default: -1 }),
          f('leaderEpoch', 'int32', '12+', { default: -1 }),
        ] }),
        tagged('snapshotId', 'SnapshotId', 2, '12+', { fields: [
          f('endOffset', 'int64', '0+', { default: -1n }),
          f('epoch', 'int32', '0+', { default: -1 }),
        ] }),
        arr('abortedTransactions', '4+', [
          f('producerId', 'int64', '4+'),
          f('firstOffset', 'int64', '4+'),
        ], { nullableVersions: '4+' }),
        f('preferredReadReplica', 'int32', '11+', { default: -1 }),
        f('records', 'records', '0+', { nullableVersions: '0+' }),
      ]),
    ]),
    tagged('nodeEndpoints', '[]NodeEndpoint', 0, '16+', { fields: [
      f('nodeId', 'int32', '16+'),
      f('host', 'string', '16+'),
      f('port', 'int32', '16+'),
      f('rack', 'string', '16+', { nullableVersions: '16+', default: null }),
    ] }),
  ],
} satisfies ApiDecl;
