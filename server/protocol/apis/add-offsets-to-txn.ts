// AddOffsetsToTxn (key 25). Kafka grammar:
//   AddOffsetsToTxn Request (Version: 4) => transactional_id producer_id producer_epoch group_id TAG_BUFFER
//   AddOffsetsToTxn Response (Version: 4) => throttle_time_ms error_code TAG_BUFFER
import { type ApiDecl, f } from '../schema.ts';

export const AddOffsetsToTxn = {
  key: 25, name: 'AddOffsetsToTxn', minVersion: 0, maxVersion: 4, flexibleFrom: 3,
  request: [
    f('transactionalId', 'string'),
    f('producerId', 'int64'),
    f('producerEpoch', 'int16'),
    f('groupId', 'string'),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f('errorCode', 'int16'),
  ],
} satisfies ApiDecl;
