// DescribeGroups (key 15). Kafka grammar:
//   DescribeGroups Request (Version: 5) => [groups] include_authorized_operations TAG_BUFFER
//   DescribeGroups Response (Version: 5) => throttle_time_ms [groups] TAG_BUFFER
//     groups => error_code group_id group_state protocol_type protocol_data [members]
//               authorized_operations TAG_BUFFER
//       members => member_id group_instance_id client_id client_host member_metadata member_assignment TAG_BUFFER
import { type ApiDecl, f, arr } from '../schema.ts';

export const DescribeGroups = {
  key: 15, name: 'DescribeGroups', minVersion: 0, maxVersion: 5, flexibleFrom: 5,
  request: [
    f('groups', '[]string'),
    f('includeAuthorizedOperations', 'bool', '3+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    arr('groups', '0+', [
      f('errorCode', 'int16'),
      f('groupId', 'string'),
      f('groupState', 'string'),
      f('protocolType', 'string'),
      f('protocolData', 'string'),
      arr('members', '0+', [
        f('memberId', 'string'),
        f('groupInstanceId', 'string', '4+', { nullableVersions: '4+', default: null }),
        f('clientId', 'string'),
        f('clientHost', 'string'),
        f('memberMetadata', 'bytes'),
        f('memberAssignment', 'bytes'),
      ]),
      f('authorizedOperations', 'int32', '3+', { default: -2147483648 }),
    ]),
  ],
} satisfies ApiDecl;
