// The part of npm's semver ranges plugin manifests use to declare the SDK they
// support: exact versions, `^`, `~`, `x`/`*` wildcards, comparators (`>=1.0.0 <2`),
// hyphen ranges (`1.0.0 - 1.4.0`) and `||`. Pre-release tags compare below their release.

type V = [number, number, number, string];

function parse(v: string): V | null {
  const m = v.trim().replace(/^v/, '').match(/^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] ?? ''] : null;
}

function cmp(a: V, b: V): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  if (a[3] === b[3]) return 0;
  if (!a[3]) return 1;
  if (!b[3]) return -1;
  return a[3] < b[3] ? -1 : 1;
}

/** A partial version (`1`, `1.2`, `1.x`, `*`) → its parts, null for a wildcard. */
function partial(s: string): (number | null)[] | null {
  const parts = s.replace(/^v/, '').split('-')[0].split('.');
  if (parts.length > 3 || parts.some((p) => !/^(\d+|x|X|\*)$/.test(p))) return null;
  const out = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : null));
  while (out.length < 3) out.push(null);
  return out;
}

type Test = (v: V) => boolean;

function comparator(c: string): Test[] | null {
  const m = c.match(/^(\^|~|>=|<=|>|<|=)?\s*(.+)$/);
  if (!m) return null;
  const op = m[1] ?? '';
  const full = parse(m[2]);
  const p = partial(m[2]);
  if (!full && !p) return null;
  const [maj, min, pat] = full ? [full[0], full[1], full[2]] : p!;
  const lo: V = [maj ?? 0, min ?? 0, pat ?? 0, full?.[3] ?? ''];
  const ge = (x: V) => cmp(x, lo) >= 0;
  const below = (b: V) => (x: V) => cmp(x, b) < 0;
  // the first version past a partial (1.2 → 1.3.0-0, 1 → 2.0.0-0)
  const nextOf = (): V => (maj === null ? [Infinity, 0, 0, ''] : min === null ? [maj + 1, 0, 0, '0'] : pat === null ? [maj, min + 1, 0, '0'] : [maj, min, pat + 1, '0']);
  switch (op) {
    case '^': {
      const hi: V = maj! > 0 || min === null ? [maj! + 1, 0, 0, '0'] : min > 0 || pat === null ? [0, min + 1, 0, '0'] : [0, 0, pat + 1, '0'];
      return [ge, below(hi)];
    }
    case '~': return [ge, below(min === null ? [maj! + 1, 0, 0, '0'] : [maj!, min + 1, 0, '0'])];
    case '>=': return [ge];
    case '>': return full ? [(x) => cmp(x, lo) > 0] : [(x) => cmp(x, nextOf()) >= 0];
    case '<': return [below(lo)];
    case '<=': return full ? [(x) => cmp(x, lo) <= 0] : [below(nextOf())];
    default: return full ? [(x) => cmp(x, full) === 0] : [ge, below(nextOf())];
  }
}

/** Whether `version` is in `range`; a range that does not parse throws. */
export function satisfies(version: string, range: string): boolean {
  const v = parse(version);
  if (!v) throw new Error(`not a version: ${version}`);
  return range.split('||').some((alt) => {
    const a = alt.trim();
    const tests: Test[] = [];
    const hyphen = a.match(/^(\S+)\s+-\s+(\S+)$/);
    const parts = hyphen ? [`>=${hyphen[1]}`, `<=${hyphen[2]}`] : a === '' ? ['*'] : a.replace(/(\^|~|>=|<=|>|<|=)\s+/g, '$1').split(/\s+/);
    for (const c of parts) {
      const t = comparator(c);
      if (!t) throw new Error(`not a version range: ${range}`);
      tests.push(...t);
    }
    return tests.every((t) => t(v));
  });
}
