// ListTransactions (key 66). Kafka grammar:
//   ListTransactions Request (Version: 1) => [state_filters] [producer_id_filters] duration_filter TAG_BUFFER
//   ListTransactions Response (Version: 1) => throttle_time_ms error_code [unknown_state_filters]
//                                             [transaction_states] TAG_BUFFER
//     transaction_states => transactional_id producer_id transaction_state TAG_BUFFER
// Flexible from v0.
import { type ApiDecl, f, arr } from '../schema.ts';

export const ListTransactions = {
  key: 66, name: 'ListTransactions', minVersion: 0, maxVersion: 1, flexibleFrom: 0,
  request: [
    f('stateFilters', '[]string'),
    f('producerIdFilters', '[]int64'),
    f('durationFilter', 'int64', '1+', { default: -1n }),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f('errorCode', 'int16'),
    f('unknownStateFilters', '[]string'),
    arr('transactionStates', '0+', [
      f('transactionalId', 'string'),
      f('producerId', 'int64'),
      f('transactionState', 'string'),
    ]),
  ],
} satisfies ApiDecl;
