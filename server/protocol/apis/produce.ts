// Produce (key 0). Kafka grammar:
//   Produce Request (Version: 11) => transactional_id acks timeout_ms [topic_data] TAG_BUFFER
//     topic_data => name [partition_data] TAG_BUFFER
//       partition_data => index records TAG_BUFFER
//   Produce Response (Version: 11) => [responses] throttle_time_ms TAG_BUFFER
//     responses => name [partition_responses] TAG_BUFFER
//       partition_responses => index error_code base_offset log_append_time_ms log_start_offset
//                              [record_errors] error_message TAG_BUFFER
//         record_errors => batch_index batch_index_error_message TAG_BUFFER
//   Tagged (v10+): partition_responses.current_leader (tag 0), node_endpoints (tag 0).
// Before Kafka 2.8 the request fields were named topics/partitions/partitionIndex.
import { type ApiDecl, f, arr, tagged } from '../schema.ts';

export const Produce = {
  key: 0, name: 'Produce', minVersion: 0, maxVersion: 11, flexibleFrom: 9,
  request: [
    f('transactionalId', 'string', '3+', { nullableVersions: '3+', default: null }),
    f('acks', 'int16'),
    f('timeoutMs', 'int32'),
    arr('topicData', '0+', [
      f('name', 'string'),
      arr('partitionData', '0+', [
        f('index', 'int32'),
        f('records', 'records', '0+', { nullableVersions: '0+' }),
      ]),
    ]),
  ],
  response: [
    arr('responses', '0+', [
      f('name', 'string'),
      arr('partitionResponses', '0+', [
        f('index', 'int32'),
        f('errorCode', 'int16'),
        f('baseOffset', 'int64'),
        f('logAppendTimeMs', 'int64', '2+', { default: -1n }),
        f('logStartOffset', 'int64', '5+', { default: -1n }),
        arr('recordErrors', '8+', [
          f('batchIndex', 'int32', '8+'),
          f('batchIndexErrorMessage', 'string', '8+', { nullableVersions: '8+', default: null }),
        ]),
        f('errorMessage', 'string', '8+', { nullableVersions: '8+', default: null }),
        tagged('currentLeader', 'LeaderIdAndEpoch', 0, '10+', { fields: [
          f('leaderId', 'int32', '10+', { default: -1 }),
          f('leaderEpoch', 'int32', '10+', { default: -1 }),
        ] }),
      ]),
    ]),
    f('throttleTimeMs', 'int32', '1+', { default: 0 }),
    tagged('nodeEndpoints', '[]NodeEndpoint', 0, '10+', { fields: [
      f('nodeId', 'int32', '10+'),
      f('host', 'string', '10+'),
      f('port', 'int32', '10+'),
      f('rack', 'string', '10+', { nullableVersions: '10+', default: null }),
    ] }),
  ],
} satisfies ApiDecl;
