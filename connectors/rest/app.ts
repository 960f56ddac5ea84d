// Kafka Connect's REST API (fastify): same paths, bodies, status codes and error
// shape {"error_code": <http status>, "message"} as Kafka Connect, so existing
// tooling works against it. buildApp() is apart from listen() for app.inject() tests.
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { Herder } from '../runtime/herder.ts';
import type { Plugins } from '../runtime/plugins.ts';
import { ConnectRestError, badRequest, notFound } from '../errors.ts';
import { keyInfo } from '../runtime/validation.ts';
import { toPinoLevel, type LogLevels } from '../runtime/log-levels.ts';
import { metricsRoutes } from './metrics.ts';
import { passwordView } from './password-view.ts';
import { registerConnectBasicAuth, type ConnectBasicAuth } from './auth.ts';
import type { ConfigDef, Connector, Props } from '../../plugins/sdk/index.ts';
import type { TargetState } from '../storage/state.ts';

export interface AppOptions {
  herder: Herder;
  plugins: Plugins;
  logger?: Logger;
  /** Dynamic log levels (KIP-495); without it /admin/loggers answers 404. */
  logLevels?: LogLevels;
  version: string;
  commit: string;
  kafkaClusterId: () => string | null;
  /** Base URL for Location headers. */
  advertisedUrl: () => string;
  /** rest.extension.classes=…BasicAuthSecurityRestExtension (rest/auth.ts) */
  auth?: ConnectBasicAuth | null;
  /** listeners=https://…: the key and certificate chain (client/https-listener.ts) */
  https?: import('../../client/https-listener.ts').HttpListener['tls'];
}

const bool = (v: unknown) => v === true || v === 'true';

export function buildApp(o: AppOptions): FastifyInstance {
  // REST sees PASSWORD-type fields as [hidden] (rest/password-view.ts)
  o = Object.create(o, { herder: { get: ((raw) => () => passwordView(raw.herder, raw.plugins))(o) } });
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024, ...(o.https ? { https: o.https } : {}) }) as unknown as FastifyInstance;
  const { plugins } = o;
  if (o.auth) registerConnectBasicAuth(app, o.auth);

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    if (err instanceof ConnectRestError) return reply.code(err.status).send({ error_code: err.status, message: err.message });
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) o.logger?.error({ err, url: req.url, method: req.method }, 'REST request failed');
    return reply.code(status).send({ error_code: status, message: status === 500 ? `${err.name}: ${err.message}` : err.message });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error_code: 404, message: 'HTTP 404 Not Found' }));

  const ready = () => { if (!o.herder.ready) throw new ConnectRestError('UNAVAILABLE', 'Request cannot be completed because the worker is still starting up'); };

  app.get('/', async () => ({ version: o.version, commit: o.commit, kafka_cluster_id: o.kafkaClusterId() }));
  app.register(metricsRoutes, { herder: () => o.herder });
  app.get('/health', async (_req, reply) => {
    if (!o.herder.ready) return reply.code(503).send({ status: 'starting', message: 'Worker is still starting up.' });
    return { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' };
  });

  // ---- connectors
  app.get<{ Querystring: { expand?: string | string[] } }>('/connectors', async (req) => {
    ready();
    const names = o.herder.connectorNames();
    const expand = ([] as string[]).concat(req.query.expand ?? []).flatMap((e) => e.split(','));
    if (!expand.length) return names;
    const out: Record<string, Record<string, unknown>> = {};
    for (const n of names) {
      const e: Record<string, unknown> = {};
      if (expand.includes('status')) e.status = o.herder.status(n);
      if (expand.includes('info')) e.info = o.herder.info(n);
      out[n] = e;
    }
    return out;
  });

  app.post<{ Body: { name?: unknown; config?: Record<string, unknown>; initial_state?: string } }>('/connectors', async (req, reply) => {
    ready();
    const b = req.body;
    if (!b || typeof b !== 'object') throw badRequest('Request body must be a JSON object with "name" and "config"');
    const config = (b.config ?? {}) as Props;
    const name = typeof b.name === 'string' ? b.name : config.name;
    if (!name || typeof name !== 'string') throw badRequest('Connector name must be specified');
    if (/\//.test(name) || name.trim() !== name || !name) throw badRequest(`Connector name ${JSON.stringify(name)} is invalid: it may not contain '/' or leading/trailing whitespace`);
    if (!b.config || typeof b.config !== 'object') throw badRequest('Connector config must be specified');
    let initialState: TargetState | undefined;
    if (b.initial_state !== undefined) {
      const s = String(b.initial_state).toUpperCase();
      if (s === 'RUNNING') initialState = 'STARTED';
      else if (s === 'PAUSED' || s === 'STOPPED') initialState = s;
      else throw badRequest(`Invalid initial state ${b.initial_state}; expected RUNNING, PAUSED or STOPPED`);
    }
    const { info } = await o.herder.putConnectorConfig(name, config, { allowReplace: false, initialState });
    return reply.code(201).header('Location', `${o.advertisedUrl()}/connectors/${encodeURIComponent(name)}`).send(info);
  });

  type P = { Params: { name: string } };
  app.get<P>('/connectors/:name', async (req) => { ready(); return o.herder.info(req.params.name); });
  app.delete<P>('/connectors/:name', async (req, reply) => { ready(); await o.herder.deleteConnector(req.params.name); return reply.code(204).send(); });
  app.get<P>('/connectors/:name/config', async (req) => { ready(); return o.herder.config(req.params.name); });
  app.put<P & { Body: Record<string, unknown> }>('/connectors/:name/config', async (req, reply) => {
    ready();
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw badRequest('Request body must be a JSON object of connector configs');
    const { created, info } = await o.herder.putConnectorConfig(req.params.name, req.body as Props, { allowReplace: true });
    if (created) reply.header('Location', `${o.advertisedUrl()}/connectors/${encodeURIComponent(req.params.name)}`);
    return reply.code(created ? 201 : 200).send(info);
  });
  app.patch<P & { Body: Record<string, unknown> }>('/connectors/:name/config', async (req) => {
    ready();
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw badRequest('Request body must be a JSON object of connector configs');
    const cur = o.herder.config(req.params.name);
    for (const [k, v] of Object.entries(req.body)) { if (v === null) delete cur[k]; else cur[k] = String(v); }
    const { info } = await o.herder.putConnectorConfig(req.params.name, cur, { allowReplace: true });
    return info;
  });
  app.get<P>('/connectors/:name/status', async (req) => { ready(); return o.herder.status(req.params.name); });
  app.post<P & { Querystring: { includeTasks?: string; onlyFailed?: string } }>('/connectors/:name/restart', async (req, reply) => {
    ready();
    const includeTasks = bool(req.query.includeTasks);
    const onlyFailed = bool(req.query.onlyFailed);
    const plan = await o.herder.restartConnector(req.params.name, includeTasks, onlyFailed);
    if (!includeTasks && !onlyFailed) return reply.code(204).send();
    return reply.code(202).send(plan);
  });
  const target = (t: TargetState, code: number) => async (req: { params: { name: string } }, reply: FastifyReply) => {
    ready();
    await o.herder.setTargetState(req.params.name, t);
    return reply.code(code).send();
  };
  app.put<P>('/connectors/:name/pause', target('PAUSED', 202));
  app.put<P>('/connectors/:name/resume', target('STARTED', 202));
  app.put<P>('/connectors/:name/stop', target('STOPPED', 204));
  app.get<P>('/connectors/:name/tasks', async (req) => { ready(); return o.herder.taskConfigs(req.params.name); });
  type T = { Params: { name: string; task: string } };
  const taskId = (s: string) => { if (!/^\d+$/.test(s)) throw notFound(`Task ${s} not found`); return Number(s); };
  app.get<T>('/connectors/:name/tasks/:task/status', async (req) => { ready(); return o.herder.taskStatus(req.params.name, taskId(req.params.task)); });
  app.post<T>('/connectors/:name/tasks/:task/restart', async (req, reply) => { ready(); await o.herder.restartTask(req.params.name, taskId(req.params.task)); return reply.code(204).send(); });
  app.get<P>('/connectors/:name/topics', async (req) => { ready(); return { [req.params.name]: { topics: o.herder.activeTopics(req.params.name) } }; });
  app.put<P>('/connectors/:name/topics/reset', async (req, reply) => { ready(); await o.herder.resetTopics(req.params.name); return reply.code(200).send(); });
  app.get<P>('/connectors/:name/offsets', async (req) => { ready(); return o.herder.getOffsets(req.params.name); });
  app.patch<P & { Body: unknown }>('/connectors/:name/offsets', async (req) => { ready(); return o.herder.alterOffsets(req.params.name, req.body); });
  app.delete<P>('/connectors/:name/offsets', async (req) => { ready(); return o.herder.resetOffsets(req.params.name); });
  /** Tributary extension: error counters and the last errors of each task. */
  app.get<P>('/connectors/:name/errors', async (req) => { ready(); await o.herder.refreshCounters(req.params.name); return { name: req.params.name, tasks: o.herder.errorCounters(req.params.name) }; });
  /** Tributary extension: the same per-task counters, with each source task's last reported progress. */
  app.get<P>('/connectors/:name/metrics', async (req) => { ready(); await o.herder.refreshCounters(req.params.name); return { name: req.params.name, tasks: o.herder.errorCounters(req.params.name) }; });

  // ---- dynamic log levels (KIP-495, KIP-976 scope). scope=cluster applies on this
  // worker only (standalone: the whole cluster; distributed: see connectors/README.md).
  const levels = () => { if (!o.logLevels) throw notFound('HTTP 404 Not Found'); return o.logLevels; };
  app.get('/admin/loggers', async () => levels().all());
  app.get<{ Params: { name: string } }>('/admin/loggers/:name', async (req) => {
    const l = levels().level(req.params.name);
    if (!l) throw notFound(`Logger ${req.params.name} not found.`);
    return l;
  });
  app.put<{ Params: { name: string }; Querystring: { scope?: string }; Body: { level?: unknown } | null }>('/admin/loggers/:name', async (req, reply) => {
    const reg = levels();
    const level = req.body && typeof req.body === 'object' ? req.body.level : undefined;
    if (level === undefined || level === null || level === '') throw badRequest("Desired 'level' parameter was not specified in request.");
    if (typeof level !== 'string' || !toPinoLevel(level)) throw notFound(`invalid log level '${String(level)}'.`);
    const scope = (req.query.scope ?? 'worker').toLowerCase();
    if (scope !== 'worker' && scope !== 'cluster') o.logger?.warn({ scope: req.query.scope }, 'unknown scope for /admin/loggers; using worker');
    const changed = reg.setLevel(req.params.name, level);
    if (scope === 'cluster') return reply.code(204).send();
    return changed;
  });

  // ---- plugins
  app.get<{ Querystring: { connectorsOnly?: string } }>('/connector-plugins', async (req) => {
    const connectorsOnly = req.query.connectorsOnly === undefined ? true : bool(req.query.connectorsOnly);
    return plugins.list()
      .filter((p) => !connectorsOnly || p.type === 'source' || p.type === 'sink')
      .map((p) => ({ class: p.className, type: p.type, version: p.version }));
  });
  app.get<{ Params: { plugin: string } }>('/connector-plugins/:plugin/config', async (req) => {
    const d = plugins.resolve(req.params.plugin);
    if (!d) throw notFound(`Unknown plugin ${req.params.plugin}.`);
    const inst = new (d.cls as new () => { config?(): ConfigDef })();
    const def = (inst as Connector).config?.();
    return def ? [...def.keys.values()].map((k) => keyInfo(k)) : [];
  });
  app.put<{ Params: { plugin: string }; Body: Record<string, unknown> }>('/connector-plugins/:plugin/config/validate', async (req) => {
    const body = req.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Request body must be a JSON object of connector configs');
    const props: Props = {};
    for (const [k, v] of Object.entries(body)) if (v !== null && v !== undefined) props[k] = String(v);
    const plugin = req.params.plugin;
    const cls = props['connector.class'];
    if (cls !== undefined) {
      const a = plugins.resolve(cls, ['source', 'sink']);
      const b = plugins.resolve(plugin, ['source', 'sink']);
      if (cls !== plugin && (!a || !b || a !== b)) throw badRequest('Included connector type ' + cls + ' does not match request type ' + plugin);
    } else props['connector.class'] = plugin;
    return o.herder.validate(plugin, props);
  });

  return app;
}
