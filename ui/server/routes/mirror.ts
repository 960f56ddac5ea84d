// MirrorMaker 2 flows (the Mirror page): the Mirror* connectors of the configured
// Connect with replication lag, checkpoints and heartbeats.
import type { FastifyInstance } from 'fastify';
import type { MirrorOverview } from '../../shared/api-types.ts';
import type { UiContext } from '../context.ts';
import { mirrorOverview } from '../services/mirror.ts';

export async function mirrorRoutes(app: FastifyInstance, { ctx }: { ctx: UiContext }): Promise<void> {
  app.get('/api/mirror', async (): Promise<MirrorOverview> => mirrorOverview(ctx.connect));
}
