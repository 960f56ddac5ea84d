// /api/registry/* and /api/connect/* forward to the schema registry and Kafka
// Connect REST APIs unchanged, so the UI speaks their documented APIs; the only
// thing added is a clear error when the service is not configured or not reachable.
import type { FastifyInstance } from 'fastify';
import type { UiContext } from '../context.ts';

export async function upstreamRoutes(app: FastifyInstance, { ctx }: { ctx: UiContext }): Promise<void> {
  for (const [prefix, up] of [['/api/registry', ctx.registry], ['/api/connect', ctx.connect]] as const) {
    app.get(`${prefix}-status`, async () => up.status());
    app.route({
      method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      url: `${prefix}/*`,
      handler: async (req, reply) => {
        const rest = (req.raw.url ?? '').slice(prefix.length) || '/';
        const r = await up.request(req.method, rest, req.body === undefined || req.body === null ? undefined : req.body);
        reply.code(r.status);
        if (r.body === null) return reply.send();
        return reply.type('application/json').send(typeof r.body === 'string' ? JSON.stringify({ message: r.body }) : r.body);
      },
    });
  }
}
