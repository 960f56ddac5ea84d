// One connector: state, tasks with failure traces, config; pause/resume/restart/delete.
import { useState } from 'react';
import { useCan } from '../../lib/auth.tsx';
import { useNavigate, useParams } from 'react-router-dom';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { keys, useConnector, useConnectorRates, useConnectorStatus } from '../../api/queries.ts';
import { LineChart } from '../../components/line-chart.tsx';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { ErrorBox, QueryView } from '../../components/status.tsx';
import { Crumbs, PageHead, StateBadge } from '../../components/bits.tsx';
import { routes } from '../../routes.ts';

export function ConnectorDetails() {
  const { name = '' } = useParams();
  const status = useConnectorStatus(name); const info = useConnector(name); const rates = useConnectorRates(name);
  const nav = useNavigate(); const qc = useQueryClient();
  const [confirm, setConfirm] = useState(false);
  const refresh = () => { void qc.invalidateQueries({ queryKey: keys.connectorStatus(name) }); void qc.invalidateQueries({ queryKey: keys.connectors }); };
  const action = useMutation({
    mutationFn: (a: 'pause' | 'resume' | 'restart') => api.connect[a](name),
    onSuccess: refresh,
  });
  const restartTask = useMutation({ mutationFn: (t: number) => api.connect.restartTask(name, t), onSuccess: refresh });
  const del = useMutation({
    mutationFn: () => api.connect.remove(name),
    onSuccess: () => { setConfirm(false); void qc.invalidateQueries({ queryKey: keys.connectors }); nav(routes.connectors()); },
  });
  const state = status.data?.connector.state;
  const can = useCan();
  return (
    <>
      <Crumbs items={[{ to: routes.connectors(), label: 'Connectors' }, { label: name }]} />
      <PageHead title={name}>
        {can('operate') && <button type="button" onClick={() => action.mutate('pause')} disabled={state !== 'RUNNING' || action.isPending}>Pause</button>}
        {can('operate') && <button type="button" onClick={() => action.mutate('resume')} disabled={state !== 'PAUSED' || action.isPending}>Resume</button>}
        {can('operate') && <button type="button" onClick={() => action.mutate('restart')} disabled={action.isPending}>Restart</button>}
        {can('admin') && <button type="button" className="danger" onClick={() => setConfirm(true)}>Delete connector</button>}
      </PageHead>
      {action.error && <ErrorBox what={`${action.variables} connector "${name}"`} error={action.error} />}
      <QueryView q={status} what={`status of "${name}"`}>
        {(s) => (
          <>
            <p>Connector <StateBadge state={s.connector.state} /> on worker <code>{s.connector.worker_id}</code></p>
            {s.connector.trace && <><h3>Connector failure trace</h3><pre aria-label="Connector failure trace">{s.connector.trace}</pre></>}
            <h2>Tasks</h2>
            <table aria-label="Tasks">
              <thead><tr><th className="num">Task</th><th>State</th><th>Worker</th><th /></tr></thead>
              <tbody>
                {s.tasks.map((t) => [
                  <tr key={t.id}>
                    <td className="num">{t.id}</td><td><StateBadge state={t.state} /></td><td className="mono">{t.worker_id}</td>
                    <td>{can('operate') && <button type="button" onClick={() => restartTask.mutate(t.id)} disabled={restartTask.isPending}>Restart task {t.id}</button>}</td>
                  </tr>,
                  t.trace && <tr key={`${t.id}-trace`}><td colSpan={4}><details open><summary>Failure trace of task {t.id}</summary><pre aria-label={`Failure trace of task ${t.id}`}>{t.trace}</pre></details></td></tr>,
                ])}
                {!s.tasks.length && <tr><td colSpan={4} className="muted">No tasks.</td></tr>}
              </tbody>
            </table>
            {restartTask.error && <ErrorBox what="restart the task" error={restartTask.error} />}
          </>
        )}
      </QueryView>
      <section className="panel" aria-labelledby="rate-title">
        <h2 id="rate-title" style={{ marginTop: 0 }}>Records per second</h2>
        <p className="muted">Source records the broker acknowledged and sink records put, from Connect's <code>/metrics</code> (<code>source-record-write</code>, <code>sink-record-send</code>).</p>
        <LineChart title="Connector throughput" series={[{ label: 'Records', points: (rates.data?.points ?? []).map((p) => ({ t: p.t, v: p.rate })) }]} unit="/s" />
      </section>
      <h2>Configuration</h2>
      <QueryView q={info} what={`config of "${name}"`}>
        {(c) => (
          <table aria-label="Configuration">
            <tbody>{Object.entries(c.config).sort().map(([k, v]) => <tr key={k}><td className="mono">{k}</td><td className="mono">{/password|secret/i.test(k) ? '••••••' : v}</td></tr>)}</tbody>
          </table>
        )}
      </QueryView>
      <ConfirmDialog open={confirm} title={`Delete connector "${name}"?`} confirmLabel="Delete connector" typeToConfirm={name} busy={del.isPending}
        onConfirm={() => del.mutate()} onCancel={() => { setConfirm(false); del.reset(); }}>
        <p>Its tasks stop and its configuration is removed. Committed offsets stay.</p>
        {del.error && <ErrorBox what={`delete connector "${name}"`} error={del.error} />}
      </ConfirmDialog>
    </>
  );
}
