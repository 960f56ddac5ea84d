// Reads the Prometheus text exposition format (what the broker's admin port, the
// registry and Connect serve at /metrics), so the UI charts the very series
// Prometheus scrapes instead of sampling the cluster its own way.

export interface Sample { name: string; labels: Record<string, string>; value: number }

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?\s*$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/gy;

function unescape(v: string): string {
  return v.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

function value(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s); // NaN stays NaN
}

/** Every sample of a /metrics body; comments and malformed lines are skipped. */
export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[3]) {
      LABEL.lastIndex = 0;
      let l: RegExpExecArray | null;
      while ((l = LABEL.exec(m[3]))) labels[l[1]] = unescape(l[2]);
    }
    out.push({ name: m[1], labels, value: value(m[4]) });
  }
  return out;
}

/** Samples grouped by metric name. */
export class MetricSet {
  private readonly byName = new Map<string, Sample[]>();
  constructor(samples: Iterable<Sample> = []) { this.add(samples); }

  add(samples: Iterable<Sample>): void {
    for (const s of samples) {
      let l = this.byName.get(s.name);
      if (!l) { l = []; this.byName.set(s.name, l); }
      l.push(s);
    }
  }

  get(name: string): Sample[] { return this.byName.get(name) ?? []; }
  has(name: string): boolean { return this.byName.has(name); }

  /** sum by (label) (name{filter}), as PromQL would give it */
  sumBy(name: string, label: string, filter: (s: Sample) => boolean = () => true): Map<string, number> {
    const out = new Map<string, number>();
    for (const s of this.get(name)) if (filter(s) && Number.isFinite(s.value)) out.set(s.labels[label] ?? '', (out.get(s.labels[label] ?? '') ?? 0) + s.value);
    return out;
  }

  sum(name: string, filter: (s: Sample) => boolean = () => true): number {
    let n = 0;
    for (const s of this.get(name)) if (filter(s) && Number.isFinite(s.value)) n += s.value;
    return n;
  }
}
