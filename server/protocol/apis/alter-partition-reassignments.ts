// AlterPartitionReassignments (key 45, KIP-455). Kafka grammar:
//   AlterPartitionReassignments Request (Version: 0) => timeout_ms [topics] TAG_BUFFER
//     topics => name [partitions] TAG_BUFFER
//       partitions => partition_index [replicas] TAG_BUFFER     (null replicas: cancel)
//   AlterPartitionReassignments Response (Version: 0) => throttle_time_ms error_code error_message [responses] TAG_BUFFER
//     responses => name [partitions] TAG_BUFFER
//       partitions => partition_index error_code error_message TAG_BUFFER
import { type ApiDecl, f, arr } from '../schema.ts';

export const AlterPartitionReassignments = {
  key: 45, name: 'AlterPartitionReassignments', minVersion: 0, maxVersion: 0, flexibleFrom: 0,
  request: [
    f('timeoutMs', 'int32', '0+', { default: 60000 }),
    arr('topics', '0+', [
      f('name', 'string'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32'),
        f('replicas', '[]int32', '0+', { nullableVersions: '0+', default: null }),
      ]),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f('errorCode', 'int16'),
    f('errorMessage', 'string', '0+', { nullableVersions: '0+', default: null }),
    arr('responses', '0+', [
      f('name', 'string'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32'),
        f('errorCode', 'int16'),
        f('errorMessage', 'string', '0+', { nullableVersions: '0+', default: null }),
      ]),
    ]),
  ],
} satisfies ApiDecl;
