// The flags every `tributary` command shares (ARCHITECTURE.md, "Process model and command line").
// A subcommand with flags of its own parses them itself and may reuse `port()` and `UsageError`.
import fs from 'node:fs';
import { parseConfigFile } from '../server/config.ts';
import { UsageError } from './errors.ts';

export const COMMON_OPTIONS = `  --data-dir DIR         data directory (default ./data)
  --host HOST            listen address (default 127.0.0.1)
  --kafka-port N         Kafka protocol port (default 9092; 0 = any free port)
  --registry-port N      schema registry port (default 8081)
  --connect-port N       Connect REST port (default 8083)
  --ui-port N            admin UI port (default 8080)
  --admin-port N         broker admin HTTP port: /metrics, /health, /ready (default 9644;
                         0 = any free port, the default when --kafka-port is 0)
  --bootstrap HOST:PORT  broker to use (registry, connect, ui)
  --registry URL         schema registry URL (ui, connect)
  --connect URL          Connect REST URL (ui)
  --mirror-connect URL,... more Connect workers whose MirrorMaker 2 flows the UI shows
                         (ui; tributary mirror runs one worker per flow)
  --admin-urls URL,...   brokers' admin HTTP URLs whose /metrics the UI charts (ui;
                         default: each broker's host on port 9644)
  --redis URL            distributed Connect through Redis (connect; mirror: each flow's
                         group <source>-mm2, shared by every mirror process)
  --group-id NAME        Connect cluster name (with --redis)
  --config FILE          Kafka-style .properties or JSON config file
  --set name=value       any config by its Kafka name (repeatable)
  --node-id N            this broker's node.id (a cluster: one per broker)
  --metadata-store URL   cluster metadata in PostgreSQL (postgres://USER@HOST:PORT/DB):
                         brokers sharing one database form one cluster (metadata.store.url)
  --log-level LEVEL      trace|debug|info|warn|error (default info); per component:
                         --log-level info,connect=debug,broker=warn`;

/** Flags that take a value (so the CLI can tell a flag's value from the command name). */
export const VALUE_FLAGS = new Set(['--data-dir', '--host', '--kafka-port', '--registry-port', '--connect-port', '--ui-port', '--admin-port',
  '--bootstrap', '--registry', '--connect', '--admin-urls', '--mirror-connect', '--redis', '--group-id', '--log-level', '--config', '--set',
  '--node-id', '--metadata-store']);

export interface CliOptions {
  command: string;
  dataDir: string;
  host: string;
  kafkaPort: number;
  registryPort: number;
  connectPort: number;
  uiPort: number;
  /** unset: 9644, or 0 when --kafka-port is 0 */
  adminPort?: number;
  bootstrap?: string;
  registry?: string;
  connect?: string;
  /** --admin-urls: the brokers' admin URLs (ui) */
  adminUrls?: string[];
  /** --mirror-connect: Connect workers running MM2 flows (ui) */
  mirrorConnect?: string[];
  redis?: string;
  groupId?: string;
  logLevel: string;
  /** --config files then --set pairs, in order: later wins */
  pairs: [string, string][];
  /** --host / --kafka-port given on the command line (with `listeners` set they replace the first listener's) */
  hostGiven?: boolean;
  kafkaPortGiven?: boolean;
}

export function port(flag: string, v: string | undefined): number {
  if (v === undefined || !/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError(`${flag} expects a port number 0-65535, got ${JSON.stringify(v ?? '')}`);
  return Number(v);
}

/** Parses the common flags of `command`; `argv` is everything but the command name. */
export function parseArgs(command: string, argv: string[]): CliOptions {
  const o: CliOptions = {
    command, dataDir: './data', host: '127.0.0.1', kafkaPort: 9092, registryPort: 8081, connectPort: 8083, uiPort: 8080,
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
      case '--host': o.host = next(); o.hostGiven = true; break;
      case '--kafka-port': o.kafkaPort = port(a, next()); o.kafkaPortGiven = true; break;
      case '--registry-port': o.registryPort = port(a, next()); break;
      case '--connect-port': o.connectPort = port(a, next()); break;
      case '--ui-port': o.uiPort = port(a, next()); break;
      case '--admin-port': o.adminPort = port(a, next()); break;
      case '--bootstrap': o.bootstrap = next(); break;
      case '--registry': o.registry = next(); break;
      case '--connect': o.connect = next(); break;
      case '--admin-urls': o.adminUrls = next().split(',').map((u) => u.trim()).filter(Boolean); break;
      case '--mirror-connect': o.mirrorConnect = next().split(',').map((u) => u.trim()).filter(Boolean); break;
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
      case '--node-id': {
        const v = next();
        if (!/^\d+$/.test(v)) throw new UsageError(`--node-id expects a non-negative integer, got ${JSON.stringify(v)}`);
        sets.push(['node.id', v]);
        break;
      }
      case '--metadata-store': {
        const v = next();
        if (!/^postgres(ql)?:\/\//.test(v)) throw new UsageError(`--metadata-store expects a postgres://USER@HOST:PORT/DB URL, got ${JSON.stringify(v)}`);
        sets.push(['metadata.store.url', v]);
        break;
      }
      case '-h': case '--help': throw new UsageError('');
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
        throw new UsageError(`unexpected argument ${JSON.stringify(a)}`);
    }
  }
  for (const f of files) {
    let text: string;
    try { text = fs.readFileSync(f, 'utf8'); } catch (e) { throw new UsageError(`cannot read --config ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
    o.pairs.push(...parseConfigFile(text, f));
  }
  o.pairs.push(...sets);
  return o;
}
