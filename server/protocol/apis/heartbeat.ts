// Heartbeat (key 12). Kafka grammar:
//   Heartbeat Request (Version: 4) => group_id generation_id member_id group_instance_id TAG_BUFFER
//   Heartbeat Response (Version: 4) => throttle_time_ms error_code TAG_BUFFER
import { type ApiDecl, f } from '../schema.ts';

export const Heartbeat = {
  key: 12, name: 'Heartbeat', minVersion: 0, maxVersion: 4, flexibleFrom: 4,
  request: [
    f('groupId', 'string'),
    f('generationId', 'int32'),
    f('memberId', 'string'),
    f('groupInstanceId', 'string', '3+', { nullableVersions: '3+', default: null }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16'),
  ],
} satisfies ApiDecl;
