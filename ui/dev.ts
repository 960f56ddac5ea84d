// Vite's dev server with hot reload for ui/src, proxying /api to a running UI
// server (TRIBUTARY_UI_API, default http://127.0.0.1:8080).
// Run: node --import tsx ui/dev.ts
import { createServer } from 'vite';
import { viteConfig } from './build.ts';

const server = await createServer({ ...viteConfig(), mode: 'development', logLevel: 'info' });
await server.listen();
server.printUrls();
