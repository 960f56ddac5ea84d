// ListGroups (key 16). Kafka grammar:
//   ListGroups Request (Version: 5) => [states_filter] [types_filter] TAG_BUFFER
//   ListGroups Response (Version: 5) => throttle_time_ms error_code [groups] TAG_BUFFER
//     groups => group_id protocol_type group_state group_type TAG_BUFFER
import { type ApiDecl, f, arr } from '../schema.ts';

export const ListGroups = {
  key: 16, name: 'ListGroups', minVersion: 0, maxVersion: 5, flexibleFrom: 3,
  request: [
    f('statesFilter', '[]string', '4+'),
    f('typesFilter', '[]string', '5+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16'),
    arr('groups', '0+', [
      f('groupId', 'string'),
      f('protocolType', 'string'),
      f('groupState', 'string', '4+'),
      f('groupType', 'string', '5+'),
    ]),
  ],
} satisfies ApiDecl;
