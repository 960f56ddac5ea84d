// FindCoordinator (key 10). Kafka grammar:
//   FindCoordinator Request (Version: 6) => key_type [coordinator_keys] TAG_BUFFER
//   FindCoordinator Response (Version: 6) => throttle_time_ms [coordinators] TAG_BUFFER
//     coordinators => key node_id host port error_code error_message TAG_BUFFER
// v0-3 look up a single key and answer with top-level error_code/node_id/host/port;
// v4+ batch keys in coordinator_keys and answer per key in coordinators[].
// keyType: 0 group, 1 transaction, 2 share (v6).
import { type ApiDecl, f, arr } from '../schema.ts';

export const FindCoordinator = {
  key: 10, name: 'FindCoordinator', minVersion: 0, maxVersion: 6, flexibleFrom: 3,
  request: [
    f('key', 'string', '0-3'),
    f('keyType', 'int8', '1+', { default: 0 }),
    f('coordinatorKeys', '[]string', '4+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16', '0-3'),
    f('errorMessage', 'string', '1-3', { nullableVersions: '1-3' }),
    f('nodeId', 'int32', '0-3'),
    f('host', 'string', '0-3'),
    f('port', 'int32', '0-3'),
    arr('coordinators', '4+', [
      f('key', 'string', '4+'),
      f('nodeId', 'int32', '4+'),
      f('host', 'string', '4+'),
      f('port', 'int32', '4+'),
      f('errorCode', 'int16', '4+'),
      f('errorMessage', 'string', '4+', { nullableVersions: '4+' }),
    ]),
  ],
} satisfies ApiDecl;
