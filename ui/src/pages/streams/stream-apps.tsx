// Stream applications: consumer groups whose members run a streams runtime (group
// protocol "stream"; tributary's instances also publish their topology and stores in
// their subscription metadata). Per application: its instances and their tasks, input
// lag, state stores with their changelogs' size, and the topology as describe() prints it.
import { Link } from 'react-router-dom';
import { useStreamApps } from '../../api/queries.ts';
import { QueryView } from '../../components/status.tsx';
import { StateBadge } from '../../components/bits.tsx';
import { fmtBytes, fmtNum } from '../../lib/format.ts';
import { routes } from '../../routes.ts';
import type { StreamApp } from '../../../shared/streams-types.ts';

function App({ a }: { a: StreamApp }) {
  const id = a.applicationId;
  return (
    <section className="panel" aria-label={`Stream application ${id}`}>
      <h2 style={{ marginTop: 0 }}>{id} <StateBadge state={a.state} /></h2>
      <p className="muted">
        group <Link to={routes.group(id)}>{id}</Link>
        {a.kind === 'kafka-streams' && <> · a Kafka Streams group: its members do not publish their topology</>}
      </p>
      <section className="cards" aria-label={`Figures of ${id}`}>
        <div className="card"><div className="label">Instances</div><div className="value">{fmtNum(a.members.length)}</div></div>
        <div className="card"><div className="label">Tasks</div><div className="value">{fmtNum(a.members.reduce((n, m) => n + m.tasks.length, 0))}</div></div>
        <div className={`card${a.totalLag > 0 ? ' bad' : ''}`}><div className="label">Input lag (records)</div><div className="value">{fmtNum(a.totalLag)}</div></div>
        <div className="card"><div className="label">State stores</div><div className="value">{fmtNum(a.stores.length)}</div></div>
      </section>
      <h3>Instances</h3>
      <table aria-label={`Instances of ${id}`}>
        <thead><tr><th>Client</th><th>Host</th><th>application.server</th><th>Tasks</th></tr></thead>
        <tbody>
          {a.members.map((m) => (
            <tr key={m.memberId}><td>{m.clientId}</td><td>{m.clientHost}</td><td>{m.applicationServer ?? <span className="muted">none</span>}</td><td>{m.tasks.join(', ') || <span className="muted">none</span>}</td></tr>
          ))}
          {!a.members.length && <tr><td colSpan={4} className="muted">No instance is running.</td></tr>}
        </tbody>
      </table>
      <h3>State stores</h3>
      {a.stores.length ? (
        <table aria-label={`State stores of ${id}`}>
          <thead><tr><th>Store</th><th>Changelog topic</th><th className="num">Changelog records</th><th className="num">Changelog size</th></tr></thead>
          <tbody>
            {a.stores.map((s) => (
              <tr key={s.name}>
                <td>{s.name}</td>
                <td>{s.changelog ? <Link to={routes.topic(s.changelog)}>{s.changelog}</Link> : <span className="muted">logging disabled</span>}</td>
                <td className="num">{s.records === null ? '–' : fmtNum(s.records)}</td>
                <td className="num">{s.bytes === null ? '–' : fmtBytes(s.bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <p className="muted">No state stores{a.kind === 'kafka-streams' ? ' known' : ''}.</p>}
      <h3>Input lag</h3>
      <table aria-label={`Input lag of ${id}`}>
        <thead><tr><th>Topic</th><th className="num">Partition</th><th className="num">Committed</th><th className="num">End</th><th className="num">Lag</th></tr></thead>
        <tbody>
          {a.lag.map((l) => (
            <tr key={`${l.topic}-${l.partition}`}>
              <td><Link to={routes.topic(l.topic)}>{l.topic}</Link></td><td className="num">{l.partition}</td>
              <td className="num">{l.committed ?? '–'}</td><td className="num">{l.high}</td>
              <td className="num">{l.lag > 0 ? <span className="badge warn">{fmtNum(l.lag)}</span> : '0'}</td>
            </tr>
          ))}
          {!a.lag.length && <tr><td colSpan={5} className="muted">No committed offsets yet.</td></tr>}
        </tbody>
      </table>
      <h3>Topology</h3>
      {a.topology ? <pre aria-label={`Topology of ${id}`} className="code">{a.topology}</pre> : <p className="muted">Not published by the instances.</p>}
    </section>
  );
}

export function StreamApps() {
  const apps = useStreamApps();
  return (
    <>
      <h1>Stream applications</h1>
      <QueryView q={apps} what="stream applications">
        {(list) => (list.length ? <>{list.map((a) => <App key={a.applicationId} a={a} />)}</> : <p className="muted">No stream applications: no consumer group runs the stream protocol.</p>)}
      </QueryView>
    </>
  );
}
