// Stream applications: groups whose members run a streams runtime, with topology, lag and store sizes.
import type { FastifyInstance } from 'fastify';
import type { StreamApp } from '../../shared/streams-types.ts';
import type { UiContext } from '../context.ts';
import { streamApps } from '../services/streams.ts';

export async function streamRoutes(app: FastifyInstance, { ctx }: { ctx: UiContext }): Promise<void> {
  app.get('/api/streams', async (): Promise<StreamApp[]> => streamApps(ctx.gw));
}
