// HTTP basic auth as Confluent's registry does it (rest-utils on Jetty's JAAS):
//   authentication.method=BASIC
//   authentication.realm=SchemaRegistry-Props      (the JAAS file's section)
//   authentication.roles=admin,readonly            (roles let in at all; * = any)
// and the JAAS file from java.security.auth.login.config or -Djava.security.auth.login.config=
// in SCHEMA_REGISTRY_OPTS / KAFKA_OPTS, whose PropertyFileLoginModule names a file of
// `user: password,role...` lines (Jetty's PropertyUserStore, with OBF:/MD5: passwords).
// Tributary's rule for the role `readonly`: reads only (GET, lookups, compatibility checks).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { basicCredentials, isLoopbackHost, jaasFilePath, loginModuleFile } from '../client/jaas.ts';

export { isLoopbackHost };
export { obfuscate, deobfuscate, checkCredential, type PropertyUser as RegistryUser } from '../client/property-users.ts';
import { checkCredential, DUMMY_USER, loadPropertyUsers, type PropertyUser } from '../client/property-users.ts';

/** Reads the registry's Jetty PropertyUserStore file (a bad file stops the registry: exit 2). */
export function loadUsers(file: string): Map<string, PropertyUser> {
  try { return loadPropertyUsers(file, "the registry's users file"); } catch (e) { throw new RegistryAuthError((e as Error).message); }
}


export interface BasicAuthOptions {
  realm: string;
  /** Roles let in; empty or ['*'] = any authenticated user. */
  roles: string[];
  users: Map<string, PropertyUser>;
}

export class RegistryAuthError extends Error { readonly exitCode = 2; }

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

function authenticate(header: string | undefined, users: Map<string, PropertyUser>): PropertyUser | null {
  const c = basicCredentials(header);
  if (!c) return null;
  const user = users.get(c.user);
  // an unknown user costs the same check as a known one
  const ok = checkCredential((user ?? DUMMY_USER).credential, c.password);
  return ok && user ? user : null;
}

/** The start-up warning for a registry reachable from other machines without authentication (null when none is due). */
export function exposureWarning(host: string, auth: BasicAuthOptions | null): string | null {
  if (auth || isLoopbackHost(host)) return null;
  return `the schema registry listens on ${host} without authentication: anyone who can reach it can change and delete schemas; set authentication.method=BASIC (with authentication.realm and a JAAS file) or bind to 127.0.0.1`;
}
