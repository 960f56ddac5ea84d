// The UI server's /metrics (Prometheus text): its API requests by route and status,
// their latency, and the Node process (memory, event loop lag, CPU).
import type { FastifyPluginAsync } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const plugin: FastifyPluginAsync = async (app) => {
  const r = new Registry();
  collectDefaultMetrics({ register: r, prefix: 'tributary_ui_' });
  const requests = new Counter({ name: 'tributary_ui_http_requests_total', help: 'UI API requests by route pattern, method and status.', labelNames: ['route', 'method', 'status'], registers: [r] });
  const latency = new Histogram({ name: 'tributary_ui_http_request_duration_seconds', help: 'UI API latency by route pattern.', labelNames: ['route'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [r] });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url;
    if (!route || !route.startsWith('/api')) return; // the SPA's files are not interesting
    requests.inc({ route, method: req.method, status: String(reply.statusCode) });
    latency.observe({ route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_req, reply) => reply.type(r.contentType).send(await r.metrics()));
};
// shares the app's scope (as fastify-plugin does) so its hook sees every route
(plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export const metricsRoutes = plugin;
