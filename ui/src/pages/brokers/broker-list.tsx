// Brokers: id, address, controller, partitions led, disk use per log dir.
import { useBrokers } from '../../api/queries.ts';
import { QueryView } from '../../components/status.tsx';
import { fmtBytes, fmtNum } from '../../lib/format.ts';

export function BrokerList() {
  const q = useBrokers();
  return (
    <>
      <h1>Brokers</h1>
      <QueryView q={q} what="brokers">
        {(c) => (
          <>
            <p className="muted">Cluster <code>{c.clusterId}</code>; controller is broker {c.controllerId}.</p>
            <table>
              <thead>
                <tr><th>Broker</th><th>Host</th><th className="num">Port</th><th>Role</th><th className="num">Partition leaders</th><th className="num">Replicas</th><th className="num">Disk used</th><th>Log directories</th></tr>
              </thead>
              <tbody>
                {c.brokers.map((b) => (
                  <tr key={b.nodeId}>
                    <td>{b.nodeId}</td><td>{b.host}</td><td className="num">{b.port}</td>
                    <td>{b.isController ? <span className="badge ok">controller</span> : 'broker'}</td>
                    <td className="num">{fmtNum(b.leaderCount)}</td><td className="num">{fmtNum(b.replicaCount)}</td>
                    <td className="num">{fmtBytes(b.sizeBytes)}</td>
                    <td className="mono">{b.logDirs.map((d) => <div key={d.path}>{d.path} ({fmtBytes(d.sizeBytes)}){d.error ? ` — ${d.error}` : ''}</div>)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </QueryView>
    </>
  );
}
