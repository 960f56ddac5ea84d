// DescribeAcls (key 29). Kafka grammar:
//   DescribeAcls Request (Version: 3) => resource_type_filter resource_name_filter pattern_type_filter
//                                        principal_filter host_filter operation permission_type TAG_BUFFER
//   DescribeAcls Response (Version: 3) => throttle_time_ms error_code error_message [resources] TAG_BUFFER
//     resources => resource_type resource_name pattern_type [acls] TAG_BUFFER
//       acls => principal host operation permission_type TAG_BUFFER
// v1 adds the pattern type (default 3, LITERAL); v3 adds the USER resource type.
import { type ApiDecl, f, arr } from '../schema.ts';

export const DescribeAcls = {
  key: 29, name: 'DescribeAcls', minVersion: 0, maxVersion: 3, flexibleFrom: 2,
  request: [
    f('resourceTypeFilter', 'int8'),
    f('resourceNameFilter', 'string', '0+', { nullableVersions: '0+' }),
    f('patternTypeFilter', 'int8', '1+', { default: 3 }),
    f('principalFilter', 'string', '0+', { nullableVersions: '0+' }),
    f('hostFilter', 'string', '0+', { nullableVersions: '0+' }),
    f('operation', 'int8'),
    f('permissionType', 'int8'),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f('errorCode', 'int16'),
    f('errorMessage', 'string', '0+', { nullableVersions: '0+' }),
    arr('resources', '0+', [
      f('resourceType', 'int8'),
      f('resourceName', 'string'),
      f('patternType', 'int8', '1+', { default: 3 }),
      arr('acls', '0+', [
        f('principal', 'string'),
        f('host', 'string'),
        f('operation', 'int8'),
        f('permissionType', 'int8'),
      ]),
    ]),
  ],
} satisfies ApiDecl;
