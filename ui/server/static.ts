// Serves the built SPA from ui/dist: hashed assets cached for a year, and
// index.html for every other non-/api path so client-side URLs load directly.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.map': 'application/json',
  '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8',
};

export async function staticFiles(app: FastifyInstance, opts: { dist: string }): Promise<void> {
  const root = path.resolve(opts.dist);
  const index = () => fs.promises.readFile(path.join(root, 'index.html'));

  app.get('/*', async (req, reply) => {
    const url = decodeURIComponent((req.raw.url ?? '/').split('?')[0]);
    if (url.startsWith('/api/') || url === '/api') {
      return reply.code(404).send({ code: 'not_found', message: `No API route ${req.method} ${url}` });
    }
    const file = path.resolve(root, `.${url}`);
    if (file.startsWith(root + path.sep) && path.extname(file)) {
      try {
        const body = await fs.promises.readFile(file);
        const immutable = url.startsWith('/assets/');
        return reply
          .header('content-type', TYPES[path.extname(file)] ?? 'application/octet-stream')
          .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
          .send(body);
      } catch {
        return reply.code(404).type('text/plain').send('not found');
      }
    }
    try {
      return reply.header('content-type', TYPES['.html']).header('cache-control', 'no-cache').send(await index());
    } catch {
      return reply.code(503).type('text/plain').send('The admin UI is not built (ui/dist/index.html is missing): run `node --import tsx ui/build.ts`.');
    }
  });
}
