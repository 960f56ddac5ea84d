// ListPartitionReassignments (key 46, KIP-455). Kafka grammar:
//   ListPartitionReassignments Request (Version: 0) => timeout_ms [topics] TAG_BUFFER     (null topics: all)
//     topics => name [partition_indexes] TAG_BUFFER
//   ListPartitionReassignments Response (Version: 0) => throttle_time_ms error_code error_message [topics] TAG_BUFFER
//     topics => name [partitions] TAG_BUFFER
//       partitions => partition_index [replicas] [adding_replicas] [removing_replicas] TAG_BUFFER
import { type ApiDecl, f, arr } from '../schema.ts';

export const ListPartitionReassignments = {
  key: 46, name: 'ListPartitionReassignments', minVersion: 0, maxVersion: 0, flexibleFrom: 0,
  request: [
    f('timeoutMs', 'int32', '0+', { default: 60000 }),
    arr('topics', '0+', [
      f('name', 'string'),
      f('partitionIndexes', '[]int32'),
    ], { nullableVersions: '0+' }),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f('errorCode', 'int16'),
    f('errorMessage', 'string', '0+', { nullableVersions: '0+', default: null }),
    arr('topics', '0+', [
      f('name', 'string'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32'),
        f('replicas', '[]int32'),
        f('addingReplicas', '[]int32'),
        f('removingReplicas', '[]int32'),
      ]),
    ]),
  ],
} satisfies ApiDecl;
