// The schema registry's public surface: startRegistry (what the CLI calls) and buildApp.
import type { Logger } from 'pino';
import { buildApp, type Leadership } from './app.ts';
import { loadRegistryConfig, type RegistryConfig } from './config.ts';
import { SchemaRegistry } from './service.ts';
import { KafkaSchemaStore } from './store/kafka-store.ts';
import { MemorySchemaStore, type SchemaStore } from './store/schema-store.ts';
import { LeaderElection } from './leader-election.ts';
import { basicAuthFromConfig, exposureWarning } from './auth.ts';
import { httpListener, listenerUrl, watchHttpsKeystore, type HttpListener } from '../client/https-listener.ts';

export { buildApp, type AppOptions, type Leadership } from './app.ts';
export { loadRegistryConfig, RegistryConfigError, type RegistryConfig } from './config.ts';
import { RegistryConfigError } from './config.ts';
import { CONFIG_DEFS } from './config.ts';

/** Config names the registry reads (so the broker does not warn about them). */
export function ownsConfig(name: string): boolean {
  return name in CONFIG_DEFS || name.startsWith('schema.registry.') || name.startsWith('kafkastore.') || name.startsWith('registry.');
}
export { SchemaRegistry } from './service.ts';
export { MemorySchemaStore, type SchemaStore } from './store/schema-store.ts';
export { KafkaSchemaStore } from './store/kafka-store.ts';

export interface StartRegistryOptions {
  bootstrap?: string;
  host: string;
  port: number;
  logger?: Logger;
  config?: Record<string, string>;
  store?: 'memory' | 'kafka';
  /** memory store only: a log shared with other in-process instances (tests). */
  memoryLog?: import('./store/records.ts').LogRecord[];
}

export interface RunningRegistry { port: number; url: string; registry: SchemaRegistry; isLeader(): boolean; close(): Promise<void> }

export async function startRegistry(opts: StartRegistryOptions): Promise<RunningRegistry> {
  const { config, warnings } = loadRegistryConfig(opts.config ?? {});
  for (const w of warnings) opts.logger?.warn(w);
  // listeners=https://HOST:PORT with ssl.keystore.* (PEM), as Confluent's registry names them; else http on host/port
  let listener: HttpListener;
  try { listener = httpListener(opts.config ?? {}, { host: opts.host, port: opts.port }, 'registry'); } catch (e) { throw new RegistryConfigError((e as Error).message); }
  const auth = basicAuthFromConfig(config);
  const exposed = exposureWarning(listener.host, auth);
  if (exposed) opts.logger?.warn(exposed);
  const kind = opts.store ?? (opts.bootstrap ? 'kafka' : 'memory');
  let store: SchemaStore;
  if (kind === 'kafka') {
    if (!opts.bootstrap) throw new Error('the kafka store needs bootstrap (HOST:PORT)');
    store = new KafkaSchemaStore({
      bootstrap: opts.bootstrap,
      topic: config['kafkastore.topic'],
      replicationFactor: config['kafkastore.topic.replication.factor'],
      timeoutMs: config['kafkastore.timeout.ms'],
      initTimeoutMs: config['kafkastore.init.timeout.ms'],
      // Confluent's kafkastore.security.protocol, kafkastore.sasl.*, kafkastore.ssl.* for the store's own client
      security: Object.fromEntries(Object.entries(opts.config ?? {}).filter(([k]) => /^kafkastore\.(security\.protocol|sasl\.|ssl\.)/.test(k)).map(([k, v]) => [k.slice('kafkastore.'.length), v])),
      logger: opts.logger,
    });
  } else store = new MemorySchemaStore(opts.memoryLog);
  const registry = new SchemaRegistry(store, config, opts.logger);
  await registry.start();
  let election: LeaderElection | null = null;
  let leadership: Leadership | undefined;
  const app = buildApp({ registry, logger: opts.logger, auth, https: listener.tls, forwardTimeoutMs: config['forward.timeout.ms'], leadership: { isLeader: () => leadership?.isLeader() ?? true, leaderUrl: () => leadership?.leaderUrl() ?? null } });
  try {
    await app.listen({ host: listener.host, port: listener.port });
  } catch (e) {
    await registry.close();
    throw e;
  }
  const port = (app.server.address() as { port: number }).port;
  const unwatch = watchHttpsKeystore(app.server, listener, opts.logger);
  const url = listener.scheme === 'https' ? listenerUrl(listener, port) : `http://${listener.host.includes(':') ? `[${listener.host}]` : listener.host}:${port}`;
  if (kind === 'kafka' && config['leader.election.enable']) {
    election = new LeaderElection({ client: (store as KafkaSchemaStore).clientConfig, config, url, logger: opts.logger });
    try {
      await election.start();
    } catch (e) {
      unwatch();
      await app.close();
      await registry.close();
      throw e;
    }
    leadership = election;
  }
  let closed = false;
  return {
    port,
    url,
    registry,
    isLeader: () => leadership?.isLeader() ?? true,
    async close() {
      if (closed) return;
      closed = true;
      unwatch();
      await app.close();
      await Promise.all([election?.stop(), registry.close()]);
    },
  };
}

export type { RegistryConfig as Config };
