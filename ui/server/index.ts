// The admin UI server: the built SPA plus a small JSON API under /api that reaches
// the broker only through the platform's Kafka client module (client/) and the
// registry and Connect only over HTTP.
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Logger } from 'pino';
import { DIST, ensureUiBuilt } from '../build.ts';
import type { UiContext } from './context.ts';
import { UiError } from './errors.ts';
import { KafkaGateway } from './kafka/gateway.ts';
import { AssignedRecordReader } from './kafka/partition-reader.ts';
import { SchemaDecoder } from './messages/schema-decoder.ts';
import { clusterRoutes } from './routes/cluster.ts';
import { groupRoutes } from './routes/groups.ts';
import { messageRoutes } from './routes/messages.ts';
import { topicRoutes } from './routes/topics.ts';
import { upstreamRoutes } from './routes/upstream.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { mirrorRoutes } from './routes/mirror.ts';
import { streamRoutes } from './routes/streams.ts';
import { Samplers } from './services/samplers.ts';
import { Upstream } from './services/upstream.ts';
import { staticFiles } from './static.ts';
import { loadUiConfig, type UiConfig } from './config.ts';
import { registerOpenUi, registerUiAuth } from './auth.ts';
import { listenerUrl, watchHttpsKeystore } from '../../client/https-listener.ts';
import { isLoopbackHost } from '../../client/jaas.ts';

export interface UiAppOptions {
  bootstrap: string;
  logger?: Logger;
  registryUrl?: string;
  connectUrl?: string;
  dataDir?: string;
  /** How often lag and throughput are sampled (default 10 s). */
  sampleIntervalMs?: number;
  /** More Connect workers running MirrorMaker 2 flows (`tributary mirror` runs one per flow). */
  mirrorConnectUrls?: string[];
  /** The brokers' admin URLs whose /metrics the charts read (default: each broker's host on port 9644). */
  brokerAdminUrls?: string[];
  /** Where the built SPA lives (default ui/dist). */
  distDir?: string;
  /** The UI's settings by name (ui.users.file, ui.*.basic.auth.user.info, the broker client security settings, listeners and ssl.keystore settings); see config.ts */
  config?: Record<string, string>;
  /** Already loaded settings (startUi loads them once for its listener too). */
  uiConfig?: UiConfig;
}

export async function buildApp(o: UiAppOptions): Promise<{ app: FastifyInstance; ctx: UiContext }> {
  const logger = o.logger ?? pino({ level: 'warn' });
  const cfg = o.uiConfig ?? loadUiConfig(o.config ?? {}, { host: '127.0.0.1', port: 0 });
  const gw = new KafkaGateway(o.bootstrap, logger, Object.keys(cfg.security).length ? cfg.security : undefined);
  const intervalMs = o.sampleIntervalMs ?? 10_000;
  const ctx: UiContext = {
    bootstrap: o.bootstrap,
    gw,
    reader: new AssignedRecordReader(gw),
    decoder: o.registryUrl ? new SchemaDecoder(o.registryUrl.replace(/\/+$/, ''), cfg.registryUserInfo ?? undefined) : null,
    // One hour of history at the default interval.
    samplers: new Samplers(gw, logger, { intervalMs, keep: Math.max(60, Math.ceil(3_600_000 / intervalMs)), dataDir: o.dataDir, brokerAdminUrls: o.brokerAdminUrls, connectUrl: o.connectUrl, connectUserInfo: cfg.connectUserInfo }),
    registry: new Upstream('registry', o.registryUrl, undefined, cfg.registryUserInfo),
    connect: new Upstream('connect', o.connectUrl, undefined, cfg.connectUserInfo),
    mirrorConnects: [...new Set([o.connectUrl, ...(o.mirrorConnectUrls ?? [])].filter((u): u is string => !!u).map((u) => u.replace(/\/+$/, '')))].map((u) => new Upstream('connect', u, undefined, cfg.connectUserInfo)),
    logger,
  };
  const app = Fastify({
    loggerInstance: logger.child({ component: 'ui-http' }, { level: 'warn' }) as unknown as FastifyBaseLogger, bodyLimit: 10 * 1024 * 1024,
    ...(cfg.listener.tls ? { https: cfg.listener.tls } : {}),
  }) as unknown as FastifyInstance;
  app.addContentTypeParser(/^application\/vnd\.schemaregistry(\.v1)?\+json/, { parseAs: 'string' }, (_req, body, done) => {
    try { done(null, body ? JSON.parse(body as string) : null); } catch (e) { done(e as Error, undefined); }
  });

  // One error shape for the whole API: { code, message, target? }.
  app.setErrorHandler((err: FastifyError | UiError, req, reply) => {
    if (err instanceof UiError) return reply.code(err.status).send(err.body());
    if ((err as FastifyError).validation) return reply.code(400).send({ code: 'bad_request', message: `Invalid request: ${err.message}` });
    if ((err as FastifyError).statusCode && (err as FastifyError).statusCode! < 500) {
      return reply.code((err as FastifyError).statusCode!).send({ code: 'bad_request', message: err.message });
    }
    logger.error({ err, url: req.url }, 'ui api error');
    return reply.code(500).send({ code: 'internal', message: `Unexpected error in the UI server: ${err.message}` });
  });

  await app.register(metricsRoutes);
  // login first: its onRequest hook guards every /api route registered after it
  if (cfg.users) registerUiAuth(app, { users: cfg.users, sessionTimeoutMs: cfg.sessionTimeoutMs, secure: cfg.listener.scheme === 'https' });
  else registerOpenUi(app);
  await app.register(clusterRoutes, { ctx });
  await app.register(topicRoutes, { ctx });
  await app.register(messageRoutes, { ctx });
  await app.register(groupRoutes, { ctx });
  await app.register(mirrorRoutes, { ctx });
  await app.register(streamRoutes, { ctx });
  await app.register(upstreamRoutes, { ctx });
  await app.register(staticFiles, { dist: o.distDir ?? DIST });

  app.addHook('onReady', async () => { ctx.samplers.start(); });
  app.addHook('onClose', async () => {
    await ctx.samplers.stop();
    await ctx.reader.close();
    await gw.close();
  });
  return { app, ctx };
}

export async function startUi(opts: {
  bootstrap: string; host: string; port: number; logger?: import('pino').Logger; registryUrl?: string; connectUrl?: string; dataDir?: string;
  brokerAdminUrls?: string[]; sampleIntervalMs?: number; mirrorConnectUrls?: string[]; config?: Record<string, string>;
}): Promise<{ port: number; url: string; close(): Promise<void> }> {
  const logger = opts.logger ?? pino({ level: 'warn' });
  const uiConfig = loadUiConfig(opts.config ?? {}, { host: opts.host, port: opts.port });
  const { host: bindHost } = uiConfig.listener;
  if (!uiConfig.users && !isLoopbackHost(bindHost)) logger.warn(`the admin UI listens on ${bindHost} without a login: anyone who reaches it can read and change everything; set ui.users.file (user: password,role lines) to require one`);
  try {
    const b = await ensureUiBuilt((m) => logger.info(m));
    if (b.built) logger.info({ ms: b.ms }, 'admin UI built');
  } catch (e) {
    // The API still serves; pages answer 503 naming the build command until ui/dist exists.
    logger.error({ err: e }, 'building the admin UI failed (is vite installed? run `node --import tsx ui/build.ts`)');
  }
  const interval = opts.sampleIntervalMs ?? (Number(process.env.TRIBUTARY_UI_SAMPLE_MS) || undefined);
  const { app } = await buildApp({ ...opts, logger, sampleIntervalMs: interval, uiConfig });
  await app.listen({ host: bindHost, port: uiConfig.listener.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : uiConfig.listener.port;
  const unwatch = watchHttpsKeystore(app.server, uiConfig.listener, logger);
  return { port, url: listenerUrl(uiConfig.listener, port), close: async () => { unwatch(); await app.close(); } };
}
