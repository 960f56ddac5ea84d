// Basic auth on Connect's REST API as Kafka's BasicAuthSecurityRestExtension:
//   rest.extension.classes=org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension
// with the JAAS file (java.security.auth.login.config, or -Djava.security.auth.login.config=
// in KAFKA_OPTS) whose `KafkaConnect` section names a PropertyFileLoginModule file of
// `user: password` lines. Distributed workers forward requests over Redis (distributed/),
// not over this API, so forwarding needs no credentials.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { basicCredentials, isLoopbackHost, jaasFilePath, loginModuleFile } from '../../client/jaas.ts';
import { parseProperties } from '../runtime/config-providers.ts';
import { CONNECT_ERRORS } from '../errors.ts';

export const BASIC_AUTH_EXTENSION = 'org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension';
const REALM = 'KafkaConnect';

export interface ConnectBasicAuth { users: Map<string, string> }

const configError = (msg: string) => Object.assign(new Error(msg), { exitCode: 2 });

/** From the worker's raw config: null unless rest.extension.classes names the basic auth extension. */
export function connectBasicAuthFromConfig(raw: Record<string, string>, env: NodeJS.ProcessEnv = process.env): ConnectBasicAuth | null {
  const classes = (raw['rest.extension.classes'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = classes.filter((c) => c !== BASIC_AUTH_EXTENSION && c !== 'BasicAuthSecurityRestExtension');
  if (unknown.length) throw configError(`invalid Connect worker config rest.extension.classes: unknown REST extension ${unknown.join(', ')} (known: ${BASIC_AUTH_EXTENSION})`);
  if (!classes.length) return null;
  const jaas = jaasFilePath(raw, ['KAFKA_OPTS'], env);
  if (!jaas) throw configError('rest.extension.classes=BasicAuthSecurityRestExtension needs a JAAS file: set java.security.auth.login.config or -Djava.security.auth.login.config= in KAFKA_OPTS');
  let file: string;
  let text: string;
  try {
    file = loginModuleFile(jaas, REALM);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw configError(`Connect basic auth: ${(e as NodeJS.ErrnoException).code ? `cannot read the users file: ${(e as NodeJS.ErrnoException).code}` : (e as Error).message}`);
  }
  return { users: new Map(Object.entries(parseProperties(text))) };
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

function allowed(header: string | undefined, users: Map<string, string>): boolean {
  const c = basicCredentials(header);
  if (!c) return false;
  const want = users.get(c.user);
  // constant time over equal-length digests; an unknown user costs the same
  const ok = timingSafeEqual(digest(want ?? '\u0000unknown'), digest(c.password));
  return ok && want !== undefined;
}

/** Every request needs valid credentials (as Kafka's JaasBasicAuthFilter), except the health probe. */
export function registerConnectBasicAuth(app: FastifyInstance, auth: ConnectBasicAuth): void {
  app.addHook('onRequest', async (req, reply) => {
    if (req.url.split('?')[0] === '/health') return;
    if (allowed(req.headers.authorization, auth.users)) return;
    return reply.code(401).header('www-authenticate', `Basic realm="${REALM}"`).send({ error_code: CONNECT_ERRORS.UNAUTHORIZED.code, message: 'User cannot access the resource.' });
  });
}

/** The start-up warning for a REST API reachable from other machines without authentication (null when none is due). */
export function exposureWarning(host: string, auth: ConnectBasicAuth | null): string | null {
  if (auth || isLoopbackHost(host)) return null;
  return `the Connect REST API listens on ${host} without authentication: anyone who can reach it can create connectors and read their configs; set rest.extension.classes=${BASIC_AUTH_EXTENSION} (with a JAAS KafkaConnect section) or bind to 127.0.0.1`;
}
