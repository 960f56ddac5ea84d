// EndTxn (key 26). Kafka grammar:
//   EndTxn Request (Version: 4) => transactional_id producer_id producer_epoch committed TAG_BUFFER
//   EndTxn Response (Version: 4) => throttle_time_ms error_code TAG_BUFFER
// (Kafka's v5 adds producer_id/producer_epoch to the response; not declared here.)
import { type ApiDecl, f } from '../schema.ts';

export const EndTxn = {
  key: 26, name: 'EndTxn', minVersion: 0, maxVersion: 4, flexibleFrom: 3,
  request: [
    f('transactionalId', 'string'),
    f('producerId', 'int64'),
    f('producerEpoch', 'int16'),
    f('committed', 'bool'),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f('errorCode', 'int16'),
  ],
} satisfies ApiDecl;
