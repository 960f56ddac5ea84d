// CreatePartitions (key 37). Kafka grammar:
//   CreatePartitions Request (Version: 3) => [topics] timeout_ms validate_only TAG_BUFFER
//     topics => name count [assignments] TAG_BUFFER
//       assignments => [broker_ids] TAG_BUFFER
//   CreatePartitions Response (Version: 3) => throttle_time_ms [results] TAG_BUFFER
//     results => name error_code error_message TAG_BUFFER
import { type ApiDecl, f, arr } from '../schema.ts';

export const CreatePartitions = {
  key: 37, name: 'CreatePartitions', minVersion: 0, maxVersion: 3, flexibleFrom: 2,
  request: [
    arr('topics', '0+', [
      f('name', 'string'),
      f('count', 'int32'),
      arr('assignments', '0+', [
        f('brokerIds', '[]int32'),
      ], { nullableVersions: '0+' }),
    ]),
    f('timeoutMs', 'int32'),
    f('validateOnly', 'bool'),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    arr('results', '0+', [
      f('name', 'string'),
      f('errorCode', 'int16'),
      f('errorMessage', 'string', '0+', { nullableVersions: '0+', default: null }),
    ]),
  ],
} satisfies ApiDecl;
