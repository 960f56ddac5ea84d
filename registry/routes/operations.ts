// /metrics (Prometheus text), /health and /ready of the schema registry. Requests
// are counted by route pattern and status for the whole app, so this plugin
// shares the app's scope (skip-override, as fastify-plugin does) for its hook.
import type { FastifyPluginAsync } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RouteOptions } from './common.ts';

const COMPATIBILITY_ROUTE = /^\/compatibility\//;
const REGISTER_ROUTE = '/subjects/:subject/versions';

const plugin: FastifyPluginAsync<RouteOptions & { isLeader?: () => boolean }> = async (app, { registry, isLeader }) => {
  const r = new Registry();
  const requests = new Counter({ name: 'kafka_schema_registry_http_requests_total', help: 'Requests by route pattern, method and HTTP status.', labelNames: ['route', 'method', 'status'], registers: [r] });
  const latency = new Histogram({ name: 'kafka_schema_registry_http_request_duration_seconds', help: 'Request latency by route pattern.', labelNames: ['route'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [r] });
  const checks = new Counter({ name: 'kafka_schema_registry_compatibility_checks_total', help: 'Compatibility checks (the /compatibility API and every registration), by result.', labelNames: ['result'], registers: [r] });
  checks.inc({ result: 'compatible' }, 0); checks.inc({ result: 'incompatible' }, 0);
  const byType = () => {
    const n = new Map<string, number>([['AVRO', 0], ['PROTOBUF', 0], ['JSON', 0]]);
    for (const s of registry.state.byId.values()) n.set(s.schemaType, (n.get(s.schemaType) ?? 0) + 1);
    return n;
  };
  new Gauge({ name: 'kafka_schema_registry_registered_count', help: 'Schemas (distinct ids) in the registry.', registers: [r], collect() { this.set(registry.state.byId.size); } });
  new Gauge({ name: 'kafka_schema_registry_schemas', help: 'Schemas (distinct ids) by schema type.', labelNames: ['schema_type'], registers: [r], collect() { for (const [t, v] of byType()) this.set({ schema_type: t.toLowerCase() }, v); } });
  new Gauge({ name: 'kafka_schema_registry_subjects', help: 'Subjects with at least one live version.', registers: [r], collect() { this.set(registry.listSubjects().length); } });
  new Gauge({ name: 'kafka_schema_registry_master_slave_role', help: '1 on the instance that writes (the leader), 0 on the others.', registers: [r], collect() { this.set(isLeader?.() === false ? 0 : 1); } });

  // prom-client resolves label values to a child on every call; each route/method/status's children are kept here
  const children = new Map<string, { count: Counter.Internal; latency: Histogram.Internal<string> }>();
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    if (route !== '/metrics') {
      const key = `${req.method} ${reply.statusCode} ${route}`;
      let c = children.get(key);
      if (!c) children.set(key, (c = { count: requests.labels({ route, method: req.method, status: String(reply.statusCode) }), latency: latency.labels({ route }) }));
      c.count.inc();
      c.latency.observe(reply.elapsedTime / 1000);
    }
    done();
  });
  // The result of a check is in the body (is_compatible) or, for a registration, the status (409).
  app.addHook('onSend', (req, reply, payload, done) => {
    if (req.method === 'POST') {
      const route = req.routeOptions.url ?? '';
      if (COMPATIBILITY_ROUTE.test(route) && reply.statusCode === 200 && typeof payload === 'string') {
        checks.inc({ result: payload.includes('"is_compatible":true') ? 'compatible' : 'incompatible' });
      } else if (route === REGISTER_ROUTE && (reply.statusCode === 200 || reply.statusCode === 409)) {
        checks.inc({ result: reply.statusCode === 200 ? 'compatible' : 'incompatible' });
      }
    }
    done(null, payload);
  });

  app.get('/metrics', async (_req, reply) => reply.type(r.contentType).send(await r.metrics()));
  app.get('/health', async () => ({ status: 'UP' }));
  // the app listens only after the store has read _schemas to its end: answering means ready
  app.get('/ready', async () => ({ status: 'UP', leader: isLeader?.() !== false }));
};
(plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export const operationsRoutes = plugin;
