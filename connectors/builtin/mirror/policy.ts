// Kafka's ReplicationPolicy: how a topic is named on the cluster it is mirrored to,
// and how a name tells where a topic came from (which is what prevents cycles).
// DefaultReplicationPolicy: `<source-alias><separator><topic>`; IdentityReplicationPolicy
// keeps names (except heartbeats, so heartbeats still show the path they travelled).

export interface ReplicationPolicy {
  formatRemoteTopic(sourceAlias: string, topic: string): string;
  /** the alias of the cluster the topic was replicated from, or null for a topic of this cluster */
  topicSource(topic: string): string | null;
  /** the name the topic had upstream, or null */
  upstreamTopic(topic: string): string | null;
  offsetSyncsTopic(clusterAlias: string): string;
  checkpointsTopic(clusterAlias: string): string;
  heartbeatsTopic(): string;
  /** MM2's own topics and the broker's: never mirrored */
  isInternalTopic(topic: string): boolean;
}

export const DEFAULT_POLICY = 'org.apache.kafka.connect.mirror.DefaultReplicationPolicy';
export const IDENTITY_POLICY = 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy';
export const POLICIES = [DEFAULT_POLICY, IDENTITY_POLICY, 'DefaultReplicationPolicy', 'IdentityReplicationPolicy'];

export class DefaultReplicationPolicy implements ReplicationPolicy {
  constructor(readonly separator = '.') {}
  formatRemoteTopic(sourceAlias: string, topic: string): string { return `${sourceAlias}${this.separator}${topic}`; }
  topicSource(topic: string): string | null {
    const i = topic.indexOf(this.separator);
    return i < 0 ? null : topic.slice(0, i);
  }
  upstreamTopic(topic: string): string | null {
    const source = this.topicSource(topic);
    return source === null ? null : topic.slice(source.length + this.separator.length);
  }
  private get internalSuffix() { return `${this.separator}internal`; }
  offsetSyncsTopic(clusterAlias: string): string { return `mm2-offset-syncs${this.separator}${clusterAlias}${this.internalSuffix}`; }
  checkpointsTopic(clusterAlias: string): string { return `${clusterAlias}${this.separator}checkpoints${this.internalSuffix}`; }
  heartbeatsTopic(): string { return 'heartbeats'; }
  isInternalTopic(topic: string): boolean {
    const mm2 = topic.endsWith('.internal') || topic.endsWith('-internal') || topic.endsWith(this.internalSuffix);
    return mm2 || topic.startsWith('__') || topic.startsWith('.');
  }
  /** heartbeats, a.heartbeats, b.a.heartbeats, … */
  isHeartbeatsTopic(topic: string): boolean { return topic === this.heartbeatsTopic() || topic.endsWith(`${this.separator}${this.heartbeatsTopic()}`); }
}

export class IdentityReplicationPolicy extends DefaultReplicationPolicy {
  override formatRemoteTopic(sourceAlias: string, topic: string): string {
    return this.isHeartbeatsTopic(topic) ? super.formatRemoteTopic(sourceAlias, topic) : topic;
  }
  override topicSource(topic: string): string | null { return this.isHeartbeatsTopic(topic) ? super.topicSource(topic) : null; }
  override upstreamTopic(topic: string): string | null { return this.isHeartbeatsTopic(topic) ? super.upstreamTopic(topic) : topic; }
}

export function replicationPolicy(className: string, separator: string): ReplicationPolicy {
  if (className === IDENTITY_POLICY || className === 'IdentityReplicationPolicy') return new IdentityReplicationPolicy(separator);
  if (className === DEFAULT_POLICY || className === 'DefaultReplicationPolicy') return new DefaultReplicationPolicy(separator);
  throw new Error(`unknown replication.policy.class ${className}: expected ${DEFAULT_POLICY} or ${IDENTITY_POLICY}`);
}

/**
 * Kafka's MirrorSourceConnector.isCycle: a topic whose name says it came from the target
 * (directly or through other clusters) is never mirrored back there.
 */
export function isCycle(policy: ReplicationPolicy, targetAlias: string, topic: string): boolean {
  let t: string | null = topic;
  for (let hops = 0; t !== null && hops < 64; hops++) {
    const source = policy.topicSource(t);
    if (source === null) return false;
    if (source === targetAlias) return true;
    const up = policy.upstreamTopic(t);
    if (up === t) return false;
    t = up;
  }
  return false;
}
