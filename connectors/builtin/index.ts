// The connectors Tributary ships, as an explicit list. Each one is a plugin written
// with the public SDK only (plugins/sdk), exactly like a third-party plugin; the
// runtime (connectors/runtime/plugins.ts) loads this list, then plugins/* and the
// `plugin.path` directories. Entries import lazily, so one built-in failing to load
// (a missing optional dependency) is reported and skipped like any plugin.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface BuiltinPlugin {
  /** folder under connectors/builtin/ (the plugin's location in logs and GET /connector-plugins) */
  name: string;
  location: string;
  load(): Promise<{ default: unknown }>;
}

const builtin = (name: string, load: () => Promise<{ default: unknown }>): BuiltinPlugin => ({ name, location: path.join(here, name), load });

export const BUILTIN_PLUGINS: readonly BuiltinPlugin[] = [
  builtin('converters', () => import('./converters/index.ts')),
  builtin('file', () => import('./file/index.ts')),
  builtin('mirror', () => import('./mirror/index.ts')),
  builtin('postgres', () => import('./postgres/index.ts')),
  builtin('s3', () => import('./s3/index.ts')),
  builtin('transforms', () => import('./transforms/index.ts')),
];
