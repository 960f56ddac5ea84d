// Loading and error states: every error names what failed and why.
import type { ReactNode } from 'react';
import { ApiError } from '../api/client.ts';

export function Loading({ what }: { what: string }) {
  return <div className="loading" role="status" aria-live="polite"><span className="spinner" aria-hidden="true" />Loading {what}…</div>;
}

export function ErrorBox({ what, error, children }: { what: string; error: unknown; children?: ReactNode }) {
  const e = error as Error;
  const detail = error instanceof ApiError && error.target ? ` (${error.target})` : '';
  return (
    <div className="alert" role="alert">
      <strong>Could not {what}</strong>
      <span>{e?.message ?? String(error)}{detail}</span>
      {children}
    </div>
  );
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'ok'; children: ReactNode }) {
  return <div className={`alert ${kind}`} role="status">{children}</div>;
}

/** Renders loading / error / content for one query. */
export function QueryView<T>({ q, what, children }: { q: { isPending: boolean; error: unknown; data: T | undefined }; what: string; children: (data: T) => ReactNode }) {
  if (q.error && q.data === undefined) return <ErrorBox what={`load ${what}`} error={q.error} />;
  if (q.isPending || q.data === undefined) return <Loading what={what} />;
  return <>{children(q.data)}</>;
}
