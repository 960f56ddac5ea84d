// JAAS configuration as Java reads it: files named by -Djava.security.auth.login.config
// (Confluent's registry, Connect's basic auth) and the `sasl.jaas.config` client setting.
//   SchemaRegistry-Props {
//     org.eclipse.jetty.jaas.spi.PropertyFileLoginModule required
//     file="/etc/schema-registry/password.properties" debug="false";
//   };
import { readFileSync } from 'node:fs';

export interface JaasLoginModule { loginModule: string; flag: string; options: Record<string, string> }

export class JaasConfigError extends Error {}

/** Parses `Name { module flag key="value" ...; ... };` sections (comments allowed). */
export function parseJaasConfig(text: string): Map<string, JaasLoginModule[]> {
  const src = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:"])\/\/[^\n]*/g, '$1').replace(/^\s*#[^\n]*/gm, '');
  const tokens = [...src.matchAll(/"((?:[^"\\]|\\.)*)"|([{};=])|([^\s{};="]+)/g)].map((m) => (m[1] !== undefined ? { s: m[1].replace(/\\(.)/g, '$1'), q: true } : { s: m[2] ?? m[3], q: false }));
  const out = new Map<string, JaasLoginModule[]>();
  let i = 0;
  const next = (what: string) => { const t = tokens[i++]; if (!t) throw new JaasConfigError(`JAAS config ends early: expected ${what}`); return t; };
  while (i < tokens.length) {
    const name = next('a section name').s;
    if (next('{').s !== '{') throw new JaasConfigError(`JAAS config: expected { after ${name}`);
    const modules: JaasLoginModule[] = [];
    for (;;) {
      const t = next('a login module or }');
      if (!t.q && t.s === '}') break;
      const flag = next('a control flag').s;
      if (!['required', 'requisite', 'sufficient', 'optional'].includes(flag.toLowerCase())) throw new JaasConfigError(`JAAS config ${name}: bad control flag ${flag} for ${t.s}`);
      const options: Record<string, string> = {};
      for (;;) {
        const k = next('an option or ;');
        if (!k.q && k.s === ';') break;
        if (next('=').s !== '=') throw new JaasConfigError(`JAAS config ${name}: expected = after ${k.s}`);
        options[k.s] = next('a value').s;
      }
      modules.push({ loginModule: t.s, flag: flag.toLowerCase(), options });
    }
    if (tokens[i]?.s === ';' && !tokens[i].q) i++;
    out.set(name, modules);
  }
  return out;
}

/**
 * Where the JAAS file is: the config `java.security.auth.login.config`, else the
 * `-Djava.security.auth.login.config=` flag in one of the given environment variables
 * (SCHEMA_REGISTRY_OPTS, KAFKA_OPTS, as the Java launch scripts read them).
 */
export function jaasFilePath(config: Record<string, string | undefined>, envVars: string[], env: NodeJS.ProcessEnv = process.env): string | null {
  const direct = config['java.security.auth.login.config'];
  if (direct) return direct;
  for (const v of envVars) {
    const m = env[v]?.match(/-Djava\.security\.auth\.login\.config=(?:"([^"]+)"|'([^']+)'|(\S+))/);
    if (m) return m[1] ?? m[2] ?? m[3];
  }
  return null;
}

/** The `file=` option of the section's login module: where its users are. */
export function loginModuleFile(jaasPath: string, section: string): string {
  let text: string;
  try { text = readFileSync(jaasPath, 'utf8'); } catch (e) {
    throw new JaasConfigError(`cannot read JAAS file ${jaasPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const modules = parseJaasConfig(text).get(section);
  if (!modules?.length) throw new JaasConfigError(`JAAS file ${jaasPath} has no ${section} section`);
  const file = modules.find((m) => m.options.file)?.options.file;
  if (!file) throw new JaasConfigError(`JAAS file ${jaasPath}: the ${section} login module names no file=`);
  return file;
}

/** The user and password of an `Authorization: Basic ...` header; null when it is missing or malformed. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | null {
  const m = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Whether a bind address only accepts local connections. */
export const isLoopbackHost = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');
