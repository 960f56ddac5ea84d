// TEMPORARY core declarations so the broker can be exercised while the full set is written.
import { type ApiDecl, f, arr } from '../schema.ts';

export const Metadata: ApiDecl = {
  key: 3, name: 'Metadata', minVersion: 0, maxVersion: 12, flexibleFrom: 9,
  request: [
    arr('topics', '0+', [f('topicId', 'uuid', '10+'), f('name', 'string', '0+', { nullableVersions: '10+' })], { nullableVersions: '1+' }),
    f('allowAutoTopicCreation', 'bool', '4+', { default: true }),
    f('includeClusterAuthorizedOperations', 'bool', '8-10'),
    f('includeTopicAuthorizedOperations', 'bool', '8+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '3+'),
    arr('brokers', '0+', [f('nodeId', 'int32'), f('host', 'string'), f('port', 'int32'), f('rack', 'string', '1+', { nullableVersions: '1+', default: null })]),
    f('clusterId', 'string', '2+', { nullableVersions: '2+', default: null }),
    f('controllerId', 'int32', '1+', { default: -1 }),
    arr('topics', '0+', [
      f('errorCode', 'int16'), f('name', 'string', '0+', { nullableVersions: '12+' }), f('topicId', 'uuid', '10+'), f('isInternal', 'bool', '1+'),
      arr('partitions', '0+', [
        f('errorCode', 'int16'), f('partitionIndex', 'int32'), f('leaderId', 'int32'), f('leaderEpoch', 'int32', '7+', { default: -1 }),
        f('replicaNodes', '[]int32'), f('isrNodes', '[]int32'), f('offlineReplicas', '[]int32', '5+'),
      ]),
      f('topicAuthorizedOperations', 'int32', '8+', { default: -2147483648 }),
    ]),
    f('clusterAuthorizedOperations', 'int32', '8-10', { default: -2147483648 }),
  ],
};

export const Produce: ApiDecl = {
  key: 0, name: 'Produce', minVersion: 0, maxVersion: 9, flexibleFrom: 9,
  request: [
    f('transactionalId', 'string', '3+', { nullableVersions: '3+', default: null }),
    f('acks', 'int16'), f('timeoutMs', 'int32'),
    arr('topicData', '0+', [f('name', 'string'), arr('partitionData', '0+', [f('index', 'int32'), f('records', 'records', '0+', { nullableVersions: '0+' })])]),
  ],
  response: [
    arr('responses', '0+', [f('name', 'string'), arr('partitionResponses', '0+', [
      f('index', 'int32'), f('errorCode', 'int16'), f('baseOffset', 'int64'),
      f('logAppendTimeMs', 'int64', '2+', { default: -1n }), f('logStartOffset', 'int64', '5+', { default: -1n }),
      arr('recordErrors', '8+', [f('batchIndex', 'int32', '8+'), f('batchIndexErrorMessage', 'string', '8+', { nullableVersions: '8+', default: null })]),
      f('errorMessage', 'string', '8+', { nullableVersions: '8+', default: null }),
    ])]),
    f('throttleTimeMs', 'int32', '1+'),
  ],
};

export const Fetch: ApiDecl = {
  key: 1, name: 'Fetch', minVersion: 0, maxVersion: 11, flexibleFrom: 12,
  request: [
    f('replicaId', 'int32', '0-14', { default: -1 }), f('maxWaitMs', 'int32'), f('minBytes', 'int32'),
    f('maxBytes', 'int32', '3+', { default: 0x7fffffff }), f('isolationLevel', 'int8', '4+'),
    f('sessionId', 'int32', '7+'), f('sessionEpoch', 'int32', '7+', { default: -1 }),
    arr('topics', '0+', [f('topic', 'string', '0-12'), f('topicId', 'uuid', '13+'), arr('partitions', '0+', [
      f('partition', 'int32'), f('currentLeaderEpoch', 'int32', '9+', { default: -1 }), f('fetchOffset', 'int64'),
      f('lastFetchedEpoch', 'int32', '12+', { default: -1 }), f('logStartOffset', 'int64', '5+', { default: -1n }), f('partitionMaxBytes', 'int32'),
    ])]),
    arr('forgottenTopicsData', '7+', [f('topic', 'string', '7-12'), f('topicId', 'uuid', '13+'), f('partitions', '[]int32', '7+')]),
    f('rackId', 'string', '11+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'), f('errorCode', 'int16', '7+'), f('sessionId', 'int32', '7+'),
    arr('responses', '0+', [f('topic', 'string', '0-12'), f('topicId', 'uuid', '13+'), arr('partitions', '0+', [
      f('partitionIndex', 'int32'), f('errorCode', 'int16'), f('highWatermark', 'int64'),
      f('lastStableOffset', 'int64', '4+', { default: -1n }), f('logStartOffset', 'int64', '5+', { default: -1n }),
      arr('abortedTransactions', '4+', [f('producerId', 'int64', '4+'), f('firstOffset', 'int64', '4+')], { nullableVersions: '4+' }),
      f('preferredReadReplica', 'int32', '11+', { default: -1 }),
      f('records', 'records', '0+', { nullableVersions: '0+' }),
    ])]),
  ],
};

export const ListOffsets: ApiDecl = {
  key: 2, name: 'ListOffsets', minVersion: 0, maxVersion: 5, flexibleFrom: 6,
  request: [
    f('replicaId', 'int32'), f('isolationLevel', 'int8', '2+'),
    arr('topics', '0+', [f('name', 'string'), arr('partitions', '0+', [
      f('partitionIndex', 'int32'), f('currentLeaderEpoch', 'int32', '4+', { default: -1 }), f('timestamp', 'int64'), f('maxNumOffsets', 'int32', '0', { default: 1 }),
    ])]),
  ],
  response: [
    f('throttleTimeMs', 'int32', '2+'),
    arr('topics', '0+', [f('name', 'string'), arr('partitions', '0+', [
      f('partitionIndex', 'int32'), f('errorCode', 'int16'), f('oldStyleOffsets', '[]int64', '0'),
      f('timestamp', 'int64', '1+', { default: -1n }), f('offset', 'int64', '1+', { default: -1n }), f('leaderEpoch', 'int32', '4+', { default: -1 }),
    ])]),
  ],
};
