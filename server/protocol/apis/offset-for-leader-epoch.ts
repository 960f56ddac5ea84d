// OffsetForLeaderEpoch (key 23). Kafka grammar:
//   OffsetForLeaderEpoch Request (Version: 4) => replica_id [topics] TAG_BUFFER
//     topics => topic [partitions] TAG_BUFFER
//       partitions => partition current_leader_epoch leader_epoch TAG_BUFFER
//   OffsetForLeaderEpoch Response (Version: 4) => throttle_time_ms [topics] TAG_BUFFER
//     topics => topic [partitions] TAG_BUFFER
//       partitions => error_code partition leader_epoch end_offset TAG_BUFFER
// replicaId: -1 for consumers, -2 (the default) for debugging tools.
import { type ApiDecl, f, arr } from '../schema.ts';

export const OffsetForLeaderEpoch = {
  key: 23, name: 'OffsetForLeaderEpoch', minVersion: 0, maxVersion: 4, flexibleFrom: 4,
  request: [
    f('replicaId', 'int32', '3+', { default: -2 }),
    arr('topics', '0+', [
      f('topic', 'string'),
      arr('partitions', '0+', [
        f('partition', 'int32'),
        f('currentLeaderEpoch', 'int32', '2+', { default: -1 }),
        f('leaderEpoch', 'int32'),
      ]),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32', '2+'),
    arr('topics', '0+', [
      f('topic', 'string'),
      arr('partitions', '0+', [
        f('errorCode', 'int16'),
        f('partition', 'int32'),
        f('leaderEpoch', 'int32', '1+', { default: -1 }),
        f('endOffset', 'int64', '0+', { default: -1n }),
      ]),
    ]),
  ],
} satisfies ApiDecl;
