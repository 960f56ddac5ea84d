// Builds the browser app into ui/dist with Vite (no React plugin: esbuild's
// automatic JSX runtime is enough). `ensureUiBuilt` rebuilds only when a source
// is newer than ui/dist/index.html; concurrent processes (parallel tests, several
// `tributary ui`) take a lock file so only one builds and the others wait.
// Run by hand: `node --import tsx ui/build.ts`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InlineConfig } from 'vite';

export const UI_ROOT = path.dirname(fileURLToPath(import.meta.url));
export const DIST = path.join(UI_ROOT, 'dist');
const SOURCES = ['index.html', 'build.ts', 'src', 'shared'];
const LOCK = path.join(UI_ROOT, '.build.lock');

export function viteConfig(outDir = DIST): InlineConfig {
  return {
    configFile: false,
    root: UI_ROOT,
    base: '/',
    logLevel: 'warn',
    esbuild: { jsx: 'automatic' },
    mode: 'production',
    build: {
      outDir, emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1500, target: 'es2022',
      rollupOptions: {
        onwarn(w, warn) {
          // React libraries mark modules "use client"; meaningless in a plain SPA bundle.
          if (w.code === 'MODULE_LEVEL_DIRECTIVE' || w.code === 'SOURCEMAP_ERROR') return;
          warn(w);
        },
      },
    },
    server: { proxy: { '/api': process.env.TRIBUTARY_UI_API ?? 'http://127.0.0.1:8080' } },
  };
}

function newestMtime(p: string): number {
  let st: fs.Stats;
  try { st = fs.statSync(p); } catch { return 0; }
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of fs.readdirSync(p)) max = Math.max(max, newestMtime(path.join(p, e)));
  return max;
}

export function isUiBuildFresh(): boolean {
  let built: number;
  try { built = fs.statSync(path.join(DIST, 'index.html')).mtimeMs; } catch { return false; }
  return SOURCES.every((s) => newestMtime(path.join(UI_ROOT, s)) <= built);
}

/** Builds into a temp dir, then swaps it in, so a running server never sees half a build. */
export async function buildUi(): Promise<void> {
  const { build } = await import('vite');
  const tmp = path.join(UI_ROOT, `.dist-${process.pid}-${Date.now()}`);
  try {
    await build(viteConfig(tmp));
    fs.rmSync(DIST, { recursive: true, force: true });
    fs.renameSync(tmp, DIST);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let inProcess: Promise<{ built: boolean; ms: number }> | null = null;

/** Builds ui/dist when missing or older than the sources. Returns whether it built. */
export function ensureUiBuilt(log: (msg: string) => void = () => {}): Promise<{ built: boolean; ms: number }> {
  if (!inProcess) {
    inProcess = (async () => {
      const t0 = Date.now();
      for (;;) {
        if (isUiBuildFresh()) return { built: false, ms: Date.now() - t0 };
        let fd: number;
        try {
          fd = fs.openSync(LOCK, 'wx');
        } catch {
          // Another process builds; a lock older than two minutes is a crashed build.
          try { if (Date.now() - fs.statSync(LOCK).mtimeMs > 120_000) fs.rmSync(LOCK, { force: true }); } catch { /* gone */ }
          await sleep(200);
          continue;
        }
        try {
          if (isUiBuildFresh()) return { built: false, ms: Date.now() - t0 };
          log('building the admin UI (ui/dist is missing or older than ui/src)');
          await buildUi();
          return { built: true, ms: Date.now() - t0 };
        } finally {
          fs.closeSync(fd);
          fs.rmSync(LOCK, { force: true });
        }
      }
    })();
    inProcess.catch(() => { inProcess = null; });
  }
  return inProcess;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  await buildUi();
  console.log(`ui built into ${path.relative(process.cwd(), DIST) || DIST} in ${Date.now() - t0} ms`);
}
