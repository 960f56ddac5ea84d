// Shows a clear "not reachable at URL" state for the registry or Connect instead of
// a spinner; renders its children only when the service answers.
import type { ReactNode } from 'react';
import type { ServiceStatus } from '../../shared/api-types.ts';
import { ErrorBox, Loading } from './status.tsx';

export function ServiceGate({ name, q, children }: { name: string; q: { data?: ServiceStatus; error: unknown; isPending: boolean; refetch(): unknown }; children: ReactNode }) {
  if (q.error) return <ErrorBox what={`check ${name}`} error={q.error} />;
  if (q.isPending || !q.data) return <Loading what={`${name} status`} />;
  const s = q.data;
  if (!s.reachable) {
    return (
      <div className="alert" role="alert">
        <strong>{s.url ? `${name} not reachable at ${s.url}` : `${name} is not configured`}</strong>
        <span>Reason: {s.error}</span>
        <div style={{ marginTop: 8 }}><button type="button" onClick={() => void q.refetch()}>Try again</button></div>
      </div>
    );
  }
  return <>{children}</>;
}
