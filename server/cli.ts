// `tributary` command line: subcommands and flags from ARCHITECTURE.md.
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { loadBrokerConfig, parseConfigFile, ConfigError } from './config.ts';
import { Broker } from './broker.ts';

const USAGE = `usage: tributary <start|broker|registry|connect|ui> [options]

  --data-dir DIR         data directory (default ./data)
  --host HOST            listen address (default 127.0.0.1)
  --kafka-port N         Kafka protocol port (default 9092; 0 = any free port)
  --registry-port N      schema registry port (default 8081)
  --connect-port N       Connect REST port (default 8083)
  --ui-port N            admin UI port (default 8080)
  --bootstrap HOST:PORT  broker to use (registry, connect, ui)
  --registry URL         schema registry URL (ui, connect)
  --connect URL          Connect REST URL (ui)
  --redis URL            distributed Connect through Redis
  --group-id NAME        Connect cluster name (with --redis)
  --config FILE          Kafka-style .properties or JSON config file
  --set name=value       any config by its Kafka name (repeatable)
  --log-level LEVEL      trace|debug|info|warn|error (default info)`;

export interface CliOptions {
  command: string;
  dataDir: string;
  host: string;
  kafkaPort: number;
  registryPort: number;
  connectPort: number;
  uiPort: number;
  bootstrap?: string;
  registry?: string;
  connect?: string;
  redis?: string;
  groupId?: string;
  logLevel: string;
  pairs: [string, string][];
}

export class UsageError extends Error {}

const COMMANDS = new Set(['start', 'broker', 'registry', 'connect', 'ui']);

function port(flag: string, v: string | undefined): number {
  if (v === undefined || !/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError(`${flag} expects a port number 0-65535, got ${JSON.stringify(v ?? '')}`);
  return Number(v);
}

export function parseArgs(argv: string[]): CliOptions {
  const o: CliOptions = {
    command: '', dataDir: './data', host: '127.0.0.1', kafkaPort: 9092, registryPort: 8081, connectPort: 8083, uiPort: 8080,
    logLevel: process.env.LOG_LEVEL ?? 'info', pairs: [],
  };
  const files: string[] = [];
  const sets: [string, string][] = [];
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let val: string | undefined;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    if (eq > 0) { val = a.slice(eq + 1); a = a.slice(0, eq); }
    const next = () => { if (val !== undefined) return val; const v = argv[++i]; if (v === undefined) throw new UsageError(`${a} needs a value`); return v; };
    switch (a) {
      case '--data-dir': o.dataDir = next(); break;
      case '--host': o.host = next(); break;
      case '--kafka-port': o.kafkaPort = port(a, next()); break;
      case '--registry-port': o.registryPort = port(a, next()); break;
      case '--connect-port': o.connectPort = port(a, next()); break;
      case '--ui-port': o.uiPort = port(a, next()); break;
      case '--bootstrap': o.bootstrap = next(); break;
      case '--registry': o.registry = next(); break;
      case '--connect': o.connect = next(); break;
      case '--redis': o.redis = next(); break;
      case '--group-id': o.groupId = next(); break;
      case '--log-level': o.logLevel = next(); break;
      case '--config': files.push(next()); break;
      case '--set': {
        const s = next();
        const k = s.indexOf('=');
        if (k <= 0) throw new UsageError(`--set expects name=value, got ${JSON.stringify(s)}`);
        sets.push([s.slice(0, k).trim(), s.slice(k + 1).trim()]);
        break;
      }
      case '-h': case '--help': throw new UsageError('');
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
        if (o.command) throw new UsageError(`unexpected argument ${JSON.stringify(a)}`);
        if (!COMMANDS.has(a)) throw new UsageError(`unknown command ${JSON.stringify(a)}`);
        o.command = a;
    }
  }
  if (!o.command) throw new UsageError('missing command');
  for (const f of files) {
    let text: string;
    try { text = fs.readFileSync(f, 'utf8'); } catch (e) { throw new UsageError(`cannot read --config ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
    o.pairs.push(...parseConfigFile(text, f));
  }
  o.pairs.push(...sets);
  return o;
}

async function optionalImport(rel: string): Promise<any | null> {
  const file = new URL(rel, import.meta.url);
  if (!fs.existsSync(file)) return null;
  return import(file.href);
}

export async function main(argv: string[]): Promise<void> {
  let o: CliOptions;
  try { o = parseArgs(argv); } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) {
      if (e.message) process.stderr.write(`tributary: ${e.message}\n`); else process.stdout.write(USAGE + '\n');
      process.exit(e.message ? 2 : 0);
    }
    throw e;
  }
  const logger = pino({ level: o.logLevel, base: { pid: process.pid } });
  // The components this command runs; each may claim config names (ownsConfig) so
  // the broker does not warn about names that are not its own.
  const want = (c: string) => o.command === 'start' || o.command === c;
  let registryMod: any = null, connectMod: any = null, uiMod: any = null;
  try {
    registryMod = want('registry') ? await optionalImport('../registry/index.ts') : null;
    connectMod = want('connect') ? await optionalImport('../connectors/index.ts') : null;
    uiMod = want('ui') ? await optionalImport('../ui/server/index.ts') : null;
  } catch (e) {
    // A component that fails to load is a one-line reason and exit 1, like a failed start.
    process.stderr.write(`tributary: cannot load a component: ${(e as Error).message.split('\n')[0]}\n`);
    process.exit(1);
  }
  const owned = (name: string) => [registryMod, connectMod, uiMod].some((m) => typeof m?.ownsConfig === 'function' && m.ownsConfig(name));
  let cfg;
  try {
    // `start` is the all-in-one quick start: like Kafka's shipped server.properties it
    // does not hold a new group's first rebalance for 3 s (the registry and Connect
    // each join groups while starting). `tributary broker` keeps Kafka's default.
    const pairs: [string, string][] = o.command === 'start' && !o.pairs.some(([k]) => k === 'group.initial.rebalance.delay.ms')
      ? [['group.initial.rebalance.delay.ms', '0'], ...o.pairs] : o.pairs;
    const r = loadBrokerConfig(o.command === 'start' || o.command === 'broker' ? pairs : [], owned);
    cfg = r.config;
    for (const w of r.warnings) logger.warn(w);
  } catch (e) {
    process.stderr.write(`tributary: ${(e as Error).message}\n`);
    process.exit(2);
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
  try {
    if (o.command === 'start' || o.command === 'broker') {
      const broker = new Broker({ dataDir: o.dataDir, host: o.host, port: o.kafkaPort, config: cfg, logger: logger.child({ component: 'broker' }) });
      await broker.start();
      stops.push(() => broker.stop());
      bootstrap = `${broker.advertisedHost}:${broker.port}`;
      console.log(`kafka listening on ${o.host}:${broker.port}`);
    }
    if (!bootstrap) throw new UsageError(`${o.command} needs --bootstrap HOST:PORT`);
    let registryUrl = o.registry;
    if (o.command === 'start' || o.command === 'registry') {
      const mod = registryMod;
      if (mod) {
        const r = await mod.startRegistry({ bootstrap, host: o.host, port: o.registryPort, logger: logger.child({ component: 'registry' }), config: extra, store: 'kafka' });
        stops.push(() => r.close());
        registryUrl = `http://${o.host}:${r.port}`;
        console.log(`registry listening on ${o.host}:${r.port}`);
      } else logger.warn('schema registry is not part of this build yet');
    }
    let connectUrl = o.connect;
    if (o.command === 'start' || o.command === 'connect') {
      const mod = connectMod;
      if (mod) {
        const c = await mod.startConnect({ bootstrap, host: o.host, port: o.connectPort, logger: logger.child({ component: 'connect' }), config: extra, dataDir: path.resolve(o.dataDir), registryUrl, redis: o.redis, groupId: o.groupId });
        stops.push(() => c.close());
        connectUrl = `http://${o.host}:${c.port}`;
        console.log(`connect listening on ${o.host}:${c.port}`);
      } else logger.warn('Connect is not part of this build yet');
    }
    if (o.command === 'start' || o.command === 'ui') {
      const mod = uiMod;
      if (mod) {
        const u = await mod.startUi({ bootstrap, host: o.host, port: o.uiPort, logger: logger.child({ component: 'ui' }), registryUrl, connectUrl, dataDir: path.resolve(o.dataDir) });
        stops.push(() => u.close());
        console.log(`ui listening on ${o.host}:${u.port}`);
      } else logger.warn('the admin UI is not part of this build yet');
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const msg = err.code === 'EADDRINUSE' ? `address in use (${err.message.replace(/^.*EADDRINUSE:?\s*/, '')}): pick another port or stop what holds it` : err.message;
    process.stderr.write(`tributary: ${msg}\n`);
    for (const s of stops.reverse()) await s().catch(() => undefined);
    // Any component's config error (RegistryConfigError, ConnectConfigError, …) is a usage error: exit 2.
    process.exit(e instanceof UsageError || e instanceof ConfigError || /ConfigError$/.test((e as Error)?.constructor?.name ?? '') ? 2 : 1);
  }

  ready = true;
  if (pendingSignal) void shutdown(pendingSignal);
}
