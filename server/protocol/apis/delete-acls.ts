// DeleteAcls (key 31). Kafka grammar:
//   DeleteAcls Request (Version: 3) => [filters] TAG_BUFFER
//     filters => resource_type_filter resource_name_filter pattern_type_filter principal_filter
//                host_filter operation permission_type TAG_BUFFER
//   DeleteAcls Response (Version: 3) => throttle_time_ms [filter_results] TAG_BUFFER
//     filter_results => error_code error_message [matching_acls] TAG_BUFFER
//       matching_acls => error_code error_message resource_type resource_name pattern_type
//                        principal host operation permission_type TAG_BUFFER
// v1 adds the pattern type (default 3, LITERAL); v3 adds the USER resource type.
import { type ApiDecl, f, arr } from '../schema.ts';

export const DeleteAcls = {
  key: 31, name: 'DeleteAcls', minVersion: 0, maxVersion: 3, flexibleFrom: 2,
  request: [
    arr('filters', '0+', [
      f('resourceTypeFilter', 'int8'),
      f('resourceNameFilter', 'string', '0+', { nullableVersions: '0+' }),
      f('patternTypeFilter', 'int8', '1+', { default: 3 }),
      f('principalFilter', 'string', '0+', { nullableVersions: '0+' }),
      f('hostFilter', 'string', '0+', { nullableVersions: '0+' }),
      f('operation', 'int8'),
      f('permissionType', 'int8'),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    arr('filterResults', '0+', [
      f('errorCode', 'int16'),
      f('errorMessage', 'string', '0+', { nullableVersions: '0+' }),
      arr('matchingAcls', '0+', [
        f('errorCode', 'int16'),
        f('errorMessage', 'string', '0+', { nullableVersions: '0+' }),
        f('resourceType', 'int8'),
        f('resourceName', 'string'),
        f('patternType', 'int8', '1+', { default: 3 }),
        f('principal', 'string'),
        f('host', 'string'),
        f('operation', 'int8'),
        f('permissionType', 'int8'),
      ]),
    ]),
  ],
} satisfies ApiDecl;
