// Mirroring: MirrorMaker 2 flows (source → target) of the Mirror* connectors on the
// configured Connect — their states, the topics mirrored with replication lag in
// records and seconds, the last checkpoint per group, the last heartbeat.
import { Link } from 'react-router-dom';
import { useMirror } from '../../api/queries.ts';
import { QueryView } from '../../components/status.tsx';
import { StateBadge } from '../../components/bits.tsx';
import { fmtNum, fmtSeconds, fmtTime } from '../../lib/format.ts';
import { useSettings } from '../../lib/settings.tsx';
import { routes } from '../../routes.ts';
import type { MirrorCheckpoint, MirrorFlow } from '../../../shared/api-types.ts';


/** Per group: its partitions' checkpoints and when the newest was written. */
function byGroup(cps: MirrorCheckpoint[]) {
  const m = new Map<string, MirrorCheckpoint[]>();
  for (const c of cps) m.set(c.group, [...(m.get(c.group) ?? []), c]);
  return [...m].map(([group, list]) => ({ group, list, at: Math.max(...list.map((c) => c.at)) }));
}

function Flow({ f }: { f: MirrorFlow }) {
  const { timeZone } = useSettings();
  const title = `${f.source} → ${f.target}`;
  const lag = f.topics.reduce((n, t) => n + t.lagRecords, 0);
  const worst = f.topics.reduce<number | null>((m, t) => (t.lagSeconds === null ? m : Math.max(m ?? 0, t.lagSeconds)), null);
  return (
    <section className="panel" aria-label={`Flow ${title}`}>
      <h2 style={{ marginTop: 0 }}>{title}</h2>
      <p className="muted">
        <code>{f.sourceBootstrap ?? '?'}</code> → <code>{f.targetBootstrap ?? '?'}</code> · {f.policy} · on <code>{f.connectUrl}</code> ·{' '}
        {f.lastHeartbeat ? <>last heartbeat {fmtTime(f.lastHeartbeat, timeZone)}</> : <span className="badge warn">no heartbeat yet</span>}
        {f.heartbeatError && <> · {f.heartbeatError}</>}
      </p>
      <section className="cards" aria-label={`Figures of ${title}`}>
        <div className="card"><div className="label">Topics mirrored</div><div className="value">{fmtNum(f.topics.length)}</div></div>
        <div className={`card${lag > 0 ? ' bad' : ''}`}><div className="label">Replication lag (records)</div><div className="value">{fmtNum(lag)}</div></div>
        <div className="card"><div className="label">Replication lag (time)</div><div className="value">{fmtSeconds(worst)}</div></div>
        <div className="card"><div className="label">Groups checkpointed</div><div className="value">{fmtNum(byGroup(f.checkpoints).length)}</div></div>
      </section>
      <table aria-label={`Connectors of ${title}`}>
        <thead><tr><th>Connector</th><th>Role</th><th>State</th><th>Tasks</th></tr></thead>
        <tbody>
          {f.connectors.map((c) => (
            <tr key={c.name}>
              <td><Link to={routes.connector(c.name)}>{c.name}</Link></td><td>{c.kind}</td><td><StateBadge state={c.state} /></td>
              <td>{c.tasks.map((t) => <span key={t.id} style={{ marginRight: 4 }}><StateBadge state={t.state} /></span>)}{!c.tasks.length && <span className="muted">none</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Topics</h3>
      {f.topicsError && <p className="alert" role="alert">{f.topicsError}</p>}
      {f.topics.length ? (
        <table aria-label={`Topics of ${title}`}>
          <thead><tr><th>Source topic</th><th>Target topic</th><th className="num">Partitions</th><th className="num">Lag (records)</th><th className="num">Lag (time)</th></tr></thead>
          <tbody>
            {f.topics.map((t) => (
              <tr key={t.topic}>
                <td>{t.topic}</td><td>{t.remoteTopic}</td><td className="num">{t.partitions}</td>
                <td className="num">{t.lagRecords > 0 ? <span className="badge warn">{fmtNum(t.lagRecords)}</span> : '0'}</td>
                <td className="num">{fmtSeconds(t.lagSeconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : !f.topicsError && <p className="muted">No topic copied yet.</p>}
      <p className="muted">Lag counts source records after the offsets the source connector committed (every <code>offset.flush.interval.ms</code>).</p>
      <h3>Checkpoints</h3>
      {f.checkpointsError && <p className="alert" role="alert">{f.checkpointsError}</p>}
      {f.checkpoints.length ? (
        <table aria-label={`Checkpoints of ${title}`}>
          <thead><tr><th>Group</th><th>Last checkpoint</th><th>Topic on {f.target}</th><th className="num">Partition</th><th className="num">Upstream offset</th><th className="num">Downstream offset</th></tr></thead>
          <tbody>
            {byGroup(f.checkpoints).flatMap((g) => g.list.map((c, i) => (
              <tr key={`${c.group}-${c.topic}-${c.partition}`}>
                <td>{i === 0 ? c.group : ''}</td><td>{i === 0 ? fmtTime(g.at, timeZone) : ''}</td>
                <td>{c.topic}</td><td className="num">{c.partition}</td><td className="num">{fmtNum(c.upstreamOffset)}</td><td className="num">{fmtNum(c.downstreamOffset)}</td>
              </tr>
            )))}
          </tbody>
        </table>
      ) : !f.checkpointsError && <p className="muted">No checkpoints yet: they follow consumer groups that commit on {f.source}.</p>}
    </section>
  );
}

export function MirrorFlows() {
  const q = useMirror();
  return (
    <>
      <h1>Mirroring</h1>
      <QueryView q={q} what="MirrorMaker 2 flows">
        {(m) => (
          <>
            {m.errors.map((e) => <p key={e} className="alert" role="alert">Kafka Connect not reachable at {e}</p>)}
            {m.flows.length
              ? m.flows.map((f) => <Flow key={`${f.connectUrl} ${f.source}->${f.target}`} f={f} />)
              : <p className="muted">No MirrorMaker 2 connectors on {m.connects.join(', ')}. Start a flow with <code>tributary mirror --config mm2.properties</code> (and the UI with <code>--mirror-connect</code> naming its workers) or create the <code>Mirror*Connector</code>s.</p>}
          </>
        )}
      </QueryView>
    </>
  );
}
