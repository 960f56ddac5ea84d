// HTTP basic auth as Confluent's registry does it (rest-utils on Jetty's JAAS):
//   authentication.method=BASIC
//   authentication.realm=SchemaRegistry-Props      (the JAAS file's section)
//   authentication.roles=admin,readonly            (roles let in at all; * = any)
// and the JAAS file from java.security.auth.login.config or -Djava.security.auth.login.config=
// in SCHEMA_REGISTRY_OPTS / KAFKA_OPTS, whose PropertyFileLoginModule names a file of
// `user: password,role...` lines (Jetty's PropertyUserStore, with OBF:/MD5: passwords).
// Tributary's rule for the role `readonly`: reads only (GET, lookups, compatibility checks).
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { basicCredentials, isLoopbackHost, jaasFilePath, loginModuleFile } from '../client/jaas.ts';

export { isLoopbackHost };

export interface RegistryUser { name: string; credential: string; roles: string[] }

export interface BasicAuthOptions {
  realm: string;
  /** Roles let in; empty or ['*'] = any authenticated user. */
  roles: string[];
  users: Map<string, RegistryUser>;
}

export class RegistryAuthError extends Error { readonly exitCode = 2; }

/** Jetty's Password.deobfuscate: the `OBF:` form (obfuscation, not encryption). */
export function deobfuscate(s: string): string {
  if (s.startsWith('OBF:')) s = s.slice(4);
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i += 4) {
    if (s[i] === 'U') {
      i++;
      bytes.push((parseInt(s.slice(i, i + 4), 36) >> 8) & 0xff);
    } else {
      const n = parseInt(s.slice(i, i + 4), 36);
      bytes.push(((Math.floor(n / 256) + (n % 256) - 254) / 2) & 0xff);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Jetty's Password.obfuscate (what `java org.eclipse.jetty.util.security.Password user pw` prints). */
export function obfuscate(s: string): string {
  const b = Buffer.from(s, 'utf8');
  let out = 'OBF:';
  for (let i = 0; i < b.length; i++) {
    const b1 = b[i] << 24 >> 24;
    const b2 = b[b.length - (i + 1)] << 24 >> 24;
    if (b1 < 0 || b2 < 0) {
      const x = ((0xff & b1) * 256 + (0xff & b2)).toString(36);
      out += 'U0000'.slice(0, 5 - x.length) + x;
    } else {
      const x = ((127 + b1 + b2) * 256 + (127 + b1 - b2)).toString(36);
      out += '000'.slice(0, 4 - x.length) + x;
    }
  }
  return out;
}

/** Reads a Jetty PropertyUserStore file: `user: password[,role...]` per line. */
export function loadUsers(file: string): Map<string, RegistryUser> {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new RegistryAuthError(`cannot read the registry's users file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const users = new Map<string, RegistryUser>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const m = line.match(/^([^:=\s]+)\s*[:=\s]\s*(.*)$/);
    if (!m) continue;
    const [credential, ...roles] = m[2].split(',').map((s) => s.trim());
    if (credential.startsWith('CRYPT:')) throw new RegistryAuthError(`users file ${file}: user ${m[1]} has a CRYPT: password, which Tributary cannot check; use MD5:, OBF: or plain`);
    users.set(m[1], { name: m[1], credential, roles: roles.filter(Boolean) });
  }
  return users;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
const DUMMY = { name: '', credential: 'MD5:00000000000000000000000000000000', roles: [] };

/** Checks a password against a stored credential in constant time (over equal-length digests). */
export function checkCredential(stored: string, password: string): boolean {
  let want: string, got: string;
  if (stored.startsWith('MD5:')) { want = stored.slice(4).toLowerCase(); got = createHash('md5').update(password, 'utf8').digest('hex'); }
  else if (stored.startsWith('OBF:')) { want = deobfuscate(stored); got = password; }
  else { want = stored; got = password; }
  return timingSafeEqual(digest(want), digest(got));
}

/** Builds the options from the registry config; null when authentication.method is NONE. */
export function basicAuthFromConfig(config: { 'authentication.method': string; 'authentication.realm': string; 'authentication.roles': string; 'java.security.auth.login.config': string }, env: NodeJS.ProcessEnv = process.env): BasicAuthOptions | null {
  if (config['authentication.method'] !== 'BASIC') return null;
  const realm = config['authentication.realm'];
  if (!realm) throw new RegistryAuthError('invalid value for authentication.realm: "" (BASIC needs the JAAS section name, e.g. SchemaRegistry-Props)');
  const jaas = jaasFilePath({ 'java.security.auth.login.config': config['java.security.auth.login.config'] }, ['SCHEMA_REGISTRY_OPTS', 'KAFKA_OPTS'], env);
  if (!jaas) throw new RegistryAuthError('authentication.method=BASIC needs a JAAS file: set java.security.auth.login.config or -Djava.security.auth.login.config= in SCHEMA_REGISTRY_OPTS');
  let file: string;
  try { file = loginModuleFile(jaas, realm); } catch (e) { throw new RegistryAuthError((e as Error).message); }
  const roles = config['authentication.roles'].split(',').map((s) => s.trim()).filter(Boolean);
  return { realm, roles, users: loadUsers(file) };
}

/** Requests role `readonly` may make: reads, lookups (POST /subjects/{s}) and compatibility checks. */
export function isReadRequest(method: string, route: string | undefined): boolean {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return true;
  if (method !== 'POST' || !route) return false;
  return route === '/subjects/:subject' || route.startsWith('/compatibility/');
}

/** Probes carry no data and stay open (Kubernetes, load balancers). */
const OPEN = new Set(['/health', '/ready']);

/** Adds the onRequest hook: 401 without valid credentials, 403 for a role that may not do this. */
export function registerBasicAuth(app: FastifyInstance, auth: BasicAuthOptions): void {
  const anyRole = !auth.roles.length || auth.roles.includes('*');
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (OPEN.has(req.url.split('?')[0])) return;
    const user = authenticate(req.headers.authorization, auth.users);
    if (!user) {
      return reply.code(401).header('www-authenticate', `Basic realm="${auth.realm}"`).send({ error_code: 401, message: 'Unauthorized' });
    }
    const roles = anyRole ? user.roles : user.roles.filter((r) => auth.roles.includes(r));
    if (!anyRole && !roles.length) return reply.code(403).send({ error_code: 403, message: `User ${user.name} has none of the roles ${auth.roles.join(', ')}` });
    const writer = roles.some((r) => r !== 'readonly') || (anyRole && !user.roles.length);
    if (!writer && !isReadRequest(req.method, req.routeOptions.url)) {
      return reply.code(403).send({ error_code: 403, message: `User ${user.name} with role readonly may not ${req.method} ${req.url.split('?')[0]}` });
    }
  });
}

function authenticate(header: string | undefined, users: Map<string, RegistryUser>): RegistryUser | null {
  const c = basicCredentials(header);
  if (!c) return null;
  const user = users.get(c.user);
  // an unknown user costs the same check as a known one
  const ok = checkCredential((user ?? DUMMY).credential, c.password);
  return ok && user ? user : null;
}

/** The start-up warning for a registry reachable from other machines without authentication (null when none is due). */
export function exposureWarning(host: string, auth: BasicAuthOptions | null): string | null {
  if (auth || isLoopbackHost(host)) return null;
  return `the schema registry listens on ${host} without authentication: anyone who can reach it can change and delete schemas; set authentication.method=BASIC (with authentication.realm and a JAAS file) or bind to 127.0.0.1`;
}
