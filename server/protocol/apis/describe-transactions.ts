// DescribeTransactions (key 65). Kafka grammar:
//   DescribeTransactions Request (Version: 0) => [transactional_ids] TAG_BUFFER
//   DescribeTransactions Response (Version: 0) => throttle_time_ms [transaction_states] TAG_BUFFER
//     transaction_states => error_code transactional_id transaction_state transaction_timeout_ms
//                           transaction_start_time_ms producer_id producer_epoch [topics] TAG_BUFFER
//       topics => topic [partitions] TAG_BUFFER
// Flexible from v0.
import { type ApiDecl, f, arr } from '../schema.ts';

export const DescribeTransactions = {
  key: 65, name: 'DescribeTransactions', minVersion: 0, maxVersion: 0, flexibleFrom: 0,
  request: [
    f('transactionalIds', '[]string'),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    arr('transactionStates', '0+', [
      f('errorCode', 'int16'),
      f('transactionalId', 'string'),
      f('transactionState', 'string'),
      f('transactionTimeoutMs', 'int32'),
      f('transactionStartTimeMs', 'int64'),
      f('producerId', 'int64'),
      f('producerEpoch', 'int16'),
      arr('topics', '0+', [
        f('topic', 'string'),
        f('partitions', '[]int32'),
      ]),
    ]),
  ],
} satisfies ApiDecl;
