// ApiVersions (key 18). Kafka grammar:
//   ApiVersions Request (Version: 3) => client_software_name client_software_version TAG_BUFFER
//   ApiVersions Response (Version: 3) => error_code [api_keys] throttle_time_ms TAG_BUFFER
//     api_keys => api_key min_version max_version TAG_BUFFER
// The response header is always v0 (no tagged fields), even for flexible versions.
import { type ApiDecl, f, arr, tagged } from '../schema.ts';

export const ApiVersions = {
  key: 18, name: 'ApiVersions', minVersion: 0, maxVersion: 3, flexibleFrom: 3,
  request: [
    f('clientSoftwareName', 'string', '3+'),
    f('clientSoftwareVersion', 'string', '3+'),
  ],
  response: [
    f('errorCode', 'int16'),
    arr('apiKeys', '0+', [
      f('apiKey', 'int16'),
      f('minVersion', 'int16'),
      f('maxVersion', 'int16'),
    ]),
    f('throttleTimeMs', 'int32', '1+'),
    tagged('supportedFeatures', '[]supportedFeatures', 0, '3+', { fields: [
      f('name', 'string', '3+'), f('minVersion', 'int16', '3+'), f('maxVersion', 'int16', '3+'),
    ] }),
    tagged('finalizedFeaturesEpoch', 'int64', 1, '3+', { default: -1n }),
    tagged('finalizedFeatures', '[]finalizedFeatures', 2, '3+', { fields: [
      f('name', 'string', '3+'), f('maxVersionLevel', 'int16', '3+'), f('minVersionLevel', 'int16', '3+'),
    ] }),
    tagged('zkMigrationReady', 'bool', 3, '3+', { default: false }),
  ],
} satisfies ApiDecl;
