// OffsetFetch (key 9). Kafka grammar:
//   OffsetFetch Request (Version: 9) => [groups] require_stable TAG_BUFFER
//     groups => group_id member_id member_epoch [topics] TAG_BUFFER
//       topics => name [partition_indexes] TAG_BUFFER
//   OffsetFetch Response (Version: 9) => throttle_time_ms [groups] TAG_BUFFER
//     groups => group_id [topics] error_code TAG_BUFFER
//       topics => name [partitions] TAG_BUFFER
//         partitions => partition_index committed_offset committed_leader_epoch metadata error_code TAG_BUFFER
// v0-7 carry one group at top level (group_id, [topics], error_code); v8+ batch them in groups[].
// topics = null asks for all committed offsets (v2-7 top level, v8+ per group).
import { type ApiDecl, f, arr } from '../schema.ts';

export const OffsetFetch = {
  key: 9, name: 'OffsetFetch', minVersion: 0, maxVersion: 9, flexibleFrom: 6,
  request: [
    f('groupId', 'string', '0-7'),
    arr('topics', '0-7', [
      f('name', 'string', '0-7'),
      f('partitionIndexes', '[]int32', '0-7'),
    ], { nullableVersions: '2-7' }),
    arr('groups', '8+', [
      f('groupId', 'string', '8+'),
      f('memberId', 'string', '9+', { nullableVersions: '9+', default: null }),
      f('memberEpoch', 'int32', '9+', { default: -1 }),
      arr('topics', '8+', [
        f('name', 'string', '8+'),
        f('partitionIndexes', '[]int32', '8+'),
      ], { nullableVersions: '8+' }),
    ]),
    f('requireStable', 'bool', '7+', { default: false }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '3+'),
    arr('topics', '0-7', [
      f('name', 'string', '0-7'),
      arr('partitions', '0-7', [
        f('partitionIndex', 'int32', '0-7'),
        f('committedOffset', 'int64', '0-7'),
        f('committedLeaderEpoch', 'int32', '5-7', { default: -1 }),
        f('metadata', 'string', '0-7', { nullableVersions: '0-7' }),
        f('errorCode', 'int16', '0-7'),
      ]),
    ]),
    f('errorCode', 'int16', '2-7', { default: 0 }),
    arr('groups', '8+', [
      f('groupId', 'string', '8+'),
      arr('topics', '8+', [
        f('name', 'string', '8+'),
        arr('partitions', '8+', [
          f('partitionIndex', 'int32', '8+'),
          f('committedOffset', 'int64', '8+'),
          f('committedLeaderEpoch', 'int32', '8+', { default: -1 }),
          f('metadata', 'string', '8+', { nullableVersions: '8+' }),
          f('errorCode', 'int16', '8+'),
        ]),
      ]),
      f('errorCode', 'int16', '8+', { default: 0 }),
    ]),
  ],
} satisfies ApiDecl;
