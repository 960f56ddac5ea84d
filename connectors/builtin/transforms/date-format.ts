// A subset of Java's SimpleDateFormat, in UTC (as Kafka's transforms use it):
// y M d H h m s S a, 'quoted literals', Z / X zones (always written as UTC).
type Tok = { t: 'lit'; s: string } | { t: 'f'; c: string; n: number };

function tokenize(p: string): Tok[] {
  const out: Tok[] = [];
  for (let i = 0; i < p.length;) {
    const c = p[i];
    if (c === "'") {
      const j = p.indexOf("'", i + 1);
      if (j === i + 1) { out.push({ t: 'lit', s: "'" }); i += 2; continue; }
      out.push({ t: 'lit', s: p.slice(i + 1, j === -1 ? p.length : j) });
      i = j === -1 ? p.length : j + 1;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      let n = 1;
      while (p[i + n] === c) n++;
      out.push({ t: 'f', c, n });
      i += n;
      continue;
    }
    out.push({ t: 'lit', s: c });
    i++;
  }
  return out;
}

const pad = (v: number, n: number) => String(v).padStart(n, '0');

export class DateFormat {
  private toks: Tok[];
  constructor(readonly pattern: string) {
    this.toks = tokenize(pattern);
    for (const k of this.toks) if (k.t === 'f' && !'yMdHhmsSaZXkKE'.includes(k.c)) throw new Error(`Illegal pattern character '${k.c}' in ${pattern}`);
  }

  format(ms: number): string {
    const d = new Date(ms);
    return this.toks.map((k) => {
      if (k.t === 'lit') return k.s;
      switch (k.c) {
        case 'y': return k.n === 2 ? pad(d.getUTCFullYear() % 100, 2) : pad(d.getUTCFullYear(), k.n);
        case 'M': return pad(d.getUTCMonth() + 1, k.n);
        case 'd': return pad(d.getUTCDate(), k.n);
        case 'H': case 'k': return pad(d.getUTCHours(), k.n);
        case 'h': case 'K': return pad(d.getUTCHours() % 12 || 12, k.n);
        case 'm': return pad(d.getUTCMinutes(), k.n);
        case 's': return pad(d.getUTCSeconds(), k.n);
        case 'S': return pad(d.getUTCMilliseconds(), 3).slice(0, Math.max(k.n, 3)).padEnd(k.n, '0');
        case 'a': return d.getUTCHours() < 12 ? 'AM' : 'PM';
        case 'E': return ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
        case 'Z': return '+0000';
        case 'X': return 'Z';
        default: return '';
      }
    }).join('');
  }

  parse(s: string): number {
    let re = '^';
    const groups: string[] = [];
    for (const k of this.toks) {
      if (k.t === 'lit') { re += k.s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); continue; }
      groups.push(k.c);
      if (k.c === 'Z' || k.c === 'X') re += '(Z|[+-]\\d{2}:?\\d{2}|[+-]\\d{2})';
      else if (k.c === 'a') re += '(AM|PM|am|pm)';
      else if (k.c === 'E') re += '([A-Za-z]+)';
      else if (k.c === 'S') re += `(\\d{1,9})`;
      else re += k.n > 1 && k.c !== 'y' ? `(\\d{${k.n}})` : '(\\d+)';
    }
    const m = new RegExp(re + '$').exec(s.trim());
    if (!m) throw new Error(`Could not parse timestamp: value (${s}) does not match pattern (${this.pattern})`);
    let y = 1970, mo = 1, d = 1, h = 0, mi = 0, sec = 0, ms = 0, pm: boolean | null = null, off = 0;
    groups.forEach((c, i) => {
      const v = m[i + 1];
      switch (c) {
        case 'y': y = Number(v); if (v.length === 2) y += 2000; break;
        case 'M': mo = Number(v); break;
        case 'd': d = Number(v); break;
        case 'H': case 'k': case 'h': case 'K': h = Number(v); break;
        case 'm': mi = Number(v); break;
        case 's': sec = Number(v); break;
        case 'S': ms = Number(v.padEnd(3, '0').slice(0, 3)); break;
        case 'a': pm = v.toUpperCase() === 'PM'; break;
        case 'Z': case 'X': if (v !== 'Z') { const sign = v[0] === '-' ? -1 : 1; const digits = v.slice(1).replace(':', ''); off = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0)); } break;
      }
    });
    if (pm !== null) h = (h % 12) + (pm ? 12 : 0);
    return Date.UTC(y, mo - 1, d, h, mi, sec, ms) - off * 60000;
  }
}
