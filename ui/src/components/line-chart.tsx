// A small SVG line chart: one or two series over time, no chart library.
import { useSettings } from '../lib/settings.tsx';
import { fmtTime } from '../lib/format.ts';

export interface Series { label: string; points: { t: number; v: number }[]; className?: string }

export function LineChart({ series, title, height = 180, unit = '' }: { series: Series[]; title: string; height?: number; unit?: string }) {
  const { timeZone } = useSettings();
  const W = 720; const H = height; const L = 56; const R = 12; const T = 10; const B = 22;
  const all = series.flatMap((s) => s.points);
  if (all.length < 2) return <p className="muted">{title}: not enough samples yet; the UI server samples every few seconds.</p>;
  const t0 = Math.min(...all.map((p) => p.t)); const t1 = Math.max(...all.map((p) => p.t));
  const vmax = Math.max(1, ...all.map((p) => p.v));
  const x = (t: number) => L + ((t - t0) / Math.max(1, t1 - t0)) * (W - L - R);
  const y = (v: number) => T + (1 - v / vmax) * (H - T - B);
  const path = (pts: { t: number; v: number }[]) => pts.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
  const fmtV = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)}k` : v < 10 && v % 1 ? v.toFixed(1) : String(Math.round(v)));
  const last = series.map((s) => `${s.label} ${fmtV(s.points[s.points.length - 1]?.v ?? 0)}${unit}`).join(', ');
  return (
    <figure style={{ margin: 0 }}>
      <svg className="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}. Latest: ${last}`}>
        <line className="axis" x1={L} y1={H - B} x2={W - R} y2={H - B} />
        <line className="axis" x1={L} y1={T} x2={L} y2={H - B} />
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line className="axis" x1={L} x2={W - R} y1={y(vmax * f)} y2={y(vmax * f)} strokeDasharray="2 4" />
            <text x={L - 6} y={y(vmax * f) + 3} textAnchor="end">{fmtV(vmax * f)}{unit}</text>
          </g>
        ))}
        <text x={L} y={H - 6}>{fmtTime(t0, timeZone).slice(11, 19)}</text>
        <text x={W - R} y={H - 6} textAnchor="end">{fmtTime(t1, timeZone).slice(11, 19)}</text>
        {series.map((s, i) => <path key={s.label} className={s.className ?? (i ? 'line-b' : 'line-a')} d={path(s.points)} />)}
      </svg>
      <figcaption className="legend">
        {series.map((s, i) => (
          <span key={s.label}><span className="sw" style={{ background: i ? 'var(--ok)' : 'var(--accent)' }} />{s.label}</span>
        ))}
      </figcaption>
    </figure>
  );
}
