// DescribeConfigs (key 32). Kafka grammar:
//   DescribeConfigs Request (Version: 4) => [resources] include_synonyms include_documentation TAG_BUFFER
//     resources => resource_type resource_name [configuration_keys] TAG_BUFFER
//   DescribeConfigs Response (Version: 4) => throttle_time_ms [results] TAG_BUFFER
//     results => error_code error_message resource_type resource_name [configs] TAG_BUFFER
//       configs => name value read_only config_source is_sensitive [synonyms] config_type documentation TAG_BUFFER
//         synonyms => name value source TAG_BUFFER
// v0 alone has configs.is_default; v1+ replace it with config_source.
import { type ApiDecl, f, arr } from '../schema.ts';

export const DescribeConfigs = {
  key: 32, name: 'DescribeConfigs', minVersion: 0, maxVersion: 4, flexibleFrom: 4,
  request: [
    arr('resources', '0+', [
      f('resourceType', 'int8'),
      f('resourceName', 'string'),
      f('configurationKeys', '[]string', '0+', { nullableVersions: '0+' }),
    ]),
    f('includeSynonyms', 'bool', '1+', { default: false }),
    f('includeDocumentation', 'bool', '3+', { default: false }),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    arr('results', '0+', [
      f('errorCode', 'int16'),
      f('errorMessage', 'string', '0+', { nullableVersions: '0+' }),
      f('resourceType', 'int8'),
      f('resourceName', 'string'),
      arr('configs', '0+', [
        f('name', 'string'),
        f('value', 'string', '0+', { nullableVersions: '0+' }),
        f('readOnly', 'bool'),
        f('isDefault', 'bool', '0'),
        f('configSource', 'int8', '1+', { default: -1 }),
        f('isSensitive', 'bool'),
        arr('synonyms', '1+', [
          f('name', 'string', '1+'),
          f('value', 'string', '1+', { nullableVersions: '0+' }),
          f('source', 'int8', '1+'),
        ]),
        f('configType', 'int8', '3+', { default: 0 }),
        f('documentation', 'string', '3+', { nullableVersions: '0+' }),
      ]),
    ]),
  ],
} satisfies ApiDecl;
