// ListOffsets (key 2). Kafka grammar:
//   ListOffsets Request (Version: 9) => replica_id isolation_level [topics] TAG_BUFFER
//     topics => name [partitions] TAG_BUFFER
//       partitions => partition_index current_leader_epoch timestamp TAG_BUFFER
//   ListOffsets Response (Version: 9) => throttle_time_ms [topics] TAG_BUFFER
//     topics => name [partitions] TAG_BUFFER
//       partitions => partition_index error_code timestamp offset leader_epoch TAG_BUFFER
// v0 alone has maxNumOffsets in the request and oldStyleOffsets (an array) in the response.
// (Kafka's v10 adds a request timeout_ms; not declared here.)
import { type ApiDecl, f, arr } from '../schema.ts';

export const ListOffsets = {
  key: 2, name: 'ListOffsets', minVersion: 0, maxVersion: 9, flexibleFrom: 6,
  request: [
    f('replicaId', 'int32'),
    f('isolationLevel', 'int8', '2+'),
    arr('topics', '0+', [
      f('name', 'string'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32'),
        f('currentLeaderEpoch', 'int32', '4+', { default: -1 }),
        f('timestamp', 'int64'),
        f('maxNumOffsets', 'int32', '0', { default: 1 }),
      ]),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32', '2+'),
    arr('topics', '0+', [
      f('name', 'string'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32'),
        f('errorCode', 'int16'),
        f('oldStyleOffsets', '[]int64', '0'),
        f('timestamp', 'int64', '1+', { default: -1n }),
        f('offset', 'int64', '1+', { default: -1n }),
        f('leaderEpoch', 'int32', '4+', { default: -1 }),
      ]),
    ]),
  ],
} satisfies ApiDecl;
