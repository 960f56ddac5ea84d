// The broker's error table against Kafka's: every entry has Kafka's name, code and
// retriable flag (Kafka's protocol error list, org.apache.kafka.common.protocol.Errors),
// and every error the broker's code names is in the table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ERRORS, KafkaError, code } from './errors.ts';

// Kafka's list: name → [code, retriable], for every code Tributary knows.
const KAFKA: Record<string, [number, boolean]> = {
  UNKNOWN_SERVER_ERROR: [-1, false], NONE: [0, false], OFFSET_OUT_OF_RANGE: [1, false], CORRUPT_MESSAGE: [2, true],
  UNKNOWN_TOPIC_OR_PARTITION: [3, true], INVALID_FETCH_SIZE: [4, false], LEADER_NOT_AVAILABLE: [5, true],
  NOT_LEADER_OR_FOLLOWER: [6, true], REQUEST_TIMED_OUT: [7, true], BROKER_NOT_AVAILABLE: [8, false], REPLICA_NOT_AVAILABLE: [9, true],
  MESSAGE_TOO_LARGE: [10, false], STALE_CONTROLLER_EPOCH: [11, false], OFFSET_METADATA_TOO_LARGE: [12, false], NETWORK_EXCEPTION: [13, true],
  COORDINATOR_LOAD_IN_PROGRESS: [14, true], COORDINATOR_NOT_AVAILABLE: [15, true], NOT_COORDINATOR: [16, true],
  INVALID_TOPIC_EXCEPTION: [17, false], RECORD_LIST_TOO_LARGE: [18, false], NOT_ENOUGH_REPLICAS: [19, true],
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: [20, true], INVALID_REQUIRED_ACKS: [21, false], ILLEGAL_GENERATION: [22, false],
  INCONSISTENT_GROUP_PROTOCOL: [23, false], INVALID_GROUP_ID: [24, false], UNKNOWN_MEMBER_ID: [25, false],
  INVALID_SESSION_TIMEOUT: [26, false], REBALANCE_IN_PROGRESS: [27, false], INVALID_COMMIT_OFFSET_SIZE: [28, false],
  TOPIC_AUTHORIZATION_FAILED: [29, false], GROUP_AUTHORIZATION_FAILED: [30, false], CLUSTER_AUTHORIZATION_FAILED: [31, false],
  INVALID_TIMESTAMP: [32, false], UNSUPPORTED_SASL_MECHANISM: [33, false], ILLEGAL_SASL_STATE: [34, false],
  UNSUPPORTED_VERSION: [35, false], TOPIC_ALREADY_EXISTS: [36, false], INVALID_PARTITIONS: [37, false],
  INVALID_REPLICATION_FACTOR: [38, false], INVALID_REPLICA_ASSIGNMENT: [39, false], INVALID_CONFIG: [40, false],
  NOT_CONTROLLER: [41, true], INVALID_REQUEST: [42, false], UNSUPPORTED_FOR_MESSAGE_FORMAT: [43, false],
  POLICY_VIOLATION: [44, false], OUT_OF_ORDER_SEQUENCE_NUMBER: [45, false], DUPLICATE_SEQUENCE_NUMBER: [46, false],
  INVALID_PRODUCER_EPOCH: [47, false], INVALID_TXN_STATE: [48, false], INVALID_PRODUCER_ID_MAPPING: [49, false],
  INVALID_TRANSACTION_TIMEOUT: [50, false], CONCURRENT_TRANSACTIONS: [51, true], TRANSACTION_COORDINATOR_FENCED: [52, false],
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: [53, false], SECURITY_DISABLED: [54, false], OPERATION_NOT_ATTEMPTED: [55, false],
  KAFKA_STORAGE_ERROR: [56, true], LOG_DIR_NOT_FOUND: [57, false], SASL_AUTHENTICATION_FAILED: [58, false],
  UNKNOWN_PRODUCER_ID: [59, false], REASSIGNMENT_IN_PROGRESS: [60, false], NON_EMPTY_GROUP: [68, false],
  GROUP_ID_NOT_FOUND: [69, false], FETCH_SESSION_ID_NOT_FOUND: [70, true], INVALID_FETCH_SESSION_EPOCH: [71, true],
  LISTENER_NOT_FOUND: [72, true], TOPIC_DELETION_DISABLED: [73, false], FENCED_LEADER_EPOCH: [74, true],
  UNKNOWN_LEADER_EPOCH: [75, true], UNSUPPORTED_COMPRESSION_TYPE: [76, false], OFFSET_NOT_AVAILABLE: [78, true],
  MEMBER_ID_REQUIRED: [79, false], PREFERRED_LEADER_NOT_AVAILABLE: [80, true], GROUP_MAX_SIZE_REACHED: [81, false], FENCED_INSTANCE_ID: [82, false],
  ELIGIBLE_LEADERS_NOT_AVAILABLE: [83, true], ELECTION_NOT_NEEDED: [84, true], NO_REASSIGNMENT_IN_PROGRESS: [85, false],
  GROUP_SUBSCRIBED_TO_TOPIC: [86, false], INVALID_RECORD: [87, false], UNSTABLE_OFFSET_COMMIT: [88, true],
  THROTTLING_QUOTA_EXCEEDED: [89, true], PRODUCER_FENCED: [90, false], RESOURCE_NOT_FOUND: [91, false],
  DUPLICATE_RESOURCE: [92, false], UNACCEPTABLE_CREDENTIAL: [93, false], UNKNOWN_TOPIC_ID: [100, true], INCONSISTENT_TOPIC_ID: [103, true],
  TRANSACTIONAL_ID_NOT_FOUND: [105, false], FETCH_SESSION_TOPIC_ID_ERROR: [106, true],
};

test('every entry of the broker error table has Kafka\'s name, code and retriable flag, and a message', () => {
  const codes = new Set<number>();
  for (const [name, e] of Object.entries(ERRORS)) {
    assert.ok(name in KAFKA, `${name} is not one of Kafka's error names`);
    assert.deepEqual([e.code, e.retriable], KAFKA[name], `${name}: [code, retriable]`);
    assert.ok(!codes.has(e.code), `code ${e.code} twice`);
    codes.add(e.code);
    assert.ok(e.message.length > 0 && e.message.endsWith('.'), `${name}: a sentence as message`);
  }
  assert.equal(code('FENCED_LEADER_EPOCH'), 74);
  const err = new KafkaError('UNKNOWN_TOPIC_OR_PARTITION');
  assert.equal(err.code, 3);
  assert.equal(err.message, ERRORS.UNKNOWN_TOPIC_OR_PARTITION.message);
});

test('every error the broker\'s code names is in the table', () => {
  const root = import.meta.dirname;
  const used = new Set<string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
        const text = fs.readFileSync(p, 'utf8');
        for (const m of text.matchAll(/\b(?:code|KafkaError)\(\s*'([A-Z_]+)'/g)) used.add(m[1]);
      }
    }
  };
  walk(root);
  assert.ok(used.size > 30, `found ${used.size} error names in server/`);
  for (const name of used) assert.ok(name in ERRORS, `${name} is used but not in the table`);
});
