// InitProducerId (key 22). Kafka grammar:
//   InitProducerId Request (Version: 5) => transactional_id transaction_timeout_ms producer_id producer_epoch TAG_BUFFER
//   InitProducerId Response (Version: 5) => throttle_time_ms error_code producer_id producer_epoch TAG_BUFFER
import { type ApiDecl, f } from '../schema.ts';

export const InitProducerId = {
  key: 22, name: 'InitProducerId', minVersion: 0, maxVersion: 5, flexibleFrom: 2,
  request: [
    f('transactionalId', 'string', '0+', { nullableVersions: '0+' }),
    f('transactionTimeoutMs', 'int32'),
    f('producerId', 'int64', '3+', { default: -1n }),
    f('producerEpoch', 'int16', '3+', { default: -1 }),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f('errorCode', 'int16'),
    f('producerId', 'int64', '0+', { default: -1n }),
    f('producerEpoch', 'int16'),
  ],
} satisfies ApiDecl;
