// DescribeCluster (key 60). Kafka grammar:
//   DescribeCluster Request (Version: 1) => include_cluster_authorized_operations endpoint_type TAG_BUFFER
//   DescribeCluster Response (Version: 1) => throttle_time_ms error_code error_message endpoint_type cluster_id
//                                            controller_id [brokers] cluster_authorized_operations TAG_BUFFER
//     brokers => broker_id host port rack TAG_BUFFER
// Flexible from v0. endpointType: 1 brokers, 2 controllers.
import { type ApiDecl, f, arr } from '../schema.ts';

export const DescribeCluster = {
  key: 60, name: 'DescribeCluster', minVersion: 0, maxVersion: 1, flexibleFrom: 0,
  request: [
    f('includeClusterAuthorizedOperations', 'bool'),
    f('endpointType', 'int8', '1+', { default: 1 }),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f('errorCode', 'int16'),
    f('errorMessage', 'string', '0+', { nullableVersions: '0+', default: null }),
    f('endpointType', 'int8', '1+', { default: 1 }),
    f('clusterId', 'string'),
    f('controllerId', 'int32', '0+', { default: -1 }),
    arr('brokers', '0+', [
      f('brokerId', 'int32'),
      f('host', 'string'),
      f('port', 'int32'),
      f('rack', 'string', '0+', { nullableVersions: '0+', default: null }),
    ]),
    f('clusterAuthorizedOperations', 'int32', '0+', { default: -2147483648 }),
  ],
} satisfies ApiDecl;
