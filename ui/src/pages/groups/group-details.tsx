// One consumer group: members and assignments, lag per partition, lag history,
// offset reset (preview first; only when the group is empty), delete.
import { useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { keys, useGroup } from '../../api/queries.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { ErrorBox, Notice, QueryView } from '../../components/status.tsx';
import { Crumbs, PageHead, StateBadge } from '../../components/bits.tsx';
import { LineChart } from '../../components/line-chart.tsx';
import { fmtNum, fmtSeconds, parseLocalTime } from '../../lib/format.ts';
import { useSettings } from '../../lib/settings.tsx';
import { routes } from '../../routes.ts';
import type { GroupDetails as G, ResetOffsetsRequest, ResetTarget } from '../../../shared/api-types.ts';

function ResetOffsets({ g }: { g: G }) {
  const qc = useQueryClient();
  const { timeZone } = useSettings();
  const topics = [...new Set(g.partitions.map((p) => p.topic))];
  const [sp, setSp] = useSearchParams();
  const topic = sp.get('resetTopic') ?? topics[0] ?? '';
  const target = (sp.get('resetTo') as ResetTarget) || 'earliest';
  const [ts, setTs] = useState(''); const [offset, setOffset] = useState('');
  const [confirm, setConfirm] = useState(false);
  const setParam = (k: string, v: string) => { const n = new URLSearchParams(sp); n.set(k, v); setSp(n, { replace: true }); };
  const req = (preview: boolean): ResetOffsetsRequest => ({
    topic, target, preview,
    ...(target === 'timestamp' ? { timestamp: parseLocalTime(ts, timeZone) } : {}),
    ...(target === 'offset' ? { offset } : {}),
  });
  const previewM = useMutation({ mutationFn: () => api.resetOffsets(g.groupId, req(true)) });
  const applyM = useMutation({
    mutationFn: () => api.resetOffsets(g.groupId, req(false)),
    onSuccess: () => { setConfirm(false); void qc.invalidateQueries({ queryKey: keys.group(g.groupId) }); },
  });
  const empty = g.members.length === 0;
  return (
    <section className="panel" aria-labelledby="reset-title">
      <h2 id="reset-title" style={{ marginTop: 0 }}>Reset offsets</h2>
      {!empty && <Notice>The group has {g.members.length} active member(s). Offsets can be previewed, but only reset when the group is empty: stop its consumers first.</Notice>}
      <form className="row" onSubmit={(e) => { e.preventDefault(); applyM.reset(); previewM.mutate(); }} aria-label="Reset offsets">
        <div className="field">
          <label htmlFor="rs-topic">Topic</label>
          <select id="rs-topic" value={topic} onChange={(e) => setParam('resetTopic', e.target.value)}>{topics.map((t) => <option key={t}>{t}</option>)}</select>
        </div>
        <div className="field">
          <label htmlFor="rs-target">Reset to</label>
          <select id="rs-target" value={target} onChange={(e) => { previewM.reset(); setParam('resetTo', e.target.value); }}>
            <option value="earliest">Earliest offset</option><option value="latest">Latest offset</option>
            <option value="timestamp">Time</option><option value="offset">Specific offset</option>
          </select>
        </div>
        {target === 'timestamp' && <div className="field"><label htmlFor="rs-ts">Time ({timeZone})</label><input id="rs-ts" type="datetime-local" step={1} value={ts} onChange={(e) => setTs(e.target.value)} required /></div>}
        {target === 'offset' && <div className="field"><label htmlFor="rs-offset">Offset</label><input id="rs-offset" inputMode="numeric" pattern="\d+" value={offset} onChange={(e) => setOffset(e.target.value)} required /></div>}
        <button type="submit" disabled={!topic || previewM.isPending}>Preview</button>
      </form>
      {previewM.error && <ErrorBox what="preview the reset" error={previewM.error} />}
      {previewM.data && (
        <>
          <table aria-label="Reset preview" style={{ marginTop: 12 }}>
            <thead><tr><th className="num">Partition</th><th className="num">Current offset</th><th className="num">New offset</th></tr></thead>
            <tbody>{previewM.data.partitions.map((p) => <tr key={p.partition}><td className="num">{p.partition}</td><td className="num">{p.from ?? '—'}</td><td className="num">{p.to}</td></tr>)}</tbody>
          </table>
          <div className="actions" style={{ marginTop: 12 }}>
            <button type="button" className="danger" disabled={!empty} onClick={() => setConfirm(true)}>Reset offsets</button>
          </div>
        </>
      )}
      {applyM.data && <Notice kind="ok">Offsets of {topic} reset for {applyM.data.partitions.length} partition(s).</Notice>}
      <ConfirmDialog open={confirm} title={`Reset offsets of "${g.groupId}"?`} confirmLabel="Reset offsets" busy={applyM.isPending}
        onConfirm={() => applyM.mutate()} onCancel={() => { setConfirm(false); applyM.reset(); }}>
        <p>The group will resume {topic} from the new offsets shown in the preview.</p>
        {applyM.error && <ErrorBox what="reset offsets" error={applyM.error} />}
      </ConfirmDialog>
    </section>
  );
}

export function GroupDetails() {
  const { group = '' } = useParams();
  const q = useGroup(group);
  const nav = useNavigate(); const qc = useQueryClient();
  const [confirm, setConfirm] = useState(false);
  const del = useMutation({
    mutationFn: () => api.deleteGroup(group),
    onSuccess: () => { setConfirm(false); void qc.invalidateQueries({ queryKey: keys.groups }); nav(routes.groups()); },
  });
  return (
    <>
      <Crumbs items={[{ to: routes.groups(), label: 'Consumer groups' }, { label: group }]} />
      <PageHead title={group}>
        <button type="button" className="danger" disabled={!q.data || q.data.members.length > 0} onClick={() => setConfirm(true)} title="Only an empty group can be deleted">Delete group</button>
      </PageHead>
      <QueryView q={q} what={`consumer group "${group}"`}>
        {(g) => (
          <>
            <section className="cards" aria-label="Group figures">
              <div className="card"><div className="label">State</div><div className="value"><StateBadge state={g.state} /></div></div>
              <div className="card"><div className="label">Members</div><div className="value">{g.members.length}</div></div>
              <div className="card"><div className="label">Total lag</div><div className="value">{fmtNum(g.totalLag)}</div></div>
              <div className="card"><div className="label">Lag (time)</div><div className="value">{fmtSeconds(g.lagSeconds)}</div></div>
              <div className="card"><div className="label">Assignor</div><div className="value" style={{ fontSize: 16 }}>{g.protocol || '—'}</div></div>
            </section>
            <section className="panel" aria-labelledby="lag-title">
              <h2 id="lag-title" style={{ marginTop: 0 }}>Lag history</h2>
              <LineChart title="Total lag over time" series={[{ label: 'Total lag (messages)', points: g.lagHistory.map((p) => ({ t: p.t, v: p.lag })) }]} />
              <p className="muted">The lag in time is <code>kafka_consumergroup_lag_seconds</code>: the age of the oldest record the group has not consumed. Sampled from <code>/metrics</code> every {g.sampleIntervalMs >= 1000 ? `${Math.round(g.sampleIntervalMs / 1000)} s` : `${g.sampleIntervalMs} ms`}.</p>
            </section>
            <h2>Members</h2>
            {g.members.length ? (
              <table aria-label="Members">
                <thead><tr><th>Member</th><th>Client</th><th>Host</th><th>Assignment</th></tr></thead>
                <tbody>{g.members.map((m) => (
                  <tr key={m.memberId}>
                    <td className="mono">{m.memberId}</td><td>{m.clientId}</td><td>{m.clientHost}</td>
                    <td>{m.assignment.map((a) => <div key={a.topic}>{a.topic}: {a.partitions.join(', ')}</div>)}</td>
                  </tr>
                ))}</tbody>
              </table>
            ) : <p className="muted">No active members.</p>}
            <h2>Lag per partition</h2>
            <table aria-label="Lag per partition">
              <thead><tr><th>Topic</th><th className="num">Partition</th><th className="num">Committed offset</th><th className="num">End offset</th><th className="num">Lag</th><th className="num">Lag (time)</th><th>Member</th></tr></thead>
              <tbody>
                {g.partitions.map((p) => (
                  <tr key={`${p.topic}-${p.partition}`}>
                    <td><Link to={routes.topicMessages(p.topic, { mode: 'group', group: g.groupId, partitions: p.partition })}>{p.topic}</Link></td>
                    <td className="num">{p.partition}</td><td className="num">{p.committed ?? '—'}</td><td className="num">{p.high}</td>
                    <td className="num">{fmtNum(p.lag)}</td><td className="num">{fmtSeconds(p.lagSeconds)}</td><td className="mono">{p.memberId ?? ''}</td>
                  </tr>
                ))}
                {!g.partitions.length && <tr><td colSpan={7} className="muted">No committed offsets.</td></tr>}
              </tbody>
            </table>
            {g.partitions.length > 0 && <ResetOffsets g={g} />}
          </>
        )}
      </QueryView>
      <ConfirmDialog open={confirm} title={`Delete group "${group}"?`} confirmLabel="Delete group" typeToConfirm={group} busy={del.isPending}
        onConfirm={() => del.mutate()} onCancel={() => { setConfirm(false); del.reset(); }}>
        <p>Its committed offsets are deleted.</p>
        {del.error && <ErrorBox what={`delete group "${group}"`} error={del.error} />}
      </ConfirmDialog>
    </>
  );
}
