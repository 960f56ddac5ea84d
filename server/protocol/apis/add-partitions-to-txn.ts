// AddPartitionsToTxn (key 24). Kafka grammar:
//   AddPartitionsToTxn Request (Version: 5) => [transactions] TAG_BUFFER
//     transactions => transactional_id producer_id producer_epoch verify_only [topics] TAG_BUFFER
//       topics => name [partitions] TAG_BUFFER
//   AddPartitionsToTxn Response (Version: 5) => throttle_time_ms error_code [results_by_transaction] TAG_BUFFER
//     results_by_transaction => transactional_id [topic_results] TAG_BUFFER
//       topic_results => name [results_by_partition] TAG_BUFFER
//         results_by_partition => partition_index partition_error_code TAG_BUFFER
// v0-3 (clients) carry one transaction in the v3AndBelow* fields; v4+ (brokers) batch transactions.
import { type ApiDecl, type FieldDecl, f, arr } from '../schema.ts';

const topic = (v: string): FieldDecl[] => [
  f('name', 'string', v),
  f('partitions', '[]int32', v),
];

const topicResult = (v: string): FieldDecl[] => [
  f('name', 'string', v),
  arr('resultsByPartition', v, [
    f('partitionIndex', 'int32', v),
    f('partitionErrorCode', 'int16', v),
  ]),
];

export const AddPartitionsToTxn = {
  key: 24, name: 'AddPartitionsToTxn', minVersion: 0, maxVersion: 5, flexibleFrom: 3,
  request: [
    arr('transactions', '4+', [
      f('transactionalId', 'string', '4+'),
      f('producerId', 'int64', '4+'),
      f('producerEpoch', 'int16', '4+'),
      f('verifyOnly', 'bool', '4+', { default: false }),
      arr('topics', '4+', topic('0+')),
    ]),
    f('v3AndBelowTransactionalId', 'string', '0-3'),
    f('v3AndBelowProducerId', 'int64', '0-3'),
    f('v3AndBelowProducerEpoch', 'int16', '0-3'),
    arr('v3AndBelowTopics', '0-3', topic('0+')),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f('errorCode', 'int16', '4+'),
    arr('resultsByTransaction', '4+', [
      f('transactionalId', 'string', '4+'),
      arr('topicResults', '4+', topicResult('0+')),
    ]),
    arr('resultsByTopicV3AndBelow', '0-3', topicResult('0+')),
  ],
} satisfies ApiDecl;
