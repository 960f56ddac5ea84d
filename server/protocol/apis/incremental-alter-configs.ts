// IncrementalAlterConfigs (key 44). Kafka grammar:
//   IncrementalAlterConfigs Request (Version: 1) => [resources] validate_only TAG_BUFFER
//     resources => resource_type resource_name [configs] TAG_BUFFER
//       configs => name config_operation value TAG_BUFFER
//   IncrementalAlterConfigs Response (Version: 1) => throttle_time_ms [responses] TAG_BUFFER
//     responses => error_code error_message resource_type resource_name TAG_BUFFER
// configOperation: 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT.
import { type ApiDecl, f, arr } from '../schema.ts';

export const IncrementalAlterConfigs = {
  key: 44, name: 'IncrementalAlterConfigs', minVersion: 0, maxVersion: 1, flexibleFrom: 1,
  request: [
    arr('resources', '0+', [
      f('resourceType', 'int8'),
      f('resourceName', 'string'),
      arr('configs', '0+', [
        f('name', 'string'),
        f('configOperation', 'int8'),
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
