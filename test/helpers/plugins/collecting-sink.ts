// A test-kit sink plugin: an "HTTP-ish" sink without network. It batches records into
// JSON request bodies and "posts" them to a directory (one file per request), with a
// switch to fail the first N requests retriably. Loaded only by the platform's tests
// (test/helpers/connect.ts hands it to every in-process test kit), never by
// `tributary start`.
import fs from 'node:fs';
import path from 'node:path';
import {
  ConfigDef, SinkConnector, SinkTask, Validators, definePlugin, RetriableException,
  type Props, type SinkRecord,
} from '../../../plugins/sdk/index.ts';

const VERSION = '1.0.0';

function sinkConfig(): ConfigDef {
  return new ConfigDef()
    .define({ name: 'output.dir', type: 'STRING', importance: 'HIGH', documentation: 'Directory receiving one JSON file per "request".', group: 'Endpoint', orderInGroup: 1, width: 'LONG', displayName: 'Output directory', validator: Validators.nonEmptyString() })
    .define({ name: 'batch.max.records', type: 'INT', default: 500, validator: Validators.range(1, null), importance: 'MEDIUM', documentation: 'Records per request.', group: 'Endpoint', orderInGroup: 2, width: 'SHORT', displayName: 'Records per request' })
    .define({ name: 'fail.first.requests', type: 'INT', default: 0, validator: Validators.range(0, null), importance: 'LOW', documentation: 'Simulate a flaky endpoint: the first N requests fail with a retriable error.', group: 'Endpoint', orderInGroup: 3, width: 'SHORT', displayName: 'Failing requests' });
}

export class CollectingSinkConnector extends SinkConnector {
  private props: Props = {};
  version() { return VERSION; }
  config() { return sinkConfig(); }
  start(props: Props) { this.props = props; }
  taskConfigs(maxTasks: number): Props[] { return Array.from({ length: maxTasks }, () => ({ ...this.props })); }
  stop() {}
  taskClass() { return CollectingSinkTask; }
  validate(props: Props): Record<string, string[]> {
    // extra check beyond the ConfigDef: the directory must be creatable
    try { fs.mkdirSync(props['output.dir'], { recursive: true }); return {}; } catch (e) { return { 'output.dir': [`cannot create ${props['output.dir']}: ${(e as Error).message}`] }; }
  }
}

export class CollectingSinkTask extends SinkTask {
  private dir = '';
  private max = 500;
  private failuresLeft = 0;
  private buffer: unknown[] = [];
  private requests = 0;
  private taskId = 0;

  version() { return VERSION; }

  start(props: Props, ctx: { taskId: number }) {
    const c = sinkConfig().parse(props);
    this.dir = String(c['output.dir']);
    this.max = Number(c['batch.max.records']);
    this.failuresLeft = Number(c['fail.first.requests']);
    this.taskId = ctx.taskId;
    fs.mkdirSync(this.dir, { recursive: true });
  }

  private post(body: unknown[]) {
    if (this.failuresLeft > 0) { this.failuresLeft--; throw new RetriableException('endpoint answered 503'); }
    const file = path.join(this.dir, `request-${this.taskId}-${Date.now()}-${this.requests++}.json`);
    fs.writeFileSync(file, JSON.stringify(body));
  }

  async put(records: SinkRecord[]) {
    for (const r of records) this.buffer.push({ topic: r.topic, partition: r.kafkaPartition, offset: r.kafkaOffset, key: r.key, value: r.value });
    while (this.buffer.length >= this.max) {
      this.post(this.buffer.slice(0, this.max));
      this.buffer = this.buffer.slice(this.max);
    }
  }

  // offsets are committed only after flush() resolved: send what is buffered first
  async flush() {
    if (this.buffer.length) { this.post(this.buffer); this.buffer = []; }
  }

  stop() {}
}

export const collectingSinkPlugin = definePlugin({
  name: 'test-collecting-sink',
  version: VERSION,
  description: 'Test kit: a sink writing one JSON file per batch ("request"), optionally failing the first requests.',
  connectors: { 'com.example.collect.CollectingSinkConnector': CollectingSinkConnector },
});
