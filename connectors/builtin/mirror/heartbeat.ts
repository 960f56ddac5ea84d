// MirrorHeartbeatConnector: writes a Heartbeat (source alias, target alias, time) to
// the target's `heartbeats` topic every emit.heartbeats.interval.seconds. Mirrored on
// onwards (as `<alias>.heartbeats`), heartbeats show which flows are alive and the
// path between clusters (Kafka's MirrorClient reads them to find upstream clusters).
import { S, SourceConnector, SourceTask, type ConnectorContext, type Props, type SourceRecord, type SourceTaskContext } from '../../../plugins/sdk/index.ts';
import { heartbeatConfig, policyOf, type HeartbeatConfig } from './config.ts';
import { HeartbeatFormat } from './records.ts';
import { KafkaAdmin, ensureInternalTopic, sleep } from './clusters.ts';
import { VERSION } from './source.ts';

export class MirrorHeartbeatConnector extends SourceConnector {
  private props: Props = {};
  private c!: HeartbeatConfig;

  version() { return VERSION; }
  config() { return heartbeatConfig(); }
  taskClass() { return MirrorHeartbeatTask; }
  exactlyOnceSupport() { return 'SUPPORTED' as const; }

  async start(props: Props, ctx: ConnectorContext) {
    this.props = props;
    this.c = heartbeatConfig().parse(props);
    const target = new KafkaAdmin({ bootstrap: this.c['target.cluster.bootstrap.servers'], clientId: `mm2-${this.c['source.cluster.alias']}->${this.c['target.cluster.alias']}-heartbeat-admin` });
    try {
      await ensureInternalTopic(target, policyOf(this.c).heartbeatsTopic(), this.c['heartbeats.topic.replication.factor']);
    } catch (e) {
      ctx.logger.warn({ err: e }, 'mirror: creating the heartbeats topic failed (the task retries through the runtime)');
    } finally {
      await target.close();
    }
  }

  taskConfigs(): Props[] { return this.c['emit.heartbeats.enabled'] ? [this.props] : []; }
  stop() {}
}

export class MirrorHeartbeatTask extends SourceTask {
  private c!: HeartbeatConfig;
  private topic = '';
  private next = 0;
  version() { return VERSION; }

  start(props: Props, _ctx: SourceTaskContext) {
    this.c = heartbeatConfig().parse(props);
    this.topic = policyOf(this.c).heartbeatsTopic();
    this.next = Date.now();
  }

  async poll(): Promise<SourceRecord[] | null> {
    const wait = Math.min(500, this.next - Date.now());
    if (wait > 0) { await sleep(wait); return null; }
    const now = Date.now();
    this.next = now + this.c['emit.heartbeats.interval.seconds'] * 1000;
    const hb = { sourceClusterAlias: this.c['source.cluster.alias'], targetClusterAlias: this.c['target.cluster.alias'], timestamp: now };
    return [{
      sourcePartition: { sourceClusterAlias: hb.sourceClusterAlias, targetClusterAlias: hb.targetClusterAlias }, sourceOffset: { offset: 0 },
      topic: this.topic, kafkaPartition: 0,
      keySchema: S.bytes(), key: HeartbeatFormat.key(hb), valueSchema: S.bytes(), value: HeartbeatFormat.value(hb), timestamp: now,
    }];
  }

  stop() {}
}
