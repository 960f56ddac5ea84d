// One logger configuration for every component: JSON lines (pino) when stdout is
// not a terminal, one readable line per entry on a terminal (pino-pretty), a level
// for all and optionally per component: `--log-level info,connect=debug,broker=warn`.
import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import { UsageError } from './errors.ts';

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

export interface LogLevels {
  root: string;
  components: Map<string, string>;
}

/** Parses `LEVEL[,component=LEVEL…]`; a bad level is a usage error naming it. */
export function parseLogLevels(spec: string): LogLevels {
  const out: LogLevels = { root: 'info', components: new Map() };
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const [comp, level] = eq > 0 ? [part.slice(0, eq).trim(), part.slice(eq + 1).trim()] : [null, part];
    if (!LEVELS.has(level)) throw new UsageError(`--log-level: unknown level ${JSON.stringify(level)} (trace|debug|info|warn|error|fatal|silent)`);
    if (comp) out.components.set(comp, level); else out.root = level;
  }
  return out;
}

/** The lowest (most verbose) of the levels, so a component's child may log below the root. */
function lowest(l: LogLevels): string {
  const order = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
  let i = order.indexOf(l.root);
  for (const v of l.components.values()) i = Math.min(i, order.indexOf(v));
  return order[i];
}

export interface PlatformLogger {
  root: Logger;
  /** the logger a component gets, at its own level when one is given */
  component(name: string): Logger;
}

/**
 * Builds the process's logger. `pretty` defaults to stdout being a terminal;
 * LOG_FORMAT=json or LOG_FORMAT=pretty overrides it.
 */
export function createLogger(spec: string, opts: { pretty?: boolean } = {}): PlatformLogger {
  quietThirdPartyNotices();
  const levels = parseLogLevels(spec);
  const fmt = process.env.LOG_FORMAT;
  const usePretty = opts.pretty ?? (fmt === 'pretty' ? true : fmt === 'json' ? false : !!process.stdout.isTTY);
  const base = { level: lowest(levels), base: { pid: process.pid } };
  const root = usePretty
    // loaded only for a terminal: JSON output (services, tests) does not pay for it
    ? pino(base, (createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty)({ colorize: !!process.stdout.isTTY, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true }))
    : pino(base);
  const top = root.child({}, { level: levels.root });
  return {
    root: top,
    component: (name) => root.child({ component: name }, { level: levels.components.get(name) ?? levels.root }),
  };
}

/**
 * Notices a library prints at every start without being asked. The AWS SDK warns on
 * each S3 client that Node < 22 will lose support; the user did not ask for it and
 * cannot act on it from here (its documented switch turns it off).
 */
export function quietThirdPartyNotices(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
