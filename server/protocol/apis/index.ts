// Every Kafka API the broker speaks, declared once (see ../schema.ts), one file per API.
import { compileApi, type ApiCodec, type ApiDecl } from '../schema.ts';
import { Produce } from './produce.ts';
import { Fetch } from './fetch.ts';
import { ListOffsets } from './list-offsets.ts';
import { Metadata } from './metadata.ts';
import { OffsetCommit } from './offset-commit.ts';
import { OffsetFetch } from './offset-fetch.ts';
import { FindCoordinator } from './find-coordinator.ts';
import { JoinGroup } from './join-group.ts';
import { Heartbeat } from './heartbeat.ts';
import { LeaveGroup } from './leave-group.ts';
import { SyncGroup } from './sync-group.ts';
import { DescribeGroups } from './describe-groups.ts';
import { ListGroups } from './list-groups.ts';
import { SaslHandshake } from './sasl-handshake.ts';
import { ApiVersions } from './api-versions.ts';
import { CreateTopics } from './create-topics.ts';
import { DeleteTopics } from './delete-topics.ts';
import { DeleteRecords } from './delete-records.ts';
import { InitProducerId } from './init-producer-id.ts';
import { OffsetForLeaderEpoch } from './offset-for-leader-epoch.ts';
import { AddPartitionsToTxn } from './add-partitions-to-txn.ts';
import { AddOffsetsToTxn } from './add-offsets-to-txn.ts';
import { EndTxn } from './end-txn.ts';
import { WriteTxnMarkers } from './write-txn-markers.ts';
import { TxnOffsetCommit } from './txn-offset-commit.ts';
import { DescribeAcls } from './describe-acls.ts';
import { CreateAcls } from './create-acls.ts';
import { DeleteAcls } from './delete-acls.ts';
import { DescribeConfigs } from './describe-configs.ts';
import { AlterConfigs } from './alter-configs.ts';
import { DescribeLogDirs } from './describe-log-dirs.ts';
import { SaslAuthenticate } from './sasl-authenticate.ts';
import { CreatePartitions } from './create-partitions.ts';
import { DeleteGroups } from './delete-groups.ts';
import { IncrementalAlterConfigs } from './incremental-alter-configs.ts';
import { OffsetDelete } from './offset-delete.ts';
import { DescribeCluster } from './describe-cluster.ts';
import { DescribeProducers } from './describe-producers.ts';
import { DescribeTransactions } from './describe-transactions.ts';
import { ListTransactions } from './list-transactions.ts';
import { ElectLeaders } from './elect-leaders.ts';
import { AlterPartitionReassignments } from './alter-partition-reassignments.ts';
import { ListPartitionReassignments } from './list-partition-reassignments.ts';
import { DescribeUserScramCredentials } from './describe-user-scram-credentials.ts';
import { AlterUserScramCredentials } from './alter-user-scram-credentials.ts';

export {
  Produce, Fetch, ListOffsets, Metadata, OffsetCommit, OffsetFetch, FindCoordinator, JoinGroup, Heartbeat,
  LeaveGroup, SyncGroup, DescribeGroups, ListGroups, SaslHandshake, ApiVersions, CreateTopics, DeleteTopics,
  DeleteRecords, InitProducerId, OffsetForLeaderEpoch, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn,
  WriteTxnMarkers, TxnOffsetCommit, DescribeAcls, CreateAcls, DeleteAcls, DescribeConfigs, AlterConfigs, DescribeLogDirs, SaslAuthenticate,
  CreatePartitions, DeleteGroups, IncrementalAlterConfigs, OffsetDelete, DescribeCluster, DescribeProducers,
  DescribeTransactions, ListTransactions, ElectLeaders, AlterPartitionReassignments, ListPartitionReassignments,
  DescribeUserScramCredentials, AlterUserScramCredentials,
};

/** All declarations, in API key order. */
export const API_DECLS: ApiDecl[] = [
  Produce, Fetch, ListOffsets, Metadata, OffsetCommit, OffsetFetch, FindCoordinator, JoinGroup, Heartbeat,
  LeaveGroup, SyncGroup, DescribeGroups, ListGroups, SaslHandshake, ApiVersions, CreateTopics, DeleteTopics,
  DeleteRecords, InitProducerId, OffsetForLeaderEpoch, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn,
  WriteTxnMarkers, TxnOffsetCommit, DescribeAcls, CreateAcls, DeleteAcls, DescribeConfigs, AlterConfigs, DescribeLogDirs, SaslAuthenticate,
  CreatePartitions, DeleteGroups, ElectLeaders, IncrementalAlterConfigs, AlterPartitionReassignments, ListPartitionReassignments,
  OffsetDelete, DescribeUserScramCredentials, AlterUserScramCredentials, DescribeCluster, DescribeProducers, DescribeTransactions, ListTransactions,
];

for (const d of API_DECLS) {
  if (API_DECLS.some((o) => o !== d && (o.key === d.key || o.name === d.name))) {
    throw new Error(`duplicate API declaration ${d.name} (key ${d.key})`);
  }
}

/** One compiled codec per API (it caches per-version encoders), shared by both maps. */
export const API_CODECS: ApiCodec[] = API_DECLS.map((d) => compileApi(d));
export const API_BY_KEY = new Map<number, ApiCodec>(API_CODECS.map((c) => [c.decl.key, c]));
export const API_BY_NAME = new Map<string, ApiCodec>(API_CODECS.map((c) => [c.decl.name, c]));
