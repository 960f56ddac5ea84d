// TEMPORARY admin and transaction declarations until the full declaration set lands.
import { type ApiDecl, f, arr, tagged } from '../schema.ts';

const ns = (v: string) => ({ nullableVersions: v, default: null });

export const CreateTopics: ApiDecl = {
  key: 19, name: 'CreateTopics', minVersion: 0, maxVersion: 7, flexibleFrom: 5,
  request: [
    arr('topics', '0+', [
      f('name', 'string'), f('numPartitions', 'int32'), f('replicationFactor', 'int16'),
      arr('assignments', '0+', [f('partitionIndex', 'int32'), f('brokerIds', '[]int32')]),
      arr('configs', '0+', [f('name', 'string'), f('value', 'string', '0+', ns('0+'))]),
    ]),
    f('timeoutMs', 'int32'), f('validateOnly', 'bool', '1+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '2+'),
    arr('topics', '0+', [
      f('name', 'string'), f('topicId', 'uuid', '7+'), f('errorCode', 'int16'), f('errorMessage', 'string', '1+', ns('0+')),
      tagged('topicConfigErrorCode', 'int16', 0, '5+'),
      f('numPartitions', 'int32', '5+', { default: -1 }), f('replicationFactor', 'int16', '5+', { default: -1 }),
      arr('configs', '5+', [f('name', 'string', '5+'), f('value', 'string', '5+', ns('5+')), f('readOnly', 'bool', '5+'), f('configSource', 'int8', '5+', { default: -1 }), f('isSensitive', 'bool', '5+')], { nullableVersions: '5+', default: null }),
    ]),
  ],
};

export const DeleteTopics: ApiDecl = {
  key: 20, name: 'DeleteTopics', minVersion: 0, maxVersion: 6, flexibleFrom: 4,
  request: [
    arr('topics', '6+', [f('name', 'string', '6+', ns('6+')), f('topicId', 'uuid', '6+')]),
    f('topicNames', '[]string', '0-5'), f('timeoutMs', 'int32'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    arr('responses', '0+', [f('name', 'string', '0+', ns('6+')), f('topicId', 'uuid', '6+'), f('errorCode', 'int16'), f('errorMessage', 'string', '5+', ns('5+'))]),
  ],
};

export const DeleteRecords: ApiDecl = {
  key: 21, name: 'DeleteRecords', minVersion: 0, maxVersion: 2, flexibleFrom: 2,
  request: [arr('topics', '0+', [f('name', 'string'), arr('partitions', '0+', [f('partitionIndex', 'int32'), f('offset', 'int64')])]), f('timeoutMs', 'int32')],
  response: [f('throttleTimeMs', 'int32'), arr('topics', '0+', [f('name', 'string'), arr('partitions', '0+', [f('partitionIndex', 'int32'), f('lowWatermark', 'int64'), f('errorCode', 'int16')])])],
};

export const InitProducerId: ApiDecl = {
  key: 22, name: 'InitProducerId', minVersion: 0, maxVersion: 5, flexibleFrom: 2,
  request: [f('transactionalId', 'string', '0+', ns('0+')), f('transactionTimeoutMs', 'int32'), f('producerId', 'int64', '3+', { default: -1n }), f('producerEpoch', 'int16', '3+', { default: -1 })],
  response: [f('throttleTimeMs', 'int32'), f('errorCode', 'int16'), f('producerId', 'int64', '0+', { default: -1n }), f('producerEpoch', 'int16')],
};

export const OffsetForLeaderEpoch: ApiDecl = {
  key: 23, name: 'OffsetForLeaderEpoch', minVersion: 0, maxVersion: 4, flexibleFrom: 4,
  request: [f('replicaId', 'int32', '3+', { default: -2 }), arr('topics', '0+', [f('topic', 'string'), arr('partitions', '0+', [f('partition', 'int32'), f('currentLeaderEpoch', 'int32', '2+', { default: -1 }), f('leaderEpoch', 'int32')])])],
  response: [f('throttleTimeMs', 'int32', '2+'), arr('topics', '0+', [f('topic', 'string'), arr('partitions', '0+', [f('errorCode', 'int16'), f('partition', 'int32'), f('leaderEpoch', 'int32', '1+', { default: -1 }), f('endOffset', 'int64', '0+', { default: -1n })])])],
};

export const AddPartitionsToTxn: ApiDecl = {
  key: 24, name: 'AddPartitionsToTxn', minVersion: 0, maxVersion: 3, flexibleFrom: 3,
  request: [
    f('v3AndBelowTransactionalId', 'string', '0-3'), f('v3AndBelowProducerId', 'int64', '0-3'), f('v3AndBelowProducerEpoch', 'int16', '0-3'),
    arr('v3AndBelowTopics', '0-3', [f('name', 'string'), f('partitions', '[]int32')]),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    arr('resultsByTopicV3AndBelow', '0-3', [f('name', 'string'), arr('resultsByPartition', '0+', [f('partitionIndex', 'int32'), f('partitionErrorCode', 'int16')])]),
  ],
};

export const AddOffsetsToTxn: ApiDecl = {
  key: 25, name: 'AddOffsetsToTxn', minVersion: 0, maxVersion: 3, flexibleFrom: 3,
  request: [f('transactionalId', 'string'), f('producerId', 'int64'), f('producerEpoch', 'int16'), f('groupId', 'string')],
  response: [f('throttleTimeMs', 'int32'), f('errorCode', 'int16')],
};

export const EndTxn: ApiDecl = {
  key: 26, name: 'EndTxn', minVersion: 0, maxVersion: 3, flexibleFrom: 3,
  request: [f('transactionalId', 'string'), f('producerId', 'int64'), f('producerEpoch', 'int16'), f('committed', 'bool')],
  response: [f('throttleTimeMs', 'int32'), f('errorCode', 'int16')],
};

export const TxnOffsetCommit: ApiDecl = {
  key: 28, name: 'TxnOffsetCommit', minVersion: 0, maxVersion: 3, flexibleFrom: 3,
  request: [
    f('transactionalId', 'string'), f('groupId', 'string'), f('producerId', 'int64'), f('producerEpoch', 'int16'),
    f('generationId', 'int32', '3+', { default: -1 }), f('memberId', 'string', '3+'), f('groupInstanceId', 'string', '3+', ns('3+')),
    arr('topics', '0+', [f('name', 'string'), arr('partitions', '0+', [f('partitionIndex', 'int32'), f('committedOffset', 'int64'), f('committedLeaderEpoch', 'int32', '2+', { default: -1 }), f('committedMetadata', 'string', '0+', ns('0+'))])]),
  ],
  response: [f('throttleTimeMs', 'int32'), arr('topics', '0+', [f('name', 'string'), arr('partitions', '0+', [f('partitionIndex', 'int32'), f('errorCode', 'int16')])])],
};

export const DescribeConfigs: ApiDecl = {
  key: 32, name: 'DescribeConfigs', minVersion: 0, maxVersion: 4, flexibleFrom: 4,
  request: [
    arr('resources', '0+', [f('resourceType', 'int8'), f('resourceName', 'string'), f('configurationKeys', '[]string', '0+', ns('0+'))]),
    f('includeSynonyms', 'bool', '1+'), f('includeDocumentation', 'bool', '3+'),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    arr('results', '0+', [
      f('errorCode', 'int16'), f('errorMessage', 'string', '0+', ns('0+')), f('resourceType', 'int8'), f('resourceName', 'string'),
      arr('configs', '0+', [
        f('name', 'string'), f('value', 'string', '0+', ns('0+')), f('readOnly', 'bool'), f('isDefault', 'bool', '0'),
        f('configSource', 'int8', '1+', { default: -1 }), f('isSensitive', 'bool'),
        arr('synonyms', '1+', [f('name', 'string', '1+'), f('value', 'string', '1+', ns('1+')), f('source', 'int8', '1+')]),
        f('configType', 'int8', '3+'), f('documentation', 'string', '3+', ns('0+')),
      ]),
    ]),
  ],
};

export const AlterConfigs: ApiDecl = {
  key: 33, name: 'AlterConfigs', minVersion: 0, maxVersion: 2, flexibleFrom: 2,
  request: [arr('resources', '0+', [f('resourceType', 'int8'), f('resourceName', 'string'), arr('configs', '0+', [f('name', 'string'), f('value', 'string', '0+', ns('0+'))])]), f('validateOnly', 'bool')],
  response: [f('throttleTimeMs', 'int32'), arr('responses', '0+', [f('errorCode', 'int16'), f('errorMessage', 'string', '0+', ns('0+')), f('resourceType', 'int8'), f('resourceName', 'string')])],
};

export const DescribeLogDirs: ApiDecl = {
  key: 35, name: 'DescribeLogDirs', minVersion: 0, maxVersion: 4, flexibleFrom: 2,
  request: [arr('topics', '0+', [f('topic', 'string'), f('partitions', '[]int32')], { nullableVersions: '0+' })],
  response: [
    f('throttleTimeMs', 'int32'), f('errorCode', 'int16', '3+'),
    arr('results', '0+', [
      f('errorCode', 'int16'), f('logDir', 'string'),
      arr('topics', '0+', [f('name', 'string'), arr('partitions', '0+', [f('partitionIndex', 'int32'), f('partitionSize', 'int64'), f('offsetLag', 'int64'), f('isFutureKey', 'bool')])]),
      f('totalBytes', 'int64', '4+', { default: -1n }), f('usableBytes', 'int64', '4+', { default: -1n }),
    ]),
  ],
};

export const CreatePartitions: ApiDecl = {
  key: 37, name: 'CreatePartitions', minVersion: 0, maxVersion: 3, flexibleFrom: 2,
  request: [arr('topics', '0+', [f('name', 'string'), f('count', 'int32'), arr('assignments', '0+', [f('brokerIds', '[]int32')], { nullableVersions: '0+' })]), f('timeoutMs', 'int32'), f('validateOnly', 'bool')],
  response: [f('throttleTimeMs', 'int32'), arr('results', '0+', [f('name', 'string'), f('errorCode', 'int16'), f('errorMessage', 'string', '0+', ns('0+'))])],
};

export const IncrementalAlterConfigs: ApiDecl = {
  key: 44, name: 'IncrementalAlterConfigs', minVersion: 0, maxVersion: 1, flexibleFrom: 1,
  request: [arr('resources', '0+', [f('resourceType', 'int8'), f('resourceName', 'string'), arr('configs', '0+', [f('name', 'string'), f('configOperation', 'int8'), f('value', 'string', '0+', ns('0+'))])]), f('validateOnly', 'bool')],
  response: [f('throttleTimeMs', 'int32'), arr('responses', '0+', [f('errorCode', 'int16'), f('errorMessage', 'string', '0+', ns('0+')), f('resourceType', 'int8'), f('resourceName', 'string')])],
};

export const DescribeCluster: ApiDecl = {
  key: 60, name: 'DescribeCluster', minVersion: 0, maxVersion: 1, flexibleFrom: 0,
  request: [f('includeClusterAuthorizedOperations', 'bool'), f('endpointType', 'int8', '1+', { default: 1 })],
  response: [
    f('throttleTimeMs', 'int32'), f('errorCode', 'int16'), f('errorMessage', 'string', '0+', ns('0+')), f('endpointType', 'int8', '1+', { default: 1 }),
    f('clusterId', 'string'), f('controllerId', 'int32', '0+', { default: -1 }),
    arr('brokers', '0+', [f('brokerId', 'int32'), f('host', 'string'), f('port', 'int32'), f('rack', 'string', '0+', ns('0+'))]),
    f('clusterAuthorizedOperations', 'int32', '0+', { default: -2147483648 }),
  ],
};

export const DescribeTransactions: ApiDecl = {
  key: 65, name: 'DescribeTransactions', minVersion: 0, maxVersion: 0, flexibleFrom: 0,
  request: [f('transactionalIds', '[]string')],
  response: [f('throttleTimeMs', 'int32'), arr('transactionStates', '0+', [
    f('errorCode', 'int16'), f('transactionalId', 'string'), f('transactionState', 'string'), f('transactionTimeoutMs', 'int32'),
    f('transactionStartTimeMs', 'int64'), f('producerId', 'int64'), f('producerEpoch', 'int16'),
    arr('topics', '0+', [f('topic', 'string'), f('partitions', '[]int32')]),
  ])],
};

export const ListTransactions: ApiDecl = {
  key: 66, name: 'ListTransactions', minVersion: 0, maxVersion: 1, flexibleFrom: 0,
  request: [f('stateFilters', '[]string'), f('producerIdFilters', '[]int64'), f('durationFilter', 'int64', '1+', { default: -1n })],
  response: [f('throttleTimeMs', 'int32'), f('errorCode', 'int16'), f('unknownStateFilters', '[]string'), arr('transactionStates', '0+', [f('transactionalId', 'string'), f('producerId', 'int64'), f('transactionState', 'string')])],
};

export const FindCoordinator: ApiDecl = {
  key: 10, name: 'FindCoordinator', minVersion: 0, maxVersion: 6, flexibleFrom: 3,
  request: [f('key', 'string', '0-3'), f('keyType', 'int8', '1+'), f('coordinatorKeys', '[]string', '4+')],
  response: [
    f('throttleTimeMs', 'int32', '1+'), f('errorCode', 'int16', '0-3'), f('errorMessage', 'string', '1-3', ns('1-3')),
    f('nodeId', 'int32', '0-3'), f('host', 'string', '0-3'), f('port', 'int32', '0-3'),
    arr('coordinators', '4+', [f('key', 'string', '4+'), f('nodeId', 'int32', '4+'), f('host', 'string', '4+'), f('port', 'int32', '4+'), f('errorCode', 'int16', '4+'), f('errorMessage', 'string', '4+', ns('4+'))]),
  ],
};
