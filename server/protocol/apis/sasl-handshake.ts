// SaslHandshake (key 17). Kafka grammar:
//   SaslHandshake Request (Version: 1) => mechanism
//   SaslHandshake Response (Version: 1) => error_code [mechanisms]
// Never flexible. v0 is followed by raw SASL tokens; v1 by SaslAuthenticate requests.
import { type ApiDecl, f } from '../schema.ts';

export const SaslHandshake = {
  key: 17, name: 'SaslHandshake', minVersion: 0, maxVersion: 1, flexibleFrom: Infinity,
  request: [
    f('mechanism', 'string'),
  ],
  response: [
    f('errorCode', 'int16'),
    f('mechanisms', '[]string'),
  ],
} satisfies ApiDecl;
