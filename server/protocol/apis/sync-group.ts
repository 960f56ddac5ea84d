// SyncGroup (key 14). Kafka grammar:
//   SyncGroup Request (Version: 5) => group_id generation_id member_id group_instance_id protocol_type
//                                     protocol_name [assignments] TAG_BUFFER
//     assignments => member_id assignment TAG_BUFFER
//   SyncGroup Response (Version: 5) => throttle_time_ms error_code protocol_type protocol_name assignment TAG_BUFFER
import { type ApiDecl, f, arr } from '../schema.ts';

export const SyncGroup = {
  key: 14, name: 'SyncGroup', minVersion: 0, maxVersion: 5, flexibleFrom: 4,
  request: [
    f('groupId', 'string'),
    f('generationId', 'int32'),
    f('memberId', 'string'),
    f('groupInstanceId', 'string', '3+', { nullableVersions: '3+', default: null }),
    f('protocolType', 'string', '5+', { nullableVersions: '5+', default: null }),
    f('protocolName', 'string', '5+', { nullableVersions: '5+', default: null }),
    arr('assignments', '0+', [
      f('memberId', 'string'),
      f('assignment', 'bytes'),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16'),
    f('protocolType', 'string', '5+', { nullableVersions: '5+', default: null }),
    f('protocolName', 'string', '5+', { nullableVersions: '5+', default: null }),
    f('assignment', 'bytes'),
  ],
} satisfies ApiDecl;
