// Small shared pieces: timestamps, tabs, pager, state badges.
import type { ReactNode } from 'react';
import { Link, NavLink } from 'react-router-dom';
import { useSettings } from '../lib/settings.tsx';
import { fmtTime } from '../lib/format.ts';

export function Time({ ms }: { ms: number }) {
  const { timeZone } = useSettings();
  return <time dateTime={new Date(ms).toISOString()} title={`${timeZone}`}>{fmtTime(ms, timeZone)}</time>;
}

export function Tabs({ items, label }: { items: { to: string; label: string; end?: boolean }[]; label: string }) {
  return (
    <nav className="tabs" aria-label={label}>
      {items.map((i) => <NavLink key={i.to} to={i.to} end={i.end}>{i.label}</NavLink>)}
    </nav>
  );
}

export function Pager({ page, pages, onPage }: { page: number; pages: number; onPage(p: number): void }) {
  if (pages <= 1) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>Previous</button>
      <span>Page {page} of {pages}</span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>Next</button>
    </nav>
  );
}

const GOOD = new Set(['RUNNING', 'Stable', 'Empty']);
const BAD = new Set(['FAILED', 'Dead', 'UNASSIGNED']);
export function StateBadge({ state }: { state: string }) {
  const cls = GOOD.has(state) ? 'ok' : BAD.has(state) ? 'bad' : 'warn';
  return <span className={`badge ${cls}`}>{state}</span>;
}

export function Crumbs({ items }: { items: { to?: string; label: string }[] }) {
  return (
    <nav className="crumbs" aria-label="Breadcrumb">
      {items.map((c, i) => <span key={i}>{i > 0 && ' / '}{c.to ? <Link to={c.to}>{c.label}</Link> : c.label}</span>)}
    </nav>
  );
}

export function PageHead({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return <div className="page-head"><h1>{title}</h1><span className="spacer" />{children}</div>;
}
