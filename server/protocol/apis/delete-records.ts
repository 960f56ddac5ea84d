// DeleteRecords (key 21). Kafka grammar:
//   DeleteRecords Request (Version: 2) => [topics] timeout_ms TAG_BUFFER
//     topics => name [partitions] TAG_BUFFER
//       partitions => partition_index offset TAG_BUFFER
//   DeleteRecords Response (Version: 2) => throttle_time_ms [topics] TAG_BUFFER
//     topics => name [partitions] TAG_BUFFER
//       partitions => partition_index low_watermark error_code TAG_BUFFER
import { type ApiDecl, f, arr } from '../schema.ts';

export const DeleteRecords = {
  key: 21, name: 'DeleteRecords', minVersion: 0, maxVersion: 2, flexibleFrom: 2,
  request: [
    arr('topics', '0+', [
      f('name', 'string'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32'),
        f('offset', 'int64'),
      ]),
    ]),
    f('timeoutMs', 'int32'),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    arr('topics', '0+', [
      f('name', 'string'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32'),
        f('lowWatermark', 'int64'),
        f('errorCode', 'int16'),
      ]),
    ]),
  ],
} satisfies ApiDecl;
