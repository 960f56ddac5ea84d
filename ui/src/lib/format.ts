// Numbers, sizes and times as people read them.
export function fmtBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0; let v = n;
  while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${u[i]}`;
}

export const fmtNum = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toLocaleString('en-US'));
/** A lag or age in seconds: 0 s, 3.2 s, 45 s, 12 min, 3.5 h; — when unknown. */
export function fmtSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '—';
  if (s === 0) return '0 s';
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export const fmtRate = (n: number | null | undefined) => (n === null || n === undefined ? '—' : `${n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en-US')}/s`);

export function fmtTime(ms: number, timeZone: string): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const d = new Date(ms);
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(d);
  const g = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${g('year')}-${g('month')}-${g('day')} ${g('hour')}:${g('minute')}:${g('second')}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
}

/** Parses "YYYY-MM-DDTHH:mm[:ss]" as wall time in `timeZone`; returns ms since epoch. */
export function parseLocalTime(value: string, timeZone: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
  if (!m) return NaN;
  const asUtc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0));
  // Offset of the zone at that instant, found by formatting it back.
  const offset = (t: number) => {
    const p = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(t));
    const g = (k: string) => +(p.find((x) => x.type === k)?.value ?? 0);
    return Date.UTC(g('year'), g('month') - 1, g('day'), g('hour'), g('minute'), g('second')) - t;
  };
  const first = asUtc - offset(asUtc);
  return asUtc - offset(first);
}

/** ms since epoch → "YYYY-MM-DDTHH:mm:ss" wall time in `timeZone`, for datetime-local inputs. */
export function toLocalInput(ms: number, timeZone: string): string {
  return fmtTime(ms, timeZone).slice(0, 19).replace(' ', 'T');
}
