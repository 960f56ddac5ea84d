// DescribeUserScramCredentials (key 50, KIP-554). Kafka grammar:
//   DescribeUserScramCredentials Request (Version: 0) => [users] TAG_BUFFER
//     users => name TAG_BUFFER
//   DescribeUserScramCredentials Response (Version: 0) => throttle_time_ms error_code error_message [results] TAG_BUFFER
//     results => user error_code error_message [credential_infos] TAG_BUFFER
//       credential_infos => mechanism iterations TAG_BUFFER
// A null users array describes every user.
import { type ApiDecl, f, arr } from '../schema.ts';

export const DescribeUserScramCredentials = {
  key: 50, name: 'DescribeUserScramCredentials', minVersion: 0, maxVersion: 0, flexibleFrom: 0,
  request: [
    arr('users', '0+', [
      f('name', 'string'),
    ], { nullableVersions: '0+' }),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f('errorCode', 'int16'),
    f('errorMessage', 'string', '0+', { nullableVersions: '0+' }),
    arr('results', '0+', [
      f('user', 'string'),
      f('errorCode', 'int16'),
      f('errorMessage', 'string', '0+', { nullableVersions: '0+' }),
      arr('credentialInfos', '0+', [
        f('mechanism', 'int8'),
        f('iterations', 'int32'),
      ]),
    ]),
  ],
} satisfies ApiDecl;
