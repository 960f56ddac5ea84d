// OffsetDelete (key 47). Kafka grammar:
//   OffsetDelete Request (Version: 0) => group_id [topics]
//     topics => name [partitions]
//       partitions => partition_index
//   OffsetDelete Response (Version: 0) => error_code throttle_time_ms [topics]
//     topics => name [partitions]
//       partitions => partition_index error_code
// Not flexible; note error_code comes before throttle_time_ms.
import { type ApiDecl, f, arr } from '../schema.ts';

export const OffsetDelete = {
  key: 47, name: 'OffsetDelete', minVersion: 0, maxVersion: 0, flexibleFrom: Infinity,
  request: [
    f('groupId', 'string'),
    arr('topics', '0+', [
      f('name', 'string'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32'),
      ]),
    ]),
  ],
  response: [
    f('errorCode', 'int16'),
    f('throttleTimeMs', 'int32'),
    arr('topics', '0+', [
      f('name', 'string'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32'),
        f('errorCode', 'int16'),
      ]),
    ]),
  ],
} satisfies ApiDecl;
