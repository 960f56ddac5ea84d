// Brokers: who is alive (rack, controller), leaders and replicas per broker as bars,
// partitions that need attention (offline, under-replicated), reassignments in
// progress, disk use per log directory, and in a cluster whether each broker reaches the
// metadata store (a banner while one does not).
import { Link } from 'react-router-dom';
import { useBrokers } from '../../api/queries.ts';
import { BrokerBars } from '../../components/broker-bars.tsx';
import { MetadataStoreBanner, StoreSymbol } from '../../components/metadata-store.tsx';
import { QueryView } from '../../components/status.tsx';
import { fmtBytes, fmtNum } from '../../lib/format.ts';
import { routes } from '../../routes.ts';
import type { PartitionHealth } from '../../../shared/api-types.ts';

function Card({ label, value, bad }: { label: string; value: string; bad?: boolean }) {
  return <div className={`card${bad ? ' bad' : ''}`}><div className="label">{label}</div><div className="value">{value}</div></div>;
}

const ids = (l: number[]) => (l.length ? l.join(', ') : '—');

function PartitionTable({ label, rows }: { label: string; rows: PartitionHealth[] }) {
  return (
    <table aria-label={label}>
      <thead><tr><th>Topic</th><th className="num">Partition</th><th className="num">Leader</th><th>Replicas</th><th>In sync</th><th>Offline replicas</th></tr></thead>
      <tbody>
        {rows.map((p) => (
          <tr key={`${p.topic}-${p.partition}`}>
            <td><Link to={routes.topic(p.topic)}>{p.topic}</Link></td><td className="num">{p.partition}</td>
            <td className="num">{p.leader < 0 ? <span className="badge bad solid">none</span> : p.leader}</td>
            <td>{ids(p.replicas)}</td><td>{ids(p.isr)}</td><td>{ids(p.offlineReplicas)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function BrokerList() {
  const q = useBrokers();
  return (
    <>
      <h1>Brokers</h1>
      <QueryView q={q} what="brokers">
        {(c) => {
          const alive = c.brokers.filter((b) => b.alive).length;
          const store = c.metadataStore;
          const storeOf = new Map(store?.brokers.map((b) => [b.nodeId, b.reachable]) ?? []);
          return (
            <>
              <MetadataStoreBanner s={store} />
              <p className="muted">Cluster <code>{c.clusterId}</code>; controller is broker {c.controllerId}.</p>
              <section className="cards" aria-label="Cluster health">
                <Card label="Brokers alive" value={`${fmtNum(alive)} / ${fmtNum(c.brokers.length)}`} bad={alive < c.brokers.length} />
                <Card label="Controller" value={c.controllerId >= 0 ? `broker ${c.controllerId}` : 'none'} bad={c.controllerId < 0} />
                <Card label="Partitions" value={fmtNum(c.partitionCount)} />
                <Card label="Under-replicated" value={fmtNum(c.underReplicated.length)} bad={c.underReplicated.length > 0} />
                <Card label="Offline partitions" value={fmtNum(c.offline.length)} bad={c.offline.length > 0} />
                <Card label="Reassignments" value={c.reassignments ? fmtNum(c.reassignments.length) : '—'} />
                {store && (
                  <div className={`card${store.state === 'unreachable' ? ' bad' : ''}`}>
                    <div className="label">Metadata store</div>
                    <div className="value store-state"><StoreSymbol reachable={store.state === 'reachable'} />{store.state}</div>
                  </div>
                )}
              </section>
              <section className="panel" aria-labelledby="bars-title">
                <h2 id="bars-title" style={{ marginTop: 0 }}>Leaders and replicas per broker</h2>
                <BrokerBars brokers={c.brokers} />
              </section>
              <table aria-label="Brokers">
                <thead>
                  <tr><th>Broker</th><th>State</th><th>Host</th><th className="num">Port</th><th>Rack</th><th>Role</th>{store && <th>Metadata store</th>}<th className="num">Partition leaders</th><th className="num">Replicas</th><th className="num">Disk used</th><th>Log directories</th></tr>
                </thead>
                <tbody>
                  {c.brokers.map((b) => (
                    <tr key={b.nodeId}>
                      <td>{b.nodeId}</td>
                      <td>{b.alive ? <span className="badge ok">alive</span> : <span className="badge bad solid">offline</span>}</td>
                      <td>{b.host || '—'}</td><td className="num">{b.port || '—'}</td><td>{b.rack ?? '—'}</td>
                      <td>{b.isController ? <span className="badge ok">controller</span> : 'broker'}</td>
                      {store && <td>{storeOf.get(b.nodeId) === undefined ? <span className="muted">—</span> : storeOf.get(b.nodeId) ? <span className="badge ok">reachable</span> : <span className="badge bad solid">unreachable</span>}</td>}
                      <td className="num">{fmtNum(b.leaderCount)}</td><td className="num">{fmtNum(b.replicaCount)}</td>
                      <td className="num">{fmtBytes(b.sizeBytes)}</td>
                      <td className="mono">{b.logDirs.map((d) => <div key={d.path}>{d.path} ({fmtBytes(d.sizeBytes)}){d.error ? ` — ${d.error}` : ''}</div>)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <h2>Offline partitions</h2>
              {c.offline.length ? <PartitionTable label="Offline partitions" rows={c.offline} /> : <p className="muted">Every partition has a leader.</p>}
              <h2>Under-replicated partitions</h2>
              {c.underReplicated.length ? <PartitionTable label="Under-replicated partitions" rows={c.underReplicated} /> : <p className="muted">Every partition's replicas are in sync.</p>}
              <h2>Reassignments in progress</h2>
              {c.reassignments === null
                ? <p className="muted">Not listed: {c.reassignmentsError}.</p>
                : c.reassignments.length
                  ? (
                    <table aria-label="Reassignments">
                      <thead><tr><th>Topic</th><th className="num">Partition</th><th>Replicas</th><th>Adding</th><th>Removing</th></tr></thead>
                      <tbody>{c.reassignments.map((r) => <tr key={`${r.topic}-${r.partition}`}><td>{r.topic}</td><td className="num">{r.partition}</td><td>{ids(r.replicas)}</td><td>{ids(r.adding)}</td><td>{ids(r.removing)}</td></tr>)}</tbody>
                    </table>
                  )
                  : <p className="muted">No reassignments in progress.</p>}
            </>
          );
        }}
      </QueryView>
    </>
  );
}
