// DescribeProducers (key 61). Kafka grammar:
//   DescribeProducers Request (Version: 0) => [topics] TAG_BUFFER
//     topics => name [partition_indexes] TAG_BUFFER
//   DescribeProducers Response (Version: 0) => throttle_time_ms [topics] TAG_BUFFER
//     topics => name [partitions] TAG_BUFFER
//       partitions => partition_index error_code error_message [active_producers] TAG_BUFFER
//         active_producers => producer_id producer_epoch last_sequence last_timestamp coordinator_epoch
//                             current_txn_start_offset TAG_BUFFER
// Flexible from v0. producer_epoch is an int32 here (an int16 everywhere else).
import { type ApiDecl, f, arr } from '../schema.ts';

export const DescribeProducers = {
  key: 61, name: 'DescribeProducers', minVersion: 0, maxVersion: 0, flexibleFrom: 0,
  request: [
    arr('topics', '0+', [
      f('name', 'string'),
      f('partitionIndexes', '[]int32'),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    arr('topics', '0+', [
      f('name', 'string'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32'),
        f('errorCode', 'int16'),
        f('errorMessage', 'string', '0+', { nullableVersions: '0+', default: null }),
        arr('activeProducers', '0+', [
          f('producerId', 'int64'),
          f('producerEpoch', 'int32'),
          f('lastSequence', 'int32', '0+', { default: -1 }),
          f('lastTimestamp', 'int64', '0+', { default: -1n }),
          f('coordinatorEpoch', 'int32'),
          f('currentTxnStartOffset', 'int64', '0+', { default: -1n }),
        ]),
      ]),
    ]),
  ],
} satisfies ApiDecl;
