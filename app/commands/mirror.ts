// `tributary mirror --config mm2.properties [--data-dir D] [--connect-port P] [--redis URL]`:
// Kafka's connect-mirror-maker.sh. One Connect worker per enabled flow (writing to that
// flow's target), each running MirrorSource/Checkpoint/Heartbeat connectors. With
// --redis, each flow's worker joins that flow's distributed Connect group, as Kafka's
// dedicated mode runs a group per flow: group.id <source>-mm2 and its state in
// mm2-{configs,offsets,status}.<source>.internal on the target, so several `tributary
// mirror` processes share the flows' tasks and the survivors take over a dead one's.
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { parseArgs } from '../args.ts';
import { UsageError } from '../errors.ts';
import { parseMirrorConfig, targetBootstrap, type MirrorFlow } from './mirror-config.ts';

export interface RunningMirror {
  flows: { source: string; target: string; url: string; port: number }[];
  close(): Promise<void>;
}

export interface StartMirrorOptions {
  pairs: [string, string][];
  host?: string;
  /** REST port of the first flow's worker; the next flows take the next ports (0 = any free port) */
  connectPort?: number;
  dataDir: string;
  /** distributed mode: the Redis the flows' Connect groups coordinate through */
  redis?: string;
  logger?: Logger;
  /** called as each flow's worker listens */
  onListening?(flow: MirrorFlow, host: string, port: number): void;
}

export async function startMirror(o: StartMirrorOptions): Promise<RunningMirror> {
  const flows = parseMirrorConfig(o.pairs);
  const { startConnect } = await import('../../connectors/index.ts');
  const logger = o.logger ?? pino({ level: 'warn' });
  const host = o.host ?? '127.0.0.1';
  const running: { flow: MirrorFlow; close(): Promise<void>; url: string; port: number }[] = [];
  const close = async () => { for (const r of running.splice(0).reverse()) await r.close().catch(() => undefined); };
  try {
    for (const [i, flow] of flows.entries()) {
      const c = await startConnect({
        bootstrap: targetBootstrap(flow), host, port: o.connectPort ? o.connectPort + i : 0,
        logger: logger.child({ component: 'mirror', flow: `${flow.source}->${flow.target}` }),
        config: o.redis ? distributedWorker(flow) : flow.worker, dataDir: path.join(path.resolve(o.dataDir), `mirror-${flow.source}-${flow.target}`),
        ...(o.redis ? { redis: o.redis } : {}),
      });
      running.push({ flow, close: () => c.close(), url: c.url, port: c.port });
      o.onListening?.(flow, host, c.port);
      for (const [name, config] of Object.entries(flow.connectors)) {
        // another process of the group may have written it already: an unchanged config is not written again (that would restart the connector)
        const have = await fetch(`${c.url}/connectors/${name}/config`);
        if (have.ok && sameConfig(await have.json() as Record<string, string>, config)) continue;
        const r = await fetch(`${c.url}/connectors/${name}/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
        if (r.status >= 300) throw Object.assign(new Error(`flow ${flow.source}->${flow.target}: ${name}: ${(await r.json().catch(() => ({}))).message ?? r.statusText}`), { exitCode: 2 });
      }
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { flows: running.map((r) => ({ source: r.flow.source, target: r.flow.target, url: r.url, port: r.port })), close };
}

/**
 * A flow's worker in distributed mode: Kafka's dedicated-mode group (group.id <source>-mm2
 * unless the properties set one); the Redis keys of its leases under the target's alias,
 * as Kafka's group lives on the target cluster (a->b and a->c are two groups both named a-mm2).
 */
export function distributedWorker(flow: MirrorFlow): Record<string, string> {
  return {
    ...flow.worker,
    'group.id': flow.worker['group.id'] ?? `${flow.source}-mm2`,
    'redis.key.prefix': `${flow.worker['redis.key.prefix'] || 'tributary'}:mm2-${flow.target}`,
  };
}

const sameConfig = (a: Record<string, string>, b: Record<string, string>) => {
  const ka = Object.keys(a).filter((k) => k !== 'name'), kb = Object.keys(b).filter((k) => k !== 'name');
  return ka.length === kb.length && kb.every((k) => a[k] === b[k]);
};

export async function run(argv: string[]): Promise<void> {
  const o = parseArgs('mirror', argv);
  if (!argv.some((a) => a === '--config' || a.startsWith('--config='))) throw new UsageError('mirror needs --config mm2.properties');
  const logger = pino({ level: o.logLevel, base: { pid: process.pid } });
  let stopping = false;
  let mirror: RunningMirror | null = null;
  const shutdown = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal: sig }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15000);
    force.unref();
    await mirror?.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  mirror = await startMirror({
    pairs: o.pairs, host: o.host, connectPort: o.connectPort, dataDir: o.dataDir, logger, ...(o.redis ? { redis: o.redis } : {}),
    onListening: (f, host, port) => console.log(`connect listening on ${host}:${port} (flow ${f.source}->${f.target})`),
  });
  console.log(`mirror running ${mirror.flows.map((f) => `${f.source}->${f.target}`).join(', ')}`);
  if (stopping) await mirror.close();
}
