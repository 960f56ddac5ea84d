// MirrorMaker 2 flows (the Mirroring page): the Mirror* connectors of the configured
// Connect with replication lag, checkpoints and heartbeats.
import type { FastifyInstance } from 'fastify';
import type { MirrorOverview } from '../../shared/api-types.ts';
import type { UiContext } from '../context.ts';
import { mirrorOverview } from '../services/mirror.ts';

/** An answer is reused for this long: each one opens clients to both clusters of every flow. */
const REUSE_MS = 2000;

export async function mirrorRoutes(app: FastifyInstance, { ctx }: { ctx: UiContext }): Promise<void> {
  let last: { at: number; answer: Promise<MirrorOverview> } | null = null;
  app.get('/api/mirror', async (): Promise<MirrorOverview> => {
    // several open pages (or a slow cluster) share one computation instead of piling up
    if (!last || Date.now() - last.at > REUSE_MS) {
      const answer = mirrorOverview(ctx.mirrorConnects);
      last = { at: Date.now(), answer };
      answer.catch(() => { if (last?.answer === answer) last = null; });
    }
    return last.answer;
  });
}
