// The CLI as one pre-bundled module: `tributary` loaded ~280 TypeScript files through
// tsx's loader hooks on every start (a broker, a `topic list`), ~0.6 s of CPU more than
// importing the same code bundled. The bundle is built once with esbuild and cached in
// the OS temp directory, keyed by the sources it was built from (the task threads' cache,
// connectors/runtime/task-thread-bundle.ts); any failure means the sources run through tsx.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedBundle } from '../connectors/runtime/task-thread-bundle.ts';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cli.ts');

/** The bundled CLI module's URL (exports `main`, as app/cli.ts). */
export function cliBundle(): Promise<URL> {
  return cachedBundle({ name: 'cli', source: CLI });
}
