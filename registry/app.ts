// The registry's fastify app, apart from listen(): content types, one error handler
// shaping Confluent's error bodies, forwarding of writes to the elected leader, and
// the route plugins (one per resource).
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { err, RegistryError } from './errors.ts';
import { compatibilityRoutes } from './routes/compatibility.ts';
import { configRoutes } from './routes/config.ts';
import { schemaRoutes } from './routes/schemas.ts';
import { subjectRoutes } from './routes/subjects.ts';
import { operationsRoutes } from './routes/operations.ts';
import type { SchemaRegistry } from './service.ts';
import { registerBasicAuth, type BasicAuthOptions } from './auth.ts';

export const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const ACCEPTED_TYPES = ['application/vnd.schemaregistry.v1+json', 'application/vnd.schemaregistry+json', 'application/octet-stream'];

/** Who writes: this instance, or a leader elsewhere that writes are forwarded to. */
export interface Leadership {
  isLeader(): boolean;
  /** Base URL of the leader (http://host:port), null while unknown. */
  leaderUrl(): string | null;
}

export interface AppOptions {
  registry: SchemaRegistry;
  logger?: Logger;
  leadership?: Leadership;
  forwardTimeoutMs?: number;
  /** authentication.method=BASIC (registry/auth.ts) */
  auth?: BasicAuthOptions | null;
  /** listeners=https://…: the key and certificate chain (client/https-listener.ts) */
  https?: import('../client/https-listener.ts').HttpListener['tls'];
}

declare module 'fastify' {
  interface FastifyContextConfig { write?: boolean }
}

export function buildApp(options: AppOptions): FastifyInstance {
  const app = Fastify({
    ...(options.https ? { https: options.https } : {}),
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 16 * 1024 * 1024,
    // subjects may contain characters clients percent-encode, such as '/'
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 4096 },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
    // errors fastify raises before routing (a malformed percent-encoding in the URL)
    // get Confluent's body too, not fastify's {"statusCode","error",…}
    frameworkErrors: (e, _req, reply: FastifyReply) => { reply.status(400).send({ error_code: 400, message: e.message }); },
  });
  const { registry } = options;
  if (options.auth) registerBasicAuth(app as unknown as FastifyInstance, options.auth);

  const parseJson = (_req: FastifyRequest, body: string, done: (e: Error | null, v?: unknown) => void) => {
    if (!body.trim()) { done(null, {}); return; }
    try { done(null, JSON.parse(body)); } catch (e) {
      done(new RegistryError('BAD_REQUEST', `Unexpected character in JSON body: ${(e as Error).message}`));
    }
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', ...ACCEPTED_TYPES], { parseAs: 'string' }, parseJson);
  // curl -d sends form encoding by default; Confluent reads any body as JSON too
  app.addContentTypeParser('*', { parseAs: 'string' }, parseJson);

  // callback-style hooks (here and in routes/operations.ts): an async hook costs a promise per request
  app.addHook('onSend', (_req, reply, payload, done) => {
    const ct = reply.getHeader('content-type');
    if (typeof ct === 'string' && ct.startsWith('application/json')) reply.header('content-type', CONTENT_TYPE);
    done(null, payload);
  });

  app.setErrorHandler((e: Error & { statusCode?: number; code?: string; validation?: unknown }, req, reply) => {
    if (e instanceof RegistryError) {
      if (e.statusCode >= 500) req.log.error({ err: e }, 'registry error');
      return reply.status(e.statusCode).send({ error_code: e.errorCode, message: e.message });
    }
    if (e.validation) return reply.status(422).send({ error_code: 422, message: e.message });
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.status(e.statusCode).send({ error_code: e.statusCode, message: e.message });
    }
    req.log.error({ err: e }, 'unexpected error');
    return reply.status(500).send({ error_code: 500, message: `Internal Server Error: ${e.message}` });
  });

  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ error_code: 404, message: `HTTP 404 Not Found: ${req.method} ${req.url.split('?')[0]}` });
  });

  if (options.leadership) {
    const leadership = options.leadership;
    const timeout = options.forwardTimeoutMs ?? 10000;
    app.addHook('preHandler', async (req, reply) => {
      if (!req.routeOptions.config?.write || leadership.isLeader()) return;
      await forward(req, reply, leadership, timeout);
      await registry.store.sync();
      return reply;
    });
  }

  app.register(operationsRoutes, { registry, isLeader: () => options.leadership?.isLeader() ?? true });
  app.get('/', async () => ({}));
  app.get('/contexts', async () => ['.']);
  app.register(subjectRoutes, { registry });
  app.register(schemaRoutes, { registry });
  app.register(configRoutes, { registry });
  app.register(compatibilityRoutes, { registry });
  return app as unknown as FastifyInstance;
}

async function forward(req: FastifyRequest, reply: FastifyReply, leadership: Leadership, timeoutMs: number): Promise<void> {
  const url = leadership.leaderUrl();
  if (!url || req.headers['x-tributary-forwarded']) throw err.unknownLeader();
  let res: Response;
  try {
    res = await fetch(url + req.url, {
      method: req.method,
      headers: { 'content-type': CONTENT_TYPE, accept: CONTENT_TYPE, 'x-tributary-forwarded': '1', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) },
      body: req.method === 'GET' || req.method === 'DELETE' ? undefined : JSON.stringify(req.body ?? {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw err.forwarding(`${url}: ${(e as Error).message}`);
  }
  const text = await res.text();
  reply.status(res.status).header('content-type', res.headers.get('content-type') ?? CONTENT_TYPE).send(text);
}
