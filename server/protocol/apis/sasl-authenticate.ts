// SaslAuthenticate (key 36). Kafka grammar:
//   SaslAuthenticate Request (Version: 2) => auth_bytes TAG_BUFFER
//   SaslAuthenticate Response (Version: 2) => error_code error_message auth_bytes session_lifetime_ms TAG_BUFFER
import { type ApiDecl, f } from '../schema.ts';

export const SaslAuthenticate = {
  key: 36, name: 'SaslAuthenticate', minVersion: 0, maxVersion: 2, flexibleFrom: 2,
  request: [
    f('authBytes', 'bytes'),
  ],
  response: [
    f('errorCode', 'int16'),
    f('errorMessage', 'string', '0+', { nullableVersions: '0+' }),
    f('authBytes', 'bytes'),
    f('sessionLifetimeMs', 'int64', '1+', { default: 0n }),
  ],
} satisfies ApiDecl;
