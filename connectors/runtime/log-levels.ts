// Dynamic log levels (KIP-495 / KIP-976) for the Connect runtime. Pino child loggers
// copy their parent's level when created and never follow it afterwards, so this
// registry names every logger the runtime creates, log4j style (dot-separated,
// hierarchical), and applies a level change to the named logger and all of its
// descendants; loggers created later start at the level of their nearest ancestor
// that has an explicit level.
//
// Names: "root" is the worker's own logger (the one given to startConnect);
// `tributary.connect.connector.<name>` is a connector's logger (ConnectorContext.logger)
// and `tributary.connect.connector.<name>.task-<id>` the logger of its task <id>.
import type { Logger } from 'pino';

export const ROOT = 'root';
export const connectorLoggerName = (connector: string) => `tributary.connect.connector.${connector}`;
export const taskLoggerName = (connector: string, task: number) => `${connectorLoggerName(connector)}.task-${task}`;

const TO_PINO: Record<string, string> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error', FATAL: 'fatal', OFF: 'silent' };
const FROM_PINO: Record<string, string> = Object.fromEntries(Object.entries(TO_PINO).map(([k, v]) => [v, k]));

/** Kafka's level name ("DEBUG") for a pino level ("debug"); null when it is not one of Kafka's. */
export const toPinoLevel = (level: string): string | null => TO_PINO[level.toUpperCase()] ?? null;
export const fromPinoLevel = (level: string): string => FROM_PINO[level] ?? level.toUpperCase();

export interface LoggerLevel { level: string; last_modified: number | null }

export class LogLevels {
  /** Levels set through the API: name → pino level and when. */
  private readonly explicit = new Map<string, { level: string; lastModified: number }>();
  /** Live loggers by name (weakly held: tasks come and go). */
  private readonly live = new Map<string, Set<WeakRef<Logger>>>();

  constructor(private readonly root: Logger) {}

  /** A child of the root logger registered under `name`, at the current effective level of that name. */
  child(name: string, bindings: Record<string, unknown>): Logger {
    const l = this.root.child(bindings);
    l.level = this.effective(name);
    let set = this.live.get(name);
    if (!set) this.live.set(name, set = new Set());
    set.add(new WeakRef(l));
    return l;
  }

  private loggersOf(name: string): Logger[] {
    if (name === ROOT) return [this.root];
    const set = this.live.get(name);
    if (!set) return [];
    const out: Logger[] = [];
    for (const r of set) { const l = r.deref(); if (l) out.push(l); else set.delete(r); }
    if (!set.size) this.live.delete(name);
    return out;
  }

  /** The pino level a logger called `name` has (or would get): its own explicit level, else its nearest ancestor's, else root's. */
  private effective(name: string): string {
    for (let n = name; n; n = n.includes('.') ? n.slice(0, n.lastIndexOf('.')) : '') {
      const e = this.explicit.get(n);
      if (e) return e.level;
    }
    return this.root.level;
  }

  private known(): string[] {
    const names = new Set<string>([ROOT, ...this.explicit.keys()]);
    for (const n of [...this.live.keys()]) if (this.loggersOf(n).length) names.add(n);
    return [...names];
  }

  /** GET /admin/loggers: root plus every logger with an explicitly set level. */
  all(): Record<string, LoggerLevel> {
    const out: Record<string, LoggerLevel> = {};
    for (const n of [ROOT, ...[...this.explicit.keys()].filter((n) => n !== ROOT).sort()]) out[n] = this.level(n)!;
    return out;
  }

  /** The level of a known logger (live, or given an explicit level), or null. */
  level(name: string): LoggerLevel | null {
    if (name !== ROOT && !this.explicit.has(name) && !this.loggersOf(name).length) return null;
    const e = this.explicit.get(name);
    return { level: fromPinoLevel(name === ROOT ? this.root.level : e?.level ?? this.effective(name)), last_modified: e?.lastModified ?? null };
  }

  /**
   * Sets `name` and every descendant (all loggers for "root") to `level` (Kafka's name),
   * records it as explicit for each of them, and returns the names whose level changed.
   */
  setLevel(name: string, level: string): string[] {
    const pinoLevel = toPinoLevel(level);
    if (!pinoLevel) throw new Error(`invalid log level '${level}'.`);
    const now = Date.now();
    const targets = name === ROOT ? this.known() : this.known().filter((n) => n === name || n.startsWith(name + '.'));
    if (!targets.includes(name)) targets.push(name);
    const before = new Map(targets.map((n) => [n, n === ROOT ? this.root.level : this.explicit.get(n)?.level ?? this.effective(n)]));
    const changed: string[] = [];
    for (const n of targets.sort()) {
      this.explicit.set(n, { level: pinoLevel, lastModified: now });
      for (const l of this.loggersOf(n)) l.level = pinoLevel;
      if (before.get(n) !== pinoLevel) changed.push(n);
    }
    return changed;
  }
}
