// What every admin subcommand (topic, group, produce, consume, schema, connector)
// shares: its flags, --help text, human tables or --output json, and exit codes
// that mean something:
//   0 done · 1 the cluster or service refused or failed · 2 bad usage ·
//   3 what was named does not exist · 4 cannot reach the broker / registry / Connect.
import fs from 'node:fs';
import { parseConfigFile } from '../../server/config.ts';
import { UsageError } from '../errors.ts';
import { summarizeKafkaError } from '../../client/admin-errors.ts';
import type { ClientConfig } from '../../client/index.ts';
import { ClusterAdmin } from '../../client/admin-cluster.ts';

export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, NOT_FOUND: 3, UNREACHABLE: 4 } as const;

/** An error that ends the command with its exit code and a one-line reason. */
export class CommandError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.FAILED) { super(message); }
}

export const COMMON_FLAGS = `common options:
  --bootstrap HOST:PORT   broker (default localhost:9092)
  --registry URL          schema registry (default http://localhost:8081)
  --connect URL           Connect REST (default http://localhost:8083)
  --command-config FILE   client settings by Kafka's names (client.id, request.timeout.ms, security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.location, …)
  --output table|json     human tables (default) or JSON for scripts
  -h, --help              this help
exit codes: 0 done, 1 refused or failed, 2 bad usage, 3 not found, 4 unreachable`;

export interface FlagSpec {
  /** takes a value (else a switch) */
  value?: boolean;
  /** may be given more than once (values collected) */
  repeat?: boolean;
}

export interface Parsed {
  positional: string[];
  flags: Map<string, string[]>;
  bootstrap: string;
  registry: string;
  connect: string;
  json: boolean;
  clientProps: Record<string, string>;
  has(flag: string): boolean;
  get(flag: string): string | undefined;
  all(flag: string): string[];
  int(flag: string): number | undefined;
}

const COMMON: Record<string, FlagSpec> = {
  '--bootstrap': { value: true }, '--bootstrap-server': { value: true }, '--registry': { value: true }, '--connect': { value: true },
  '--command-config': { value: true }, '--output': { value: true }, '-o': { value: true },
};

/** Parses `argv` against the command's flags plus the common ones; `--help` throws HelpRequested. */
export function parse(argv: string[], spec: Record<string, FlagSpec>, help: string): Parsed {
  const all = { ...COMMON, ...spec };
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    if (a === '-h' || a === '--help') throw new HelpRequested(help);
    if (a === '--') { positional.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('-') || a === '-') { positional.push(a); continue; }
    let val: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) { val = a.slice(eq + 1); a = a.slice(0, eq); }
    const s = all[a];
    if (!s) throw new UsageError(`unknown option ${a} (see --help)`);
    if (s.value) {
      if (val === undefined) { val = argv[++i]; if (val === undefined) throw new UsageError(`${a} needs a value`); }
    } else if (val !== undefined) throw new UsageError(`${a} takes no value`);
    const l = flags.get(a) ?? [];
    if (l.length && !s.repeat && s.value) throw new UsageError(`${a} given twice`);
    l.push(val ?? 'true');
    flags.set(a, l);
  }
  const get = (f: string) => flags.get(f)?.at(-1);
  const output = get('--output') ?? get('-o') ?? 'table';
  if (output !== 'table' && output !== 'json') throw new UsageError(`--output expects table or json, got ${JSON.stringify(output)}`);
  const clientProps: Record<string, string> = {};
  const cc = get('--command-config');
  if (cc) {
    let text: string;
    try { text = fs.readFileSync(cc, 'utf8'); } catch (e) { throw new UsageError(`cannot read --command-config ${cc}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
    for (const [k, v] of parseConfigFile(text, cc)) clientProps[k] = v;
  }
  const int = (f: string) => {
    const v = get(f);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v)) throw new UsageError(`${f} expects an integer, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  return {
    positional, flags,
    bootstrap: get('--bootstrap') ?? get('--bootstrap-server') ?? clientProps['bootstrap.servers'] ?? 'localhost:9092',
    registry: (get('--registry') ?? 'http://localhost:8081').replace(/\/$/, ''),
    connect: (get('--connect') ?? 'http://localhost:8083').replace(/\/$/, ''),
    json: output === 'json',
    clientProps,
    has: (f) => flags.has(f), get, all: (f) => flags.get(f) ?? [], int,
  };
}

export class HelpRequested extends Error {
  readonly exitCode = 0;
  constructor(readonly text: string) { super(''); }
}

/** The client settings for the internal Kafka client. */
export function clientConfig(p: Parsed, clientId = 'tributary-cli'): ClientConfig {
  const timeout = p.clientProps['request.timeout.ms'];
  return {
    bootstrap: p.bootstrap, clientId: p.clientProps['client.id'] ?? clientId,
    requestTimeoutMs: timeout ? Number(timeout) : 10_000, retries: 2,
    // security.protocol, sasl.*, ssl.* by Kafka's names, as Kafka's tools take them
    security: p.clientProps,
  };
}

/** Runs a subcommand: help, usage errors, and Kafka/HTTP errors to exit codes. */
export async function runCommand(argv: string[], fn: (argv: string[]) => Promise<void>): Promise<void> {
  try {
    await fn(argv);
  } catch (e) {
    if (e instanceof HelpRequested) { process.stdout.write(e.text.trimEnd() + '\n\n' + COMMON_FLAGS + '\n'); return; }
    if (e instanceof UsageError || e instanceof CommandError) throw e;
    throw kafkaFailure(e);
  }
}

type AdminSubcommand = (p: Parsed, admin: ClusterAdmin, args: string[]) => Promise<void>;

/**
 * A command made of admin subcommands (topic, group, cluster, partitions): parses the
 * flags, picks the subcommand, hands it an admin client and closes the client after.
 * `aliases` maps short names (ls) to subcommands; with `args: false` any positional
 * argument after the subcommand is refused.
 */
export async function runAdminCommand(argv: string[], o: {
  command: string; flags: Record<string, FlagSpec>; help: string;
  subcommands: Record<string, AdminSubcommand>; aliases?: Record<string, string>; args?: boolean;
}): Promise<void> {
  await runCommand(argv, async () => {
    const p = parse(argv, o.flags, o.help);
    const [given, ...args] = p.positional;
    const names = Object.keys(o.subcommands);
    if (!given) throw new UsageError(`${o.command} needs a subcommand: ${names.join(', ')} (see --help)`);
    const name = o.aliases?.[given] ?? given;
    const sub = Object.hasOwn(o.subcommands, name) ? o.subcommands[name] : undefined;
    if (!sub) throw new UsageError(`unknown ${o.command} subcommand ${JSON.stringify(given)} (see --help)`);
    if (o.args === false && args.length) throw new UsageError(`unexpected argument ${JSON.stringify(args[0])}`);
    const admin = new ClusterAdmin(clientConfig(p));
    try {
      await sub(p, admin, args);
    } finally {
      await admin.close();
    }
  });
}

/** A Kafka client error as a one-line reason and exit code. */
export function kafkaFailure(e: unknown): CommandError {
  const s = summarizeKafkaError(e);
  const text = `${s.codes.length ? s.codes.join(', ') + ': ' : ''}${s.message}`;
  if (s.codes.some((c) => c === 'UNKNOWN_TOPIC_OR_PARTITION' || c === 'GROUP_ID_NOT_FOUND' || c === 'UNKNOWN_TOPIC_ID')) return new CommandError(text, EXIT.NOT_FOUND);
  if (s.network && !s.codes.length) return new CommandError(`cannot reach the broker: ${s.message}`, EXIT.UNREACHABLE);
  return new CommandError(text, EXIT.FAILED);
}

/** Prints rows as an aligned table (or JSON with --output json). */
export function print(p: Parsed, rows: Record<string, unknown>[], columns?: string[], json: unknown = rows): void {
  if (p.json) { process.stdout.write(JSON.stringify(json, null, 2) + '\n'); return; }
  if (!rows.length) { process.stdout.write('(none)\n'); return; }
  const cols = columns ?? Object.keys(rows[0]);
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  process.stdout.write([line(cols.map((c) => c.toUpperCase())), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n') + '\n');
}

/** Progress for long work, on stderr and only on a terminal (scripts get clean output). */
export function progress(what: string, done: number, total?: number): void {
  if (!process.stderr.isTTY) return;
  process.stderr.write(`\r${what}: ${done}${total ? `/${total}` : ''}   `);
}
export function progressDone(): void { if (process.stderr.isTTY) process.stderr.write('\n'); }

/** HTTP JSON call to the registry or Connect; errors carry their exit code. */
export async function http(base: string, method: string, path: string, body?: unknown, what = 'service'): Promise<{ status: number; body: any }> {
  let res: Response;
  try {
    res = await fetch(base + path, {
      method, headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    throw new CommandError(`cannot reach the ${what} at ${base}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}`, EXIT.UNREACHABLE);
  }
  const text = await res.text();
  let parsed: any = text;
  try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (res.status >= 400) {
    const msg = typeof parsed === 'object' && parsed?.message ? parsed.message : text || res.statusText;
    throw new CommandError(`${what} answered ${res.status}: ${msg}`, res.status === 404 ? EXIT.NOT_FOUND : EXIT.FAILED);
  }
  return { status: res.status, body: parsed };
}

/** `name=value` pairs of a repeatable flag. */
export function pairs(p: Parsed, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of p.all(flag)) {
    const k = s.indexOf('=');
    if (k <= 0) throw new UsageError(`${flag} expects name=value, got ${JSON.stringify(s)}`);
    out[s.slice(0, k).trim()] = s.slice(k + 1).trim();
  }
  return out;
}
