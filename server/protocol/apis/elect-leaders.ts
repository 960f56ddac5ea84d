// ElectLeaders (key 43, KIP-183/KIP-460). Kafka grammar:
//   ElectLeaders Request (Version: 2) => election_type [topic_partitions] timeout_ms TAG_BUFFER
//     topic_partitions => topic [partitions] TAG_BUFFER        (null: every partition)
//   ElectLeaders Response (Version: 2) => throttle_time_ms error_code [replica_election_results] TAG_BUFFER
//     replica_election_results => topic [partition_result] TAG_BUFFER
//       partition_result => partition_id error_code error_message TAG_BUFFER
// election_type: 0 preferred replica, 1 unclean (a live replica when no in-sync one is).
import { type ApiDecl, f, arr } from '../schema.ts';

export const ElectLeaders = {
  key: 43, name: 'ElectLeaders', minVersion: 0, maxVersion: 2, flexibleFrom: 2,
  request: [
    f('electionType', 'int8', '1+', { default: 0 }),
    arr('topicPartitions', '0+', [
      f('topic', 'string'),
      f('partitions', '[]int32'),
    ], { nullableVersions: '0+' }),
    f('timeoutMs', 'int32', '0+', { default: 60000 }),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f('errorCode', 'int16', '1+', { default: 0 }),
    arr('replicaElectionResults', '0+', [
      f('topic', 'string'),
      arr('partitionResult', '0+', [
        f('partitionId', 'int32'),
        f('errorCode', 'int16'),
        f('errorMessage', 'string', '0+', { nullableVersions: '0+', default: null }),
      ]),
    ]),
  ],
} satisfies ApiDecl;
