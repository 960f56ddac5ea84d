// TxnOffsetCommit (key 28). Kafka grammar:
//   TxnOffsetCommit Request (Version: 4) => transactional_id group_id producer_id producer_epoch generation_id
//                                           member_id group_instance_id [topics] TAG_BUFFER
//     topics => name [partitions] TAG_BUFFER
//       partitions => partition_index committed_offset committed_leader_epoch committed_metadata TAG_BUFFER
//   TxnOffsetCommit Response (Version: 4) => throttle_time_ms [topics] TAG_BUFFER
//     topics => name [partitions] TAG_BUFFER
//       partitions => partition_index error_code TAG_BUFFER
import { type ApiDecl, f, arr } from '../schema.ts';

export const TxnOffsetCommit = {
  key: 28, name: 'TxnOffsetCommit', minVersion: 0, maxVersion: 4, flexibleFrom: 3,
  request: [
    f('transactionalId', 'string'),
    f('groupId', 'string'),
    f('producerId', 'int64'),
    f('producerEpoch', 'int16'),
    f('generationId', 'int32', '3+', { default: -1 }),
    f('memberId', 'string', '3+', { default: '' }),
    f('groupInstanceId', 'string', '3+', { nullableVersions: '3+', default: null }),
    arr('topics', '0+', [
      f('name', 'string'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32'),
        f('committedOffset', 'int64'),
        f('committedLeaderEpoch', 'int32', '2+', { default: -1 }),
        f('committedMetadata', 'string', '0+', { nullableVersions: '0+' }),
      ]),
    ]),
  ],
  response: [
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
