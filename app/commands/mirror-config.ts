// Kafka's MM2 properties (connect-mirror-maker.sh's mm2.properties, MirrorMakerConfig):
//   clusters = a, b
//   a.bootstrap.servers = host:9092          <cluster>.<prop>: that cluster's settings
//   a->b.enabled = true                      flows are off unless enabled
//   a->b.topics = orders.*                   <source>-><target>.<prop>: that flow's settings
//   emit.checkpoints.interval.seconds = 10   anything else: every flow (and the workers)
// Each enabled flow becomes one Connect worker writing to the target (its state in
// mm2-{configs,offsets,status}.<source>.internal there) running the three connectors.

export const BYTE_ARRAY = 'org.apache.kafka.connect.converters.ByteArrayConverter';
export const MIRROR_CONNECTORS = ['MirrorSourceConnector', 'MirrorCheckpointConnector', 'MirrorHeartbeatConnector'] as const;

export interface MirrorFlow {
  source: string;
  target: string;
  /** the Connect worker's config (the target is its cluster) */
  worker: Record<string, string>;
  /** connector name → config */
  connectors: Record<string, Record<string, string>>;
}

export class MirrorConfigError extends Error {
  readonly exitCode = 2;
  constructor(message: string) { super(message); this.name = 'MirrorConfigError'; }
}

const ALIAS = /^[A-Za-z0-9._-]+$/;

export function parseMirrorConfig(pairs: [string, string][]): MirrorFlow[] {
  const props = new Map<string, string>();
  for (const [k, v] of pairs) props.set(k, v);
  const clusters = (props.get('clusters') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!clusters.length) throw new MirrorConfigError('mm2 config: "clusters" lists no cluster (e.g. clusters = a, b)');
  for (const c of clusters) if (!ALIAS.test(c) || c.includes('->')) throw new MirrorConfigError(`mm2 config: invalid cluster alias ${JSON.stringify(c)}`);
  const isFlowKey = (k: string) => /^[^.]+->[^.]+\./.test(k);
  const clusterOf = (k: string) => clusters.find((c) => k.startsWith(`${c}.`));
  const global: Record<string, string> = {};
  for (const [k, v] of props) if (k !== 'clusters' && !isFlowKey(k) && !clusterOf(k)) global[k] = v;
  const clusterProps = (c: string) => Object.fromEntries([...props].filter(([k]) => k.startsWith(`${c}.`) && !isFlowKey(k)).map(([k, v]) => [k.slice(c.length + 1), v]));
  for (const [k] of props) {
    const m = /^([^.]+)->([^.]+)\./.exec(k);
    if (m && (!clusters.includes(m[1]) || !clusters.includes(m[2]))) throw new MirrorConfigError(`mm2 config: ${k} names a cluster not in "clusters" (${clusters.join(', ')})`);
  }
  const flows: MirrorFlow[] = [];
  for (const source of clusters) {
    for (const target of clusters) {
      if (source === target) continue;
      const prefix = `${source}->${target}.`;
      const flow = Object.fromEntries([...props].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
      if (!/^true$/i.test((flow.enabled ?? '').trim())) continue;
      delete flow.enabled;
      const src = clusterProps(source), tgt = clusterProps(target);
      for (const [alias, p] of [[source, src], [target, tgt]] as const) {
        if (!p['bootstrap.servers']) throw new MirrorConfigError(`mm2 config: ${alias}.bootstrap.servers is missing (flow ${source}->${target})`);
      }
      const settings = { ...global, ...flow };
      const connector = {
        ...settings,
        'source.cluster.alias': source, 'target.cluster.alias': target,
        'source.cluster.bootstrap.servers': src['bootstrap.servers'], 'target.cluster.bootstrap.servers': tgt['bootstrap.servers'],
        'key.converter': BYTE_ARRAY, 'value.converter': BYTE_ARRAY,
        'tasks.max': settings['tasks.max'] ?? '1',
      };
      const worker = {
        'offset.flush.interval.ms': '10000',
        ...settings,
        'key.converter': BYTE_ARRAY, 'value.converter': BYTE_ARRAY,
        'config.storage.topic': `mm2-configs.${source}.internal`,
        'offset.storage.topic': `mm2-offsets.${source}.internal`,
        'status.storage.topic': `mm2-status.${source}.internal`,
        ...Object.fromEntries(Object.entries(tgt).filter(([k]) => k !== 'bootstrap.servers')),
      };
      flows.push({
        source, target, worker,
        connectors: Object.fromEntries(MIRROR_CONNECTORS.map((n) => [n, { ...connector, 'connector.class': `org.apache.kafka.connect.mirror.${n}` }])),
      });
    }
  }
  if (!flows.length) throw new MirrorConfigError(`mm2 config: no replication flow is enabled (e.g. ${clusters[0]}->${clusters[1] ?? 'b'}.enabled = true)`);
  return flows;
}

/** The bootstrap servers of a flow's target: where its Connect worker runs. */
export const targetBootstrap = (f: MirrorFlow) => f.connectors.MirrorSourceConnector['target.cluster.bootstrap.servers'];
