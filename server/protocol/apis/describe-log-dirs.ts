// DescribeLogDirs (key 35). Kafka grammar:
//   DescribeLogDirs Request (Version: 4) => [topics] TAG_BUFFER
//     topics => topic [partitions] TAG_BUFFER
//   DescribeLogDirs Response (Version: 4) => throttle_time_ms error_code [results] TAG_BUFFER
//     results => error_code log_dir [topics] total_bytes usable_bytes TAG_BUFFER
//       topics => name [partitions] TAG_BUFFER
//         partitions => partition_index partition_size offset_lag is_future_key TAG_BUFFER
// topics = null asks for every partition.
import { type ApiDecl, f, arr } from '../schema.ts';

export const DescribeLogDirs = {
  key: 35, name: 'DescribeLogDirs', minVersion: 0, maxVersion: 4, flexibleFrom: 2,
  request: [
    arr('topics', '0+', [
      f('topic', 'string'),
      f('partitions', '[]int32'),
    ], { nullableVersions: '0+' }),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f('errorCode', 'int16', '3+'),
    arr('results', '0+', [
      f('errorCode', 'int16'),
      f('logDir', 'string'),
      arr('topics', '0+', [
        f('name', 'string'),
        arr('partitions', '0+', [
          f('partitionIndex', 'int32'),
          f('partitionSize', 'int64'),
          f('offsetLag', 'int64'),
          f('isFutureKey', 'bool'),
        ]),
      ]),
      f('totalBytes', 'int64', '4+', { default: -1n }),
      f('usableBytes', 'int64', '4+', { default: -1n }),
    ]),
  ],
} satisfies ApiDecl;
