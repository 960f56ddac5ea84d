// WriteTxnMarkers (key 27). Kafka grammar:
//   WriteTxnMarkers Request (Version: 1) => [markers] TAG_BUFFER
//     markers => producer_id producer_epoch transaction_result [topics] coordinator_epoch TAG_BUFFER
//       topics => name [partition_indexes] TAG_BUFFER
//   WriteTxnMarkers Response (Version: 1) => [markers] TAG_BUFFER
//     markers => producer_id [topics] TAG_BUFFER
//       topics => name [partitions] TAG_BUFFER
//         partitions => partition_index error_code TAG_BUFFER
// No throttle_time_ms in the response (an inter-broker API).
import { type ApiDecl, f, arr } from '../schema.ts';

export const WriteTxnMarkers = {
  key: 27, name: 'WriteTxnMarkers', minVersion: 0, maxVersion: 1, flexibleFrom: 1,
  request: [
    arr('markers', '0+', [
      f('producerId', 'int64'),
      f('producerEpoch', 'int16'),
      f('transactionResult', 'bool'),
      arr('topics', '0+', [
        f('name', 'string'),
        f('partitionIndexes', '[]int32'),
      ]),
      f('coordinatorEpoch', 'int32'),
    ]),
  ],
  response: [
    arr('markers', '0+', [
      f('producerId', 'int64'),
      arr('topics', '0+', [
        f('name', 'string'),
        arr('partitions', '0+', [
          f('partitionIndex', 'int32'),
          f('errorCode', 'int16'),
        ]),
      ]),
    ]),
  ],
} satisfies ApiDecl;
