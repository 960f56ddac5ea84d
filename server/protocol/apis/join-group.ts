// JoinGroup (key 11). Kafka grammar:
//   JoinGroup Request (Version: 9) => group_id session_timeout_ms rebalance_timeout_ms member_id
//                                     group_instance_id protocol_type [protocols] reason TAG_BUFFER
//     protocols => name metadata TAG_BUFFER
//   JoinGroup Response (Version: 9) => throttle_time_ms error_code generation_id protocol_type protocol_name
//                                      leader skip_assignment member_id [members] TAG_BUFFER
//     members => member_id group_instance_id metadata TAG_BUFFER
// v4+ clients expect the MEMBER_ID_REQUIRED round trip.
import { type ApiDecl, f, arr } from '../schema.ts';

export const JoinGroup = {
  key: 11, name: 'JoinGroup', minVersion: 0, maxVersion: 9, flexibleFrom: 6,
  request: [
    f('groupId', 'string'),
    f('sessionTimeoutMs', 'int32'),
    f('rebalanceTimeoutMs', 'int32', '1+', { default: -1 }),
    f('memberId', 'string'),
    f('groupInstanceId', 'string', '5+', { nullableVersions: '5+', default: null }),
    f('protocolType', 'string'),
    arr('protocols', '0+', [
      f('name', 'string'),
      f('metadata', 'bytes'),
    ]),
    f('reason', 'string', '8+', { nullableVersions: '8+', default: null }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '2+'),
    f('errorCode', 'int16'),
    f('generationId', 'int32', '0+', { default: -1 }),
    f('protocolType', 'string', '7+', { nullableVersions: '7+', default: null }),
    f('protocolName', 'string', '0+', { nullableVersions: '7+' }),
    f('leader', 'string'),
    f('skipAssignment', 'bool', '9+', { default: false }),
    f('memberId', 'string'),
    arr('members', '0+', [
      f('memberId', 'string'),
      f('groupInstanceId', 'string', '5+', { nullableVersions: '5+', default: null }),
      f('metadata', 'bytes'),
    ]),
  ],
} satisfies ApiDecl;
