// CreateTopics (key 19). Kafka grammar:
//   CreateTopics Request (Version: 7) => [topics] timeout_ms validate_only TAG_BUFFER
//     topics => name num_partitions replication_factor [assignments] [configs] TAG_BUFFER
//       assignments => partition_index [broker_ids] TAG_BUFFER
//       configs => name value TAG_BUFFER
//   CreateTopics Response (Version: 7) => throttle_time_ms [topics] TAG_BUFFER
//     topics => name topic_id error_code error_message num_partitions replication_factor [configs] TAG_BUFFER
//       configs => name value read_only config_source is_sensitive TAG_BUFFER
//   Tagged: topics.topic_config_error_code (tag 0, v5+).
import { type ApiDecl, f, arr, tagged } from '../schema.ts';

export const CreateTopics = {
  key: 19, name: 'CreateTopics', minVersion: 0, maxVersion: 7, flexibleFrom: 5,
  request: [
    arr('topics', '0+', [
      f('name', 'string'),
      f('numPartitions', 'int32'),
      f('replicationFactor', 'int16'),
      arr('assignments', '0+', [
        f('partitionIndex', 'int32'),
        f('brokerIds', '[]int32'),
      ]),
      arr('configs', '0+', [
        f('name', 'string'),
        f('value', 'string', '0+', { nullableVersions: '0+' }),
      ]),
    ]),
    f('timeoutMs', 'int32', '0+', { default: 60000 }),
    f('validateOnly', 'bool', '1+', { default: false }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '2+'),
    arr('topics', '0+', [
      f('name', 'string'),
      f('topicId', 'uuid', '7+'),
      f('errorCode', 'int16'),
      f('errorMessage', 'string', '1+', { nullableVersions: '0+' }),
      tagged('topicConfigErrorCode', 'int16', 0, '5+'),
      f('numPartitions', 'int32', '5+', { default: -1 }),
      f('replicationFactor', 'int16', '5+', { default: -1 }),
      arr('configs', '5+', [
        f('name', 'string', '5+'),
        f('value', 'string', '5+', { nullableVersions: '5+' }),
        f('readOnly', 'bool', '5+'),
        f('configSource', 'int8', '5+', { default: -1 }),
        f('isSensitive', 'bool', '5+'),
      ], { nullableVersions: '5+' }),
    ]),
  ],
} satisfies ApiDecl;
