// Connectors: state of each connector and its tasks.
import { Link } from 'react-router-dom';
import { useCan } from '../../lib/auth.tsx';
import { useConnectStatus, useConnectors } from '../../api/queries.ts';
import { QueryView } from '../../components/status.tsx';
import { ServiceGate } from '../../components/service-gate.tsx';
import { PageHead, StateBadge } from '../../components/bits.tsx';
import { routes } from '../../routes.ts';

export function ConnectorList() {
  const can = useCan();
  const status = useConnectStatus();
  const list = useConnectors(!!status.data?.reachable);
  return (
    <>
      <PageHead title="Connectors">{can('admin') && <Link className="button primary" to={routes.newConnector()}>Create connector</Link>}</PageHead>
      <ServiceGate name="Kafka Connect" q={status}>
        <QueryView q={list} what="connectors">
          {(all) => {
            const names = Object.keys(all).sort();
            return (
              <table aria-label="Connectors">
                <thead><tr><th>Name</th><th>Type</th><th>Class</th><th>State</th><th>Tasks</th></tr></thead>
                <tbody>
                  {names.map((n) => {
                    const c = all[n];
                    return (
                      <tr key={n}>
                        <td><Link to={routes.connector(n)}>{n}</Link></td>
                        <td>{c.info?.type ?? c.status?.type ?? ''}</td>
                        <td className="mono">{c.info?.config?.['connector.class'] ?? ''}</td>
                        <td>{c.status ? <StateBadge state={c.status.connector.state} /> : '—'}</td>
                        <td>{c.status?.tasks.map((t) => <span key={t.id} style={{ marginRight: 4 }}>#{t.id} <StateBadge state={t.state} /></span>)}</td>
                      </tr>
                    );
                  })}
                  {!names.length && <tr><td colSpan={5} className="muted">No connectors yet.</td></tr>}
                </tbody>
              </table>
            );
          }}
        </QueryView>
      </ServiceGate>
    </>
  );
}
