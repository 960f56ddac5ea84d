// TEMPORARY consumer group declarations until the full declaration set lands.
import { type ApiDecl, f, arr } from '../schema.ts';

const ns = (v: string) => ({ nullableVersions: v, default: null });

export const OffsetCommit: ApiDecl = {
  key: 8, name: 'OffsetCommit', minVersion: 0, maxVersion: 9, flexibleFrom: 8,
  request: [
    f('groupId', 'string'), f('generationIdOrMemberEpoch', 'int32', '1+', { default: -1 }), f('memberId', 'string', '1+'),
    f('groupInstanceId', 'string', '7+', ns('7+')), f('retentionTimeMs', 'int64', '2-4', { default: -1n }),
    arr('topics', '0+', [f('name', 'string'), arr('partitions', '0+', [
      f('partitionIndex', 'int32'), f('committedOffset', 'int64'), f('committedLeaderEpoch', 'int32', '6+', { default: -1 }),
      f('commitTimestamp', 'int64', '1', { default: -1n }), f('committedMetadata', 'string', '0+', ns('0+')),
    ])]),
  ],
  response: [f('throttleTimeMs', 'int32', '3+'), arr('topics', '0+', [f('name', 'string'), arr('partitions', '0+', [f('partitionIndex', 'int32'), f('errorCode', 'int16')])])],
};

const fetchPartitions = (v: string) => arr('partitions', v, [
  f('partitionIndex', 'int32', v), f('committedOffset', 'int64', v), f('committedLeaderEpoch', 'int32', v === '0-7' ? '5-7' : v, { default: -1 }),
  f('metadata', 'string', v, ns(v)), f('errorCode', 'int16', v),
]);

export const OffsetFetch: ApiDecl = {
  key: 9, name: 'OffsetFetch', minVersion: 0, maxVersion: 9, flexibleFrom: 6,
  request: [
    f('groupId', 'string', '0-7'),
    arr('topics', '0-7', [f('name', 'string', '0-7'), f('partitionIndexes', '[]int32', '0-7')], { nullableVersions: '2-7' }),
    arr('groups', '8+', [
      f('groupId', 'string', '8+'), f('memberId', 'string', '9+', ns('9+')), f('memberEpoch', 'int32', '9+', { default: -1 }),
      arr('topics', '8+', [f('name', 'string', '8+'), f('partitionIndexes', '[]int32', '8+')], { nullableVersions: '8+' }),
    ]),
    f('requireStable', 'bool', '7+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '3+'),
    arr('topics', '0-7', [f('name', 'string', '0-7'), fetchPartitions('0-7')]),
    f('errorCode', 'int16', '2-7'),
    arr('groups', '8+', [f('groupId', 'string', '8+'), arr('topics', '8+', [f('name', 'string', '8+'), fetchPartitions('8+')]), f('errorCode', 'int16', '8+')]),
  ],
};

export const JoinGroup: ApiDecl = {
  key: 11, name: 'JoinGroup', minVersion: 0, maxVersion: 9, flexibleFrom: 6,
  request: [
    f('groupId', 'string'), f('sessionTimeoutMs', 'int32'), f('rebalanceTimeoutMs', 'int32', '1+', { default: -1 }),
    f('memberId', 'string'), f('groupInstanceId', 'string', '5+', ns('5+')), f('protocolType', 'string'),
    arr('protocols', '0+', [f('name', 'string'), f('metadata', 'bytes')]),
    f('reason', 'string', '8+', ns('8+')),
  ],
  response: [
    f('throttleTimeMs', 'int32', '2+'), f('errorCode', 'int16'), f('generationId', 'int32', '0+', { default: -1 }),
    f('protocolType', 'string', '7+', ns('7+')), f('protocolName', 'string', '0+', { nullableVersions: '7+' }),
    f('leader', 'string'), f('skipAssignment', 'bool', '9+'), f('memberId', 'string'),
    arr('members', '0+', [f('memberId', 'string'), f('groupInstanceId', 'string', '5+', ns('5+')), f('metadata', 'bytes')]),
  ],
};

export const Heartbeat: ApiDecl = {
  key: 12, name: 'Heartbeat', minVersion: 0, maxVersion: 4, flexibleFrom: 4,
  request: [f('groupId', 'string'), f('generationId', 'int32'), f('memberId', 'string'), f('groupInstanceId', 'string', '3+', ns('3+'))],
  response: [f('throttleTimeMs', 'int32', '1+'), f('errorCode', 'int16')],
};

export const LeaveGroup: ApiDecl = {
  key: 13, name: 'LeaveGroup', minVersion: 0, maxVersion: 5, flexibleFrom: 4,
  request: [
    f('groupId', 'string'), f('memberId', 'string', '0-2'),
    arr('members', '3+', [f('memberId', 'string', '3+'), f('groupInstanceId', 'string', '3+', ns('3+')), f('reason', 'string', '5+', ns('5+'))]),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'), f('errorCode', 'int16'),
    arr('members', '3+', [f('memberId', 'string', '3+'), f('groupInstanceId', 'string', '3+', ns('3+')), f('errorCode', 'int16', '3+')]),
  ],
};

export const SyncGroup: ApiDecl = {
  key: 14, name: 'SyncGroup', minVersion: 0, maxVersion: 5, flexibleFrom: 4,
  request: [
    f('groupId', 'string'), f('generationId', 'int32'), f('memberId', 'string'), f('groupInstanceId', 'string', '3+', ns('3+')),
    f('protocolType', 'string', '5+', ns('5+')), f('protocolName', 'string', '5+', ns('5+')),
    arr('assignments', '0+', [f('memberId', 'string'), f('assignment', 'bytes')]),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'), f('errorCode', 'int16'),
    f('protocolType', 'string', '5+', ns('5+')), f('protocolName', 'string', '5+', ns('5+')), f('assignment', 'bytes'),
  ],
};

export const DescribeGroups: ApiDecl = {
  key: 15, name: 'DescribeGroups', minVersion: 0, maxVersion: 5, flexibleFrom: 5,
  request: [f('groups', '[]string'), f('includeAuthorizedOperations', 'bool', '3+')],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    arr('groups', '0+', [
      f('errorCode', 'int16'), f('groupId', 'string'), f('groupState', 'string'), f('protocolType', 'string'), f('protocolData', 'string'),
      arr('members', '0+', [
        f('memberId', 'string'), f('groupInstanceId', 'string', '4+', ns('4+')), f('clientId', 'string'), f('clientHost', 'string'),
        f('memberMetadata', 'bytes'), f('memberAssignment', 'bytes'),
      ]),
      f('authorizedOperations', 'int32', '3+', { default: -2147483648 }),
    ]),
  ],
};

export const ListGroups: ApiDecl = {
  key: 16, name: 'ListGroups', minVersion: 0, maxVersion: 5, flexibleFrom: 3,
  request: [f('statesFilter', '[]string', '4+'), f('typesFilter', '[]string', '5+')],
  response: [
    f('throttleTimeMs', 'int32', '1+'), f('errorCode', 'int16'),
    arr('groups', '0+', [f('groupId', 'string'), f('protocolType', 'string'), f('groupState', 'string', '4+'), f('groupType', 'string', '5+')]),
  ],
};

export const DeleteGroups: ApiDecl = {
  key: 42, name: 'DeleteGroups', minVersion: 0, maxVersion: 2, flexibleFrom: 2,
  request: [f('groupsNames', '[]string')],
  response: [f('throttleTimeMs', 'int32'), arr('results', '0+', [f('groupId', 'string'), f('errorCode', 'int16')])],
};

export const OffsetDelete: ApiDecl = {
  key: 47, name: 'OffsetDelete', minVersion: 0, maxVersion: 0, flexibleFrom: Infinity,
  request: [f('groupId', 'string'), arr('topics', '0+', [f('name', 'string'), arr('partitions', '0+', [f('partitionIndex', 'int32')])])],
  response: [f('errorCode', 'int16'), f('throttleTimeMs', 'int32'), arr('topics', '0+', [f('name', 'string'), arr('partitions', '0+', [f('partitionIndex', 'int32'), f('errorCode', 'int16')])])],
};
