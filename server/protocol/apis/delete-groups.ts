// DeleteGroups (key 42). Kafka grammar:
//   DeleteGroups Request (Version: 2) => [groups_names] TAG_BUFFER
//   DeleteGroups Response (Version: 2) => throttle_time_ms [results] TAG_BUFFER
//     results => group_id error_code TAG_BUFFER
import { type ApiDecl, f, arr } from '../schema.ts';

export const DeleteGroups = {
  key: 42, name: 'DeleteGroups', minVersion: 0, maxVersion: 2, flexibleFrom: 2,
  request: [
    f('groupsNames', '[]string'),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    arr('results', '0+', [
      f('groupId', 'string'),
      f('errorCode', 'int16'),
    ]),
  ],
} satisfies ApiDecl;
