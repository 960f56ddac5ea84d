// The Connect runtime's public surface: startConnect (what `tributary start` and
// `tributary connect` call). It talks to the broker only through client/ (the platform's one Kafka client).
import type { Logger } from 'pino';
import pino from 'pino';
import type { PluginManifest } from '../plugins/sdk/index.ts';
import { loadWorkerConfig, WORKER_CONFIG } from './config.ts';
import { connectClient } from './kafka.ts';
import { httpListener, watchHttpsKeystore } from '../client/https-listener.ts';
import { ConnectState } from './storage/state.ts';
import { loadPlugins, type Plugins } from './runtime/plugins.ts';
import { Herder } from './runtime/herder.ts';
import { StandaloneAssigner, type Assigner } from './runtime/assigner.ts';
import { buildApp } from './rest/app.ts';
import { connectBasicAuthFromConfig, exposureWarning } from './rest/auth.ts';
import { LogLevels } from './runtime/log-levels.ts';
import { attachToHerder, distributedAssigner } from './distributed/cluster.ts';

export { Herder } from './runtime/herder.ts';
export { Plugins, loadPlugins, type PluginDesc } from './runtime/plugins.ts';
export { StandaloneAssigner, type Assigner, type Assignment, type Workload, type TaskId } from './runtime/assigner.ts';
export { ConnectState } from './storage/state.ts';
export { loadWorkerConfig, type WorkerConfig } from './config.ts';
export { CONNECT_ERRORS } from './errors.ts';
export { startConnectInThread } from './runtime/worker-thread-host.ts';

const OWNED_PREFIXES = ['connect.', 'listeners.https.', 'key.converter.', 'value.converter.', 'header.converter.', 'offset.', 'config.storage.', 'offset.storage.', 'status.storage.', 'plugin.path', 'rest.', 'consumer.', 'producer.', 'admin.', 'errors.', 'task.', 'session.timeout.ms', 'config.providers'];

/** Config names the Connect worker reads (its worker config, converter/client prefixes), so the broker does not warn about them. */
export function ownsConfig(name: string): boolean {
  return WORKER_CONFIG.keys.has(name) || OWNED_PREFIXES.some((p) => name.startsWith(p));
}

export interface StartConnectOptions {
  bootstrap: string;
  host: string;
  /** 0 = any free port */
  port: number;
  logger: Logger;
  /** Worker config by Kafka Connect's names (other components' names are ignored). */
  config: Record<string, string>;
  dataDir: string;
  registryUrl?: string;
  /** Distributed mode (issue 10): Redis URL for task assignment. */
  redis?: string;
  groupId?: string;
  /** Extra plugins given in-process (tests, embedding). */
  plugins?: PluginManifest[];
  /** Load the example/third-party plugins under the repository's plugins/ (default true). */
  scanPluginsDir?: boolean;
  /** Replace the assigner (distributed mode); default: standalone. */
  assigner?: (workerId: string) => Assigner;
}

export interface RunningConnect {
  port: number;
  url: string;
  workerId: string;
  herder: Herder;
  plugins: Plugins;
  close(): Promise<void>;
}

export const VERSION = '3.9.0';

export async function startConnect(opts: StartConnectOptions): Promise<RunningConnect> {
  const logger = opts.logger ?? pino({ level: 'warn' });
  const worker = loadWorkerConfig({ ...opts.config, ...(opts.groupId ? { 'group.id': opts.groupId } : {}) });
  const plugins = await loadPlugins({ pluginPath: worker['plugin.path'], extra: opts.plugins, logger, scanPluginsDir: opts.scanPluginsDir });
  // listeners=https://HOST:PORT with (listeners.https.)ssl.keystore.* (PEM), as Kafka Connect names them; else http on host/port
  let listener: ReturnType<typeof httpListener>;
  try { listener = httpListener(worker.raw, { host: opts.host, port: opts.port }, 'connect'); } catch (e) { throw Object.assign(new Error(`invalid Connect worker config: ${(e as Error).message}`), { exitCode: 2 }); }
  const scheme = listener.scheme;
  const client = connectClient(opts.bootstrap, 'tributary-connect', logger, worker.raw);
  const state = new ConnectState(client, worker, logger);
  const logLevels = new LogLevels(logger);

  let herder: Herder | null = null;
  let clusterId: string | null = null;
  const advertisedHost = worker['rest.advertised.host.name'] ?? (listener.host === '0.0.0.0' || listener.host === '::' ? '127.0.0.1' : listener.host);
  let port = 0;
  const placeholder = new Herder({ client, state, plugins, worker, workerId: '', assigner: new StandaloneAssigner(''), logger });
  const auth = connectBasicAuthFromConfig(worker.raw);
  const exposed = exposureWarning(listener.host, auth);
  if (exposed) logger.warn(exposed);
  const app = buildApp({
    get herder() { return herder ?? placeholder; },
    plugins, logger, logLevels, version: VERSION, commit: 'tributary', auth, https: listener.tls,
    kafkaClusterId: () => clusterId,
    advertisedUrl: () => `${scheme}://${advertisedHost}:${port}`,
  } as Parameters<typeof buildApp>[0]);
  await app.listen({ host: listener.host, port: listener.port });
  port = (app.server.address() as { port: number }).port;
  const unwatch = watchHttpsKeystore(app.server, listener, logger);
  const workerId = `${advertisedHost}:${port}`;
  try {
    await state.start();
    const admin = state.admin;
    clusterId = (await admin.describeCluster()).clusterId || null;
    const distributed = !opts.assigner && opts.redis ? distributedAssigner({ redis: opts.redis, groupId: worker['group.id'], workerId, url: `${scheme}://${workerId}`, logger, config: opts.config, state }) : null;
    const assigner = opts.assigner?.(workerId) ?? distributed ?? new StandaloneAssigner(workerId);
    herder = new Herder({ client, state, plugins, worker, workerId, assigner, logger, logLevels, registryUrl: opts.registryUrl, readOffsetsToEnd: () => state.readToEnd([state.offsetTopic]) });
    if (distributed) attachToHerder(herder, distributed);
    await herder.start();
  } catch (e) {
    unwatch();
    await app.close();
    await state.stop().catch(() => undefined);
    throw e;
  }
  let closed = false;
  return {
    port,
    url: `${scheme}://${advertisedHost}:${port}`,
    workerId,
    herder,
    plugins,
    async close() {
      if (closed) return;
      closed = true;
      unwatch();
      await app.close();
      await herder!.stop();
      await state.stop();
    },
  };
}
