import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BrokerMetrics } from './broker-metrics.ts';
import { API_BY_KEY } from '../protocol/apis/index.ts';

const source = { partitions: () => [], connections: () => ({ open: 2, created: 5 }), groupStates: () => [], groupOffsets: () => [] };

test('request counts and latency histograms per API, bytes out per topic, errors by Kafka name', async () => {
  const m = new BrokerMetrics(source);
  const ctx = (apiKey: number, ago: number) => ({ apiKey, apiVersion: 9, correlationId: 1, clientId: 'c', clientHost: 'h', connectionId: 1, api: API_BY_KEY.get(apiKey)!, receivedAt: performance.now() - ago });
  m.onResponse(ctx(0, 0.01), 9, { responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 0 }, { index: 1, errorCode: 3 }] }] }, undefined);
  // 0.01 ms and 3 s ago: a stall of the loaded test machine between ctx() and onResponse (the
  // first call builds the label children) must not move the fast one past its bucket, as it
  // did with 10 ms buckets at load 18
  m.onResponse(ctx(0, 3000), 9, { responses: [] }, undefined);
  m.onResponse(ctx(1, 1), 12, { responses: [{ topic: 't', partitions: [{ errorCode: 0, records: Buffer.alloc(100) }, { errorCode: 0, records: [Buffer.alloc(5), Buffer.alloc(6)] }] }] }, undefined);
  m.onResponse(ctx(3, 1), 9, {}, 35);
  m.onAppend('t', 7, 700);
  const text = await m.metrics();
  const line = (re: RegExp) => { const l = text.split('\n').find((x) => re.test(x)); assert.ok(l, `${re} in\n${text}`); return Number(l.split(' ').pop()); };
  assert.equal(line(/^kafka_network_requestmetrics_requests_total\{request="Produce",version="9"\}/), 2);
  assert.equal(line(/^kafka_network_requestmetrics_totaltimems_bucket\{request="Produce",le="1000"\}/), 1);
  assert.equal(line(/^kafka_network_requestmetrics_totaltimems_bucket\{request="Produce",le="2500"\}/), 1);
  assert.equal(line(/^kafka_network_requestmetrics_totaltimems_bucket\{request="Produce",le="5000"\}/), 2);
  assert.equal(line(/^kafka_network_requestmetrics_totaltimems_bucket\{request="Produce",le="\+Inf"\}/), 2);
  assert.equal(line(/^kafka_network_requestmetrics_totaltimems_count\{request="FetchConsumer"\}/), 1);
  assert.equal(line(/^kafka_network_requestmetrics_errors_total\{request="Produce",error="UNKNOWN_TOPIC_OR_PARTITION"\}/), 1);
  assert.equal(line(/^kafka_network_requestmetrics_errors_total\{request="Metadata",error="UNSUPPORTED_VERSION"\}/), 1);
  assert.equal(line(/^kafka_server_brokertopicmetrics_failedproducerequests_total\{topic="t"\}/), 1);
  assert.equal(line(/^kafka_server_brokertopicmetrics_bytesout_total\{topic="t"\}/), 111);
  assert.equal(line(/^kafka_server_brokertopicmetrics_messagesin_total\{topic="t"\}/), 7);
  assert.equal(line(/^kafka_server_brokertopicmetrics_bytesin_total\{topic="t"\}/), 700);
  assert.equal(line(/^kafka_server_socket_server_metrics_connection_count /), 2);
  assert.equal(line(/^kafka_server_socket_server_metrics_connection_creation_total /), 5);
  // a second scrape reports the same monotonic totals, not doubled
  assert.equal((await m.metrics()).match(/^kafka_server_brokertopicmetrics_messagesin_total\{topic="t"\} (\d+)$/m)?.[1], '7');
});

test('cluster mode: the metadata store gauges with the broker\'s node_id, the controller role; a single node shows neither store gauge', async () => {
  const single = await new BrokerMetrics(source).metrics();
  assert.doesNotMatch(single, /tributary_cluster_metadata_store/);
  assert.match(single, /^kafka_controller_kafkacontroller_activecontrollercount 1$/m);

  let store: { reachable: boolean; unreachableSince: number | null } = { reachable: true, unreachableSince: null };
  let controller = false;
  const m = new BrokerMetrics({ ...source, activeController: () => controller, metadataStore: () => ({ nodeId: 3, ...store }) });
  let text = await m.metrics();
  assert.match(text, /^tributary_cluster_metadata_store_up\{node_id="3"\} 1$/m);
  assert.match(text, /^tributary_cluster_metadata_store_unreachable_since_timestamp_seconds\{node_id="3"\} 0$/m);
  assert.match(text, /^kafka_controller_kafkacontroller_activecontrollercount 0$/m);
  store = { reachable: false, unreachableSince: 1_700_000_000_500 };
  controller = true;
  text = await m.metrics();
  assert.match(text, /^tributary_cluster_metadata_store_up\{node_id="3"\} 0$/m);
  assert.match(text, /^tributary_cluster_metadata_store_unreachable_since_timestamp_seconds\{node_id="3"\} 1700000000\.5$/m);
  assert.match(text, /^kafka_controller_kafkacontroller_activecontrollercount 1$/m);
});
