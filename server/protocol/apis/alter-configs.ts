// AlterConfigs (key 33). Kafka grammar:
//   AlterConfigs Request (Version: 2) => [resources] validate_only TAG_BUFFER
//     resources => resource_type resource_name [configs] TAG_BUFFER
//       configs => name value TAG_BUFFER
//   AlterConfigs Response (Version: 2) => throttle_time_ms [responses] TAG_BUFFER
//     responses => error_code error_message resource_type resource_name TAG_BUFFER
import { type ApiDecl, f, arr } from '../schema.ts';

export const AlterConfigs = {
  key: 33, name: 'AlterConfigs', minVersion: 0, maxVersion: 2, flexibleFrom: 2,
  request: [
    arr('resources', '0+', [
      f('resourceType', 'int8'),
      f('resourceName', 'string'),
      arr('configs', '0+', [
        f('name', 'string'),
        f('value', 'string', '0+', { nullableVersions: '0+' }),
      ]),
    ]),
    f('validateOnly', 'bool'),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    arr('responses', '0+', [
      f('errorCode', 'int16'),
      f('errorMessage', 'string', '0+', { nullableVersions: '0+' }),
      f('resourceType', 'int8'),
      f('resourceName', 'string'),
    ]),
  ],
} satisfies ApiDecl;
