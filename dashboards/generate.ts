// Writes the Grafana dashboards (*.json) in this folder from the panel lists below.
// Edit here, run `node --import tsx dashboards/generate.ts`, commit both; a test
// checks the JSON is what this file generates and that every metric it queries is
// exported by a running platform.
import fs from 'node:fs';
import path from 'node:path';

interface Panel { title: string; expr: string | string[]; legend?: string; unit?: string; type?: 'timeseries' | 'stat' | 'table'; w?: number }

const DS = { type: 'prometheus', uid: '${datasource}' };

function dashboard(uid: string, title: string, panels: Panel[], vars: { name: string; query: string }[] = []) {
  let x = 0; let y = 0;
  const out = panels.map((p, i) => {
    const w = p.w ?? 12; const h = p.type === 'stat' ? 4 : 8;
    if (x + w > 24) { x = 0; y += 8; }
    const gridPos = { x, y, w, h };
    x += w;
    const exprs = Array.isArray(p.expr) ? p.expr : [p.expr];
    return {
      id: i + 1, type: p.type ?? 'timeseries', title: p.title, datasource: DS, gridPos,
      fieldConfig: { defaults: { unit: p.unit ?? 'short' }, overrides: [] },
      options: p.type === 'stat' ? { reduceOptions: { calcs: ['lastNotNull'] }, colorMode: 'value' } : { legend: { displayMode: 'list', placement: 'bottom' } },
      targets: exprs.map((expr, j) => ({ refId: String.fromCharCode(65 + j), datasource: DS, expr, legendFormat: p.legend ?? '', instant: p.type === 'table' })),
    };
  });
  return {
    uid, title, tags: ['tributary', 'kafka'], timezone: 'browser', schemaVersion: 39, version: 1, editable: true,
    refresh: '10s', time: { from: 'now-1h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', current: {} },
        ...vars.map((v) => ({ name: v.name, label: v.name, type: 'query', datasource: DS, query: { query: v.query, refId: 'vars' }, definition: v.query, refresh: 2, includeAll: true, multi: true, allValue: '.*', current: {} })),
      ],
    },
    panels: out,
  };
}

export const DASHBOARDS: Record<string, ReturnType<typeof dashboard>> = {
  'broker.json': dashboard('tributary-broker', 'Tributary / Broker', [
    { title: 'Under-replicated partitions', expr: 'sum(kafka_server_replicamanager_underreplicatedpartitions)', type: 'stat', w: 6 },
    { title: 'Offline partitions', expr: 'sum(kafka_controller_kafkacontroller_offlinepartitionscount)', type: 'stat', w: 6 },
    { title: 'Partitions / leaders', expr: ['sum(kafka_server_replicamanager_partitioncount)', 'sum(kafka_server_replicamanager_leadercount)'], type: 'stat', w: 6 },
    { title: 'Active controllers', expr: 'sum(kafka_controller_kafkacontroller_activecontrollercount)', type: 'stat', w: 6 },
    // A cluster's metadata store (no data on a single node): while a broker cannot reach it,
    // it serves its current leaders and no leadership, topic or config change is possible.
    { title: 'Metadata store: brokers that cannot reach it', expr: 'count(tributary_cluster_metadata_store_up == 0) or sum(tributary_cluster_metadata_store_up) * 0', type: 'stat', w: 12 },
    { title: 'Metadata store: unreachable for', expr: 'max(time() - (tributary_cluster_metadata_store_unreachable_since_timestamp_seconds > 0))', unit: 's', type: 'stat', w: 12 },
    { title: 'Messages in /s', expr: 'sum(rate(kafka_server_brokertopicmetrics_messagesin_total[1m]))', legend: 'messages/s' },
    { title: 'Bytes in / out per second', expr: ['sum(rate(kafka_server_brokertopicmetrics_bytesin_total[1m]))', 'sum(rate(kafka_server_brokertopicmetrics_bytesout_total[1m]))'], unit: 'Bps' },
    { title: 'Requests /s by API', expr: 'sum by (request) (rate(kafka_network_requestmetrics_requests_total[1m]))', legend: '{{request}}', unit: 'reqps' },
    { title: 'p99 request latency by API', expr: 'histogram_quantile(0.99, sum by (request, le) (rate(kafka_network_requestmetrics_totaltimems_bucket[5m])))', legend: '{{request}}', unit: 'ms' },
    { title: 'Errors /s by API and code', expr: 'sum by (request, error) (rate(kafka_network_requestmetrics_errors_total[1m]))', legend: '{{request}} {{error}}' },
    { title: 'Connections', expr: ['sum(kafka_server_socket_server_metrics_connection_count)', 'sum(rate(kafka_server_socket_server_metrics_connection_creation_total[1m]))'] },
    { title: 'ISR shrinks / expands', expr: ['sum(rate(kafka_server_replicamanager_isrshrinks_total[5m]))', 'sum(rate(kafka_server_replicamanager_isrexpands_total[5m]))'] },
    { title: 'Log size per broker', expr: 'sum by (instance) (kafka_log_log_size)', legend: '{{instance}}', unit: 'bytes' },
    { title: 'Transactions /s', expr: 'sum by (result) (rate(kafka_server_transaction_coordinator_metrics_completed_transactions_total[1m]))', legend: '{{result}}' },
    { title: 'Tiered storage: bytes to / from S3 per second', expr: ['sum(rate(kafka_server_brokertopicmetrics_remotecopybytes_total[5m]))', 'sum(rate(kafka_server_brokertopicmetrics_remotefetchbytes_total[5m]))'], unit: 'Bps' },
    { title: 'Tiered storage: upload failures /s', expr: 'sum(rate(kafka_server_brokertopicmetrics_remotecopyerrors_total[5m]))' },
    { title: 'Tiered storage: copy lag (not yet uploaded)', expr: ['sum(kafka_server_brokertopicmetrics_remotecopylagbytes)'], unit: 'bytes' },
    { title: 'Ongoing transactions', expr: 'sum(kafka_server_transaction_coordinator_metrics_ongoing_transactions)' },
  ]),
  'topics.json': dashboard('tributary-topics', 'Tributary / Topics', [
    { title: 'Messages in /s by topic', expr: 'sum by (topic) (rate(kafka_server_brokertopicmetrics_messagesin_total{topic=~"$topic"}[1m]))', legend: '{{topic}}' },
    { title: 'Bytes in /s by topic', expr: 'sum by (topic) (rate(kafka_server_brokertopicmetrics_bytesin_total{topic=~"$topic"}[1m]))', legend: '{{topic}}', unit: 'Bps' },
    { title: 'Bytes out /s by topic', expr: 'sum by (topic) (rate(kafka_server_brokertopicmetrics_bytesout_total{topic=~"$topic"}[1m]))', legend: '{{topic}}', unit: 'Bps' },
    { title: 'Failed produce / fetch by topic', expr: ['sum by (topic) (rate(kafka_server_brokertopicmetrics_failedproducerequests_total{topic=~"$topic"}[5m]))', 'sum by (topic) (rate(kafka_server_brokertopicmetrics_failedfetchrequests_total{topic=~"$topic"}[5m]))'], legend: '{{topic}}' },
    { title: 'Size by topic', expr: 'sum by (topic) (kafka_log_log_size{topic=~"$topic"})', legend: '{{topic}}', unit: 'bytes' },
    { title: 'Segments by topic', expr: 'sum by (topic) (kafka_log_log_numlogsegments{topic=~"$topic"})', legend: '{{topic}}' },
    { title: 'Partition offsets', expr: ['kafka_log_log_logstartoffset{topic=~"$topic"}', 'kafka_log_log_logendoffset{topic=~"$topic"}'], legend: '{{topic}}-{{partition}}', type: 'table', w: 24 },
  ], [{ name: 'topic', query: 'label_values(kafka_log_log_size, topic)' }]),
  'consumer-lag.json': dashboard('tributary-consumer-lag', 'Tributary / Consumer lag', [
    { title: 'Lag (records) by group', expr: 'sum by (consumergroup) (kafka_consumergroup_lag{consumergroup=~"$consumergroup"})', legend: '{{consumergroup}}' },
    { title: 'Lag (seconds) by group, worst partition', expr: 'max by (consumergroup) (kafka_consumergroup_lag_seconds{consumergroup=~"$consumergroup"})', legend: '{{consumergroup}}', unit: 's' },
    { title: 'Lag by group and topic', expr: 'sum by (consumergroup, topic) (kafka_consumergroup_lag{consumergroup=~"$consumergroup"})', legend: '{{consumergroup}} {{topic}}' },
    { title: 'Consumption rate (committed offsets /s)', expr: 'sum by (consumergroup) (rate(kafka_consumergroup_current_offset{consumergroup=~"$consumergroup"}[5m]))', legend: '{{consumergroup}}' },
    { title: 'Groups by state', expr: ['sum(kafka_coordinator_group_groupmetadatamanager_numgroupsstable)', 'sum(kafka_coordinator_group_groupmetadatamanager_numgroupsempty)', 'sum(kafka_coordinator_group_groupmetadatamanager_numgroupspreparingrebalance)', 'sum(kafka_coordinator_group_groupmetadatamanager_numgroupscompletingrebalance)', 'sum(kafka_coordinator_group_groupmetadatamanager_numgroupsdead)'] },
    { title: 'Rebalances /min', expr: 'sum(rate(kafka_server_group_coordinator_metrics_group_completed_rebalance_total[5m])) * 60' },
    { title: 'Lag per partition', expr: 'kafka_consumergroup_lag{consumergroup=~"$consumergroup"}', legend: '{{consumergroup}} {{topic}}-{{partition}}', type: 'table', w: 24 },
  ], [{ name: 'consumergroup', query: 'label_values(kafka_consumergroup_lag, consumergroup)' }]),
  'connect.json': dashboard('tributary-connect', 'Tributary / Connect', [
    { title: 'Connectors', expr: 'sum(kafka_connect_worker_connector_count)', type: 'stat', w: 6 },
    { title: 'Tasks', expr: 'sum(kafka_connect_worker_task_count)', type: 'stat', w: 6 },
    { title: 'Failed tasks', expr: 'sum(kafka_connect_worker_task_failed_count)', type: 'stat', w: 6 },
    { title: 'Paused connectors', expr: 'sum(kafka_connect_worker_connector_paused_count)', type: 'stat', w: 6 },
    { title: 'Task status', expr: 'kafka_connect_connector_task_status == 1', legend: '{{connector}}-{{task}} {{status}}', type: 'table' },
    { title: 'Connector status', expr: 'kafka_connect_connector_status == 1', legend: '{{connector}} {{status}}', type: 'table' },
    { title: 'Source records polled / written per second', expr: ['sum by (connector) (rate(kafka_connect_source_task_source_record_poll_total[1m]))', 'sum by (connector) (rate(kafka_connect_source_task_source_record_write_total[1m]))'], legend: '{{connector}}' },
    { title: 'Sink records read / sent per second', expr: ['sum by (connector) (rate(kafka_connect_sink_task_sink_record_read_total[1m]))', 'sum by (connector) (rate(kafka_connect_sink_task_sink_record_send_total[1m]))'], legend: '{{connector}}' },
    { title: 'Offset commit time (avg / max)', expr: ['sum by (connector) (rate(kafka_connect_connector_task_offset_commit_seconds_total[5m])) / sum by (connector) (rate(kafka_connect_connector_task_offset_commit_total[5m])) * 1000', 'max by (connector) (kafka_connect_connector_task_offset_commit_max_time_ms)'], legend: '{{connector}}', unit: 'ms' },
    { title: 'Record errors /s', expr: 'sum by (connector) (rate(kafka_connect_task_error_total_record_errors[5m]))', legend: '{{connector}}' },
    { title: 'Dead letter queue records /s', expr: 'sum by (connector) (rate(kafka_connect_task_error_deadletterqueue_produce_requests[5m]))', legend: '{{connector}}' },
    { title: 'S3 sink bytes written /s', expr: 'sum by (connector) (rate(tributary_connect_s3_sink_bytes_written_total[5m]))', legend: '{{connector}}', unit: 'Bps' },
    { title: 'S3 sink objects written /min', expr: 'sum by (connector) (rate(tributary_connect_s3_sink_objects_written_total[5m])) * 60', legend: '{{connector}}' },
    { title: 'Skipped records / retries', expr: ['sum by (connector) (rate(kafka_connect_task_error_total_records_skipped[5m]))', 'sum by (connector) (rate(kafka_connect_task_error_total_retries[5m]))'], legend: '{{connector}}' },
  ]),
  'cdc.json': dashboard('tributary-cdc', 'Tributary / Postgres CDC', [
    { title: 'Replication slot lag', expr: 'max by (connector) (tributary_connect_cdc_slot_lag_bytes)', legend: '{{connector}}', unit: 'bytes' },
    { title: 'Replication slot lag (seconds)', expr: 'max by (connector) (tributary_connect_cdc_slot_lag_seconds)', legend: '{{connector}}', unit: 's' },
    { title: 'WAL retained by the slot', expr: 'max by (connector) (tributary_connect_cdc_wal_retained_bytes)', legend: '{{connector}}', unit: 'bytes' },
    { title: 'Streaming', expr: 'tributary_connect_cdc_streaming', legend: '{{connector}}-{{task}}', type: 'stat', w: 8 },
    { title: 'Snapshot tables', expr: ['sum by (connector) (tributary_connect_cdc_snapshot_tables_done)', 'sum by (connector) (tributary_connect_cdc_snapshot_tables_total)'], legend: '{{connector}}', w: 8 },
    { title: 'Snapshot rows /s', expr: 'sum by (connector) (rate(tributary_connect_cdc_snapshot_rows[1m]))', legend: '{{connector}}', w: 8 },
    { title: 'Topic throughput fed by CDC (messages in /s)', expr: 'sum by (topic) (rate(kafka_server_brokertopicmetrics_messagesin_total[1m]))', legend: '{{topic}}', w: 24 },
  ]),
};

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [file, d] of Object.entries(DASHBOARDS)) fs.writeFileSync(path.join(import.meta.dirname, file), JSON.stringify(d, null, 2) + '\n');
}
