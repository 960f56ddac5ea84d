// CreateAcls (key 30). Kafka grammar:
//   CreateAcls Request (Version: 3) => [creations] TAG_BUFFER
//     creations => resource_type resource_name resource_pattern_type principal host operation permission_type TAG_BUFFER
//   CreateAcls Response (Version: 3) => throttle_time_ms [results] TAG_BUFFER
//     results => error_code error_message TAG_BUFFER
// v1 adds the pattern type (default 3, LITERAL); v3 adds the USER resource type.
import { type ApiDecl, f, arr } from '../schema.ts';

export const CreateAcls = {
  key: 30, name: 'CreateAcls', minVersion: 0, maxVersion: 3, flexibleFrom: 2,
  request: [
    arr('creations', '0+', [
      f('resourceType', 'int8'),
      f('resourceName', 'string'),
      f('resourcePatternType', 'int8', '1+', { default: 3 }),
      f('principal', 'string'),
      f('host', 'string'),
      f('operation', 'int8'),
      f('permissionType', 'int8'),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    arr('results', '0+', [
      f('errorCode', 'int16'),
      f('errorMessage', 'string', '0+', { nullableVersions: '0+' }),
    ]),
  ],
} satisfies ApiDecl;
