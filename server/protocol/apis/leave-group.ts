// LeaveGroup (key 13). Kafka grammar:
//   LeaveGroup Request (Version: 5) => group_id [members] TAG_BUFFER
//     members => member_id group_instance_id reason TAG_BUFFER
//   LeaveGroup Response (Version: 5) => throttle_time_ms error_code [members] TAG_BUFFER
//     members => member_id group_instance_id error_code TAG_BUFFER
// v0-2 carry a single top-level member_id instead of members[].
import { type ApiDecl, f, arr } from '../schema.ts';

export const LeaveGroup = {
  key: 13, name: 'LeaveGroup', minVersion: 0, maxVersion: 5, flexibleFrom: 4,
  request: [
    f('groupId', 'string'),
    f('memberId', 'string', '0-2'),
    arr('members', '3+', [
      f('memberId', 'string', '3+'),
      f('groupInstanceId', 'string', '3+', { nullableVersions: '3+', default: null }),
      f('reason', 'string', '5+', { nullableVersions: '5+', default: null }),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16'),
    arr('members', '3+', [
      f('memberId', 'string', '3+'),
      f('groupInstanceId', 'string', '3+', { nullableVersions: '3+' }),
      f('errorCode', 'int16', '3+'),
    ]),
  ],
} satisfies ApiDecl;
