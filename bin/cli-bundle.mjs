// Finds the CLI bundle that app/bundle.ts builds (connectors/runtime/task-thread-bundle.ts's
// cache), in plain JavaScript: loading the TypeScript of the cache itself would register
// tsx, whose loader hooks then cost every import as much as the bundle saves. Only a
// missing or stale bundle registers tsx, builds it and unregisters it again. The key is
// computed as task-thread-bundle.ts's keyOf (test/cli-bundle checks both agree).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const APP = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'app');

function keyOf(inputs) {
  const h = crypto.createHash('sha256');
  for (const f of inputs) {
    let st;
    try { st = fs.statSync(f); } catch { return null; }
    h.update(`${f}\0${st.size}\0${st.mtimeMs}\n`);
  }
  return h.digest('hex').slice(0, 16);
}

/** The bundled CLI's URL: found in the cache, else built through app/bundle.ts. */
export async function cliBundle() {
  const base = path.join(os.tmpdir(), `tributary-cli-${crypto.createHash('sha256').update(fs.realpathSync(APP)).digest('hex').slice(0, 12)}`);
  try {
    const index = JSON.parse(fs.readFileSync(path.join(base, 'index.json'), 'utf8'));
    const file = path.join(base, index.key, 'cli.mjs');
    if (keyOf(index.inputs) === index.key && fs.existsSync(file)) return pathToFileURL(file);
  } catch { /* not built yet */ }
  const { register } = await import('tsx/esm/api');
  const unregister = register();
  try {
    const { cliBundle: build } = await import('../app/bundle.ts');
    return await build();
  } finally {
    await unregister();
  }
}
