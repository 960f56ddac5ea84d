// AlterUserScramCredentials (key 51, KIP-554). Kafka grammar:
//   AlterUserScramCredentials Request (Version: 0) => [deletions] [upsertions] TAG_BUFFER
//     deletions => name mechanism TAG_BUFFER
//     upsertions => name mechanism iterations salt salted_password TAG_BUFFER
//   AlterUserScramCredentials Response (Version: 0) => throttle_time_ms [results] TAG_BUFFER
//     results => user error_code error_message TAG_BUFFER
// The client salts and hashes the password; the broker never sees it.
import { type ApiDecl, f, arr } from '../schema.ts';

export const AlterUserScramCredentials = {
  key: 51, name: 'AlterUserScramCredentials', minVersion: 0, maxVersion: 0, flexibleFrom: 0,
  request: [
    arr('deletions', '0+', [
      f('name', 'string'),
      f('mechanism', 'int8'),
    ]),
    arr('upsertions', '0+', [
      f('name', 'string'),
      f('mechanism', 'int8'),
      f('iterations', 'int32'),
      f('salt', 'bytes'),
      f('saltedPassword', 'bytes'),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    arr('results', '0+', [
      f('user', 'string'),
      f('errorCode', 'int16'),
      f('errorMessage', 'string', '0+', { nullableVersions: '0+' }),
    ]),
  ],
} satisfies ApiDecl;
