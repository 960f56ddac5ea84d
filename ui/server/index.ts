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
import { Samplers } from './services/samplers.ts';
import { Upstream } from './services/upstream.ts';
import { staticFiles } from './static.ts';

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
}

export async function buildApp(o: UiAppOptions): Promise<{ app: FastifyInstance; ctx: UiContext }> {
  const logger = o.logger ?? pino({ level: 'warn' });
  const gw = new KafkaGateway(o.bootstrap, logger);
  const intervalMs = o.sampleIntervalMs ?? 10_000;
  const ctx: UiContext = {
    bootstrap: o.bootstrap,
    gw,
    reader: new AssignedRecordReader(gw),
    decoder: o.registryUrl ? new SchemaDecoder(o.registryUrl.replace(/\/+$/, '')) : null,
    // One hour of history at the default interval.
    samplers: new Samplers(gw, logger, { intervalMs, keep: Math.max(60, Math.ceil(3_600_000 / intervalMs)), dataDir: o.dataDir, brokerAdminUrls: o.brokerAdminUrls, connectUrl: o.connectUrl }),
    registry: new Upstream('registry', o.registryUrl),
    connect: new Upstream('connect', o.connectUrl),
    mirrorConnects: [...new Set([o.connectUrl, ...(o.mirrorConnectUrls ?? [])].filter((u): u is string => !!u).map((u) => u.replace(/\/+$/, '')))].map((u) => new Upstream('connect', u)),
    logger,
  };
  const app = Fastify({ loggerInstance: logger.child({ component: 'ui-http' }, { level: 'warn' }) as unknown as FastifyBaseLogger, bodyLimit: 10 * 1024 * 1024 });
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
  await app.register(clusterRoutes, { ctx });
  await app.register(topicRoutes, { ctx });
  await app.register(messageRoutes, { ctx });
  await app.register(groupRoutes, { ctx });
  await app.register(mirrorRoutes, { ctx });
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
  brokerAdminUrls?: string[]; sampleIntervalMs?: number; mirrorConnectUrls?: string[];
}): Promise<{ port: number; url: string; close(): Promise<void> }> {
  const logger = opts.logger ?? pino({ level: 'warn' });
  try {
    const b = await ensureUiBuilt((m) => logger.info(m));
    if (b.built) logger.info({ ms: b.ms }, 'admin UI built');
  } catch (e) {
    // The API still serves; pages answer 503 naming the build command until ui/dist exists.
    logger.error({ err: e }, 'building the admin UI failed (is vite installed? run `node --import tsx ui/build.ts`)');
  }
  const interval = opts.sampleIntervalMs ?? (Number(process.env.TRIBUTARY_UI_SAMPLE_MS) || undefined);
  const { app } = await buildApp({ ...opts, logger, sampleIntervalMs: interval });
  await app.listen({ host: opts.host, port: opts.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const host = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  return { port, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, close: () => app.close() };
}
