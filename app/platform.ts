// Runs the platform's processes: `start` (everything), `broker`, `registry`, `connect`, `ui`.
// The composition root: the only place that knows every component.
import path from 'node:path';
import { createLogger } from './logger.ts';
import { Broker } from '../server/broker.ts';
import { loadBrokerConfig, type BrokerConfig } from '../server/config.ts';
import type { CliOptions } from './args.ts';
import { UsageError } from './errors.ts';

// The components a command runs besides the broker, loaded only when it runs them:
// `tributary broker` starts in about half the time without loading Connect and the UI.
// The specifiers are literal, so each module is typed like a static import.
const loadRegistry = () => import('../registry/index.ts');
const loadConnect = () => import('../connectors/index.ts');
const loadUi = () => import('../ui/server/index.ts');

// Under `start` one config feeds every component, and the plain listener and security
// names (listeners, ssl.*, sasl.*, security.protocol) are the broker's. The registry,
// Connect and the UI take theirs with a prefix there — registry.listeners,
// connect.security.protocol, ui.ssl.keystore.location — which is stripped before the
// component sees it; standalone (`tributary registry|connect|ui`) they take the plain names.
const BROKER_NAMES = /^(listeners$|advertised\.listeners$|listener\.|security\.protocol$|sasl\.|ssl\.)/;

export function componentConfig(command: string, all: Record<string, string>, component: 'registry' | 'connect' | 'ui'): Record<string, string> {
  if (command !== 'start') return all;
  const prefix = `${component}.`;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) if (!BROKER_NAMES.test(k)) out[k] = v;
  for (const [k, v] of Object.entries(all)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

export async function runPlatform(o: CliOptions): Promise<void> {
  const logs = createLogger(o.logLevel);
  const logger = logs.root;
  const want = (c: string) => o.command === 'start' || o.command === c;
  let registryMod: Awaited<ReturnType<typeof loadRegistry>> | null = null;
  let connectMod: Awaited<ReturnType<typeof loadConnect>> | null = null;
  let uiMod: Awaited<ReturnType<typeof loadUi>> | null = null;
  try {
    if (want('registry')) registryMod = await loadRegistry();
    if (want('connect')) connectMod = await loadConnect();
    if (want('ui')) uiMod = await loadUi();
  } catch (e) {
    // A component that fails to load is a one-line reason and exit 1, like a failed start.
    throw new Error(`cannot load a component: ${(e as Error).message.split('\n')[0]}`);
  }
  // The registry and Connect claim their config names (ownsConfig) so the broker does not warn about them.
  const owned = (name: string) => registryMod?.ownsConfig(name) === true || connectMod?.ownsConfig(name) === true || (!!uiMod && name.startsWith('ui.'));
  let cfg: BrokerConfig;
  try {
    // `start` is the all-in-one quick start: like Kafka's shipped server.properties it
    // does not hold a new group's first rebalance for 3 s (the registry and Connect
    // each join groups while starting). `tributary broker` keeps Kafka's default.
    const pairs: [string, string][] = o.command === 'start' && !o.pairs.some(([k]) => k === 'group.initial.rebalance.delay.ms')
      ? [['group.initial.rebalance.delay.ms', '0'], ...o.pairs] : [...o.pairs];
    // The admin port (metrics, health): --admin-port, else admin.listeners, else 9644 (0 beside --kafka-port 0).
    if (o.adminPort !== undefined || !pairs.some(([k]) => k === 'admin.listeners')) pairs.push(['admin.listeners', `http://${o.host}:${o.adminPort ?? (o.kafkaPort === 0 ? 0 : 9644)}`]);
    const r = loadBrokerConfig(o.command === 'start' || o.command === 'broker' ? pairs : [], owned);
    cfg = r.config;
    for (const w of r.warnings) logger.warn(w);
  } catch (e) {
    // Any failure to read the broker's config is bad config: exit 2.
    throw Object.assign(new Error((e as Error).message), { exitCode: 2 });
  }
  const extra = Object.fromEntries(o.pairs);
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const shutdown = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal: sig }, 'shutting down');
    const force = setTimeout(() => { logger.error('shutdown took longer than 15 s; exiting'); process.exit(1); }, 15000);
    force.unref();
    for (const s of stops.reverse()) {
      try { await s(); } catch (e) { logger.error({ err: e }, 'error during shutdown'); }
    }
    logger.info('stopped');
    process.exit(0);
  };
  // Signals during start-up are honoured once start-up finishes.
  let ready = false;
  let pendingSignal: string | null = null;
  const onSignal = (sig: string) => { if (ready) void shutdown(sig); else pendingSignal = sig; };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  let bootstrap = o.bootstrap;
  let adminUrls = o.adminUrls;
  try {
    if (o.command === 'start' || o.command === 'broker') {
      // With `listeners` set, --host/--kafka-port replace the first listener's only when given.
      const own = cfg.get('listeners') != null;
      const broker = new Broker({ dataDir: o.dataDir, host: !own || o.hostGiven ? o.host : undefined, port: !own || o.kafkaPortGiven ? o.kafkaPort : undefined, config: cfg, logger: logs.component('broker') });
      await broker.start();
      stops.push(() => broker.stop());
      bootstrap = `${broker.advertisedHost}:${broker.port}`;
      for (const p of broker.adminPorts) console.log(`admin listening on ${o.host}:${p}`);
      const local = o.host === '0.0.0.0' || o.host === '::' ? '127.0.0.1' : o.host.includes(':') ? `[${o.host}]` : o.host;
      adminUrls ??= broker.adminPorts.map((p) => `http://${local}:${p}`);
      const [first, ...more] = broker.boundListeners;
      console.log(`kafka listening on ${first.host}:${first.port}`);
      for (const l of more) console.log(`kafka listener ${l.name} (${l.protocol}) listening on ${l.host}:${l.port}`);
    }
    if (!bootstrap) throw new UsageError(`${o.command} needs --bootstrap HOST:PORT`);
    let registryUrl = o.registry;
    if (registryMod) {
      const r = await registryMod.startRegistry({ bootstrap, host: o.host, port: o.registryPort, logger: logs.component('registry'), config: componentConfig(o.command, extra, 'registry'), store: 'kafka' });
      stops.push(() => r.close());
      registryUrl = r.url;
      console.log(`registry listening on ${r.url.startsWith('https:') ? `${r.url.slice('https://'.length)} (https)` : `${o.host}:${r.port}`}`);
    }
    let connectUrl = o.connect;
    if (connectMod) {
      const copts = { bootstrap, host: o.host, port: o.connectPort, logger: logs.component('connect'), config: componentConfig(o.command, extra, 'connect'), dataDir: path.resolve(o.dataDir), registryUrl, redis: o.redis, groupId: o.groupId };
      // beside the broker, Connect (its plugins) runs on a thread of its own; task.isolation=none keeps it on this loop
      const c = o.command === 'start' && extra['task.isolation'] !== 'none' ? await connectMod.startConnectInThread(copts) : await connectMod.startConnect(copts);
      stops.push(() => c.close());
      connectUrl = c.url;
      console.log(`connect listening on ${c.url.startsWith('https:') ? `${c.url.slice('https://'.length)} (https)` : `${o.host}:${c.port}`}`);
    }
    if (uiMod) {
      const u = await uiMod.startUi({ bootstrap, host: o.host, port: o.uiPort, logger: logs.component('ui'), registryUrl, connectUrl, dataDir: path.resolve(o.dataDir), brokerAdminUrls: adminUrls, mirrorConnectUrls: o.mirrorConnect, config: componentConfig(o.command, extra, 'ui') });
      stops.push(() => u.close());
      console.log(`ui listening on ${u.url.startsWith('https:') ? `${u.url.slice('https://'.length)} (https)` : `${o.host}:${u.port}`}`);
    }
  } catch (e) {
    // The CLI prints the reason and exits with the error's exitCode (a component's config error says 2).
    for (const s of stops.reverse()) await s().catch(() => undefined);
    throw e;
  }

  ready = true;
  if (pendingSignal) void shutdown(pendingSignal);
}
