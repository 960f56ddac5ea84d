// Consumer groups: list, details with lag history, reset offsets, delete.
import type { FastifyInstance } from 'fastify';
import type { GroupDetails, ResetOffsetsRequest } from '../../shared/api-types.ts';
import type { UiContext } from '../context.ts';
import { UiError } from '../errors.ts';
import { groupDetails, groupSummaries, listGroupIds, resetOffsets } from '../services/groups.ts';

const params = { type: 'object', required: ['group'], properties: { group: { type: 'string', minLength: 1 } } } as const;

export async function groupRoutes(app: FastifyInstance, { ctx }: { ctx: UiContext }): Promise<void> {
  app.get('/api/groups', async () => groupSummaries(ctx.gw));

  app.get<{ Params: { group: string } }>('/api/groups/:group', { schema: { params } }, async (req): Promise<GroupDetails> => {
    const d = await groupDetails(ctx.gw, req.params.group);
    // lag in time is what the coordinator computes for /metrics (kafka_consumergroup_lag_seconds)
    const secs = ctx.samplers.source.kind === 'metrics' ? ctx.samplers.lagSeconds.get(req.params.group) ?? new Map<string, number>() : null;
    const partitions = d.partitions.map((p) => ({ ...p, lagSeconds: secs ? secs.get(`${p.topic}\0${p.partition}`) ?? (p.lag === 0 ? 0 : null) : null }));
    const known = partitions.map((p) => p.lagSeconds).filter((v): v is number => v !== null);
    return { ...d, partitions, lagSeconds: known.length ? Math.max(...known) : null, lagHistory: ctx.samplers.lag.get(req.params.group) ?? [], sampleIntervalMs: ctx.samplers.opts.intervalMs };
  });

  app.post<{ Params: { group: string }; Body: ResetOffsetsRequest }>('/api/groups/:group/reset-offsets', {
    schema: {
      params,
      body: {
        type: 'object', required: ['topic', 'target', 'preview'], additionalProperties: false,
        properties: {
          topic: { type: 'string', minLength: 1 }, target: { enum: ['earliest', 'latest', 'timestamp', 'offset'] },
          timestamp: { type: 'number' }, offset: { type: 'string', pattern: '^\\d+$' },
          partitions: { type: 'array', items: { type: 'integer', minimum: 0 } }, preview: { type: 'boolean' },
        },
      },
    },
  }, async (req) => resetOffsets(ctx.gw, req.params.group, req.body));

  app.delete<{ Params: { group: string } }>('/api/groups/:group', { schema: { params } }, async (req, reply) => {
    // The client treats deleting an unknown group as done; the API says it was not there.
    if (!(await listGroupIds(ctx.gw)).some((g) => g.groupId === req.params.group)) {
      throw new UiError('group_not_found', `Consumer group "${req.params.group}" does not exist`);
    }
    await ctx.gw.withAdmin(`deleting group "${req.params.group}"`, (a) => a.deleteGroups([req.params.group]));
    ctx.samplers.lag.delete(req.params.group);
    return reply.code(204).send();
  });
}
