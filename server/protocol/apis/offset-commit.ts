// OffsetCommit (key 8). Kafka grammar:
//   OffsetCommit Request (Version: 9) => group_id generation_id_or_member_epoch member_id group_instance_id
//                                        [topics] TAG_BUFFER
//     topics => name [partitions] TAG_BUFFER
//       partitions => partition_index committed_offset committed_leader_epoch committed_metadata TAG_BUFFER
//   OffsetCommit Response (Version: 9) => throttle_time_ms [topics] TAG_BUFFER
//     topics => name [partitions] TAG_BUFFER
//       partitions => partition_index error_code TAG_BUFFER
// retentionTimeMs exists only in v2-4, commitTimestamp only in v1.
import { type ApiDecl, f, arr } from '../schema.ts';

export const OffsetCommit = {
  key: 8, name: 'OffsetCommit', minVersion: 0, maxVersion: 9, flexibleFrom: 8,
  request: [
    f('groupId', 'string'),
    f('generationIdOrMemberEpoch', 'int32', '1+', { default: -1 }),
    f('memberId', 'string', '1+'),
    f('groupInstanceId', 'string', '7+', { nullableVersions: '7+', default: null }),
    f('retentionTimeMs', 'int64', '2-4', { default: -1n }),
    arr('topics', '0+', [
      f('name', 'string'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32'),
        f('committedOffset', 'int64'),
        f('committedLeaderEpoch', 'int32', '6+', { default: -1 }),
        f('commitTimestamp', 'int64', '1', { default: -1n }),
        f('committedMetadata', 'string', '0+', { nullableVersions: '0+' }),
      ]),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32', '3+'),
    arr('topics', '0+', [
      f('name', 'string'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32'),
        f('errorCode', 'int16'),
      ]),
    ]),
  ],
} satisfies ApiDecl;
