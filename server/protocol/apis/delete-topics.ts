// DeleteTopics (key 20). Kafka grammar:
//   DeleteTopics Request (Version: 6) => [topics] timeout_ms TAG_BUFFER
//     topics => name topic_id TAG_BUFFER
//   DeleteTopics Response (Version: 6) => throttle_time_ms [responses] TAG_BUFFER
//     responses => name topic_id error_code error_message TAG_BUFFER
// v0-5 send a plain [topic_names]; v6 sends topics[] by name or id.
import { type ApiDecl, f, arr } from '../schema.ts';

export const DeleteTopics = {
  key: 20, name: 'DeleteTopics', minVersion: 0, maxVersion: 6, flexibleFrom: 4,
  request: [
    arr('topics', '6+', [
      f('name', 'string', '6+', { nullableVersions: '6+', default: null }),
      f('topicId', 'uuid', '6+'),
    ]),
    f('topicNames', '[]string', '0-5'),
    f('timeoutMs', 'int32'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    arr('responses', '0+', [
      f('name', 'string', '0+', { nullableVersions: '6+' }),
      f('topicId', 'uuid', '6+'),
      f('errorCode', 'int16'),
      f('errorMessage', 'string', '5+', { nullableVersions: '5+', default: null }),
    ]),
  ],
} satisfies ApiDecl;
