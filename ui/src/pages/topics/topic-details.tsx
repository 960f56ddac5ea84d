// One topic: partitions (offsets, leader, replicas), messages, configs, produce; delete.
import { useState } from 'react';
import { useCan } from '../../lib/auth.tsx';
import { Route, Routes, useNavigate, useParams } from 'react-router-dom';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { keys, useTopic, useTopicRates } from '../../api/queries.ts';
import { LineChart } from '../../components/line-chart.tsx';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { ErrorBox, QueryView } from '../../components/status.tsx';
import { Crumbs, PageHead, Tabs } from '../../components/bits.tsx';
import { fmtBytes, fmtNum } from '../../lib/format.ts';
import { routes } from '../../routes.ts';
import type { TopicDetails as T } from '../../../shared/api-types.ts';
import { MessageBrowser } from '../messages/message-browser.tsx';
import { ProduceForm } from '../messages/produce-form.tsx';
import { TopicConfigs } from './topic-configs.tsx';

function Partitions({ t }: { t: T }) {
  const qc = useQueryClient();
  const [count, setCount] = useState('');
  const rates = useTopicRates(t.name);
  const m = useMutation({
    mutationFn: () => api.addPartitions(t.name, Number(count)),
    onSuccess: (d) => { qc.setQueryData(keys.topic(t.name), d); setCount(''); },
  });
  return (
    <>
      <p className="muted">{fmtNum(t.messages)} messages, {fmtBytes(t.sizeBytes)} on disk, {t.partitions.length} partitions.</p>
      <div className="table-wrap">
        <table aria-label="Partitions">
          <thead><tr><th className="num">Partition</th><th className="num">Leader</th><th>Replicas</th><th>In-sync replicas</th><th className="num">Start offset</th><th className="num">End offset</th><th className="num">Messages</th><th className="num">Size</th></tr></thead>
          <tbody>
            {t.partitions.map((p) => (
              <tr key={p.partition}>
                <td className="num">{p.partition}</td>
                <td className="num">{p.leader < 0 ? <span className="badge bad">offline</span> : p.leader}</td>
                <td>{p.replicas.join(', ')}</td>
                <td>{p.isr.join(', ')}{p.isr.length < p.replicas.length && <> <span className="badge warn">under-replicated</span></>}</td>
                <td className="num">{p.low}</td><td className="num">{p.high}</td>
                <td className="num">{fmtNum(p.messages)}</td><td className="num">{fmtBytes(p.sizeBytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form className="row" style={{ marginTop: 16 }} onSubmit={(e) => { e.preventDefault(); m.mutate(); }} aria-label="Add partitions">
        <div className="field">
          <label htmlFor="p-count">New partition count</label>
          <input id="p-count" type="number" min={t.partitions.length + 1} value={count} onChange={(e) => setCount(e.target.value)} placeholder={String(t.partitions.length + 1)} />
        </div>
        <button type="submit" disabled={!count || m.isPending}>Add partitions</button>
      </form>
      {m.error && <ErrorBox what="add partitions" error={m.error} />}
      <section className="panel" aria-labelledby="topic-rate-title" style={{ marginTop: 16 }}>
        <h2 id="topic-rate-title" style={{ marginTop: 0 }}>Messages in per second</h2>
        <p className="muted">From the brokers' <code>kafka_server_brokertopicmetrics_messagesin_total{'{'}topic="{t.name}"{'}'}</code>, as Prometheus scrapes it.</p>
        <LineChart title="Messages in" series={[{ label: 'Messages in', points: (rates.data?.points ?? []).map((p) => ({ t: p.t, v: p.rate })) }]} unit="/s" />
      </section>
    </>
  );
}

export function TopicDetails() {
  const { topic = '' } = useParams();
  const q = useTopic(topic);
  const nav = useNavigate(); const qc = useQueryClient();
  const [confirm, setConfirm] = useState(false);
  const can = useCan();
  const del = useMutation({
    mutationFn: () => api.deleteTopic(topic),
    onSuccess: () => { setConfirm(false); qc.removeQueries({ queryKey: keys.topic(topic) }); void qc.invalidateQueries({ queryKey: keys.topics }); nav(routes.topics()); },
  });
  return (
    <>
      <Crumbs items={[{ to: routes.topics(), label: 'Topics' }, { label: topic }]} />
      <PageHead title={topic}>
        {can('admin') && <button type="button" className="danger" onClick={() => setConfirm(true)}>Delete topic</button>}
      </PageHead>
      <Tabs label="Topic views" items={[
        { to: routes.topic(topic), label: 'Partitions', end: true },
        { to: routes.topicMessages(topic), label: 'Messages' },
        { to: routes.topicConfigs(topic), label: 'Configs' },
        { to: routes.topicProduce(topic), label: 'Produce message' },
      ]} />
      <Routes>
        <Route index element={<QueryView q={q} what={`topic "${topic}"`}>{(t) => <Partitions t={t} />}</QueryView>} />
        <Route path="messages" element={<MessageBrowser topic={topic} partitions={q.data?.partitions.map((p) => p.partition) ?? []} />} />
        <Route path="configs" element={<QueryView q={q} what={`configs of "${topic}"`}>{(t) => <TopicConfigs t={t} />}</QueryView>} />
        <Route path="produce" element={<ProduceForm topic={topic} partitions={q.data?.partitions.length ?? 0} />} />
      </Routes>
      <ConfirmDialog
        open={confirm} title={`Delete topic "${topic}"?`} confirmLabel="Delete topic" typeToConfirm={topic} busy={del.isPending}
        onConfirm={() => del.mutate()} onCancel={() => { setConfirm(false); del.reset(); }}
      >
        <p>All {q.data ? fmtNum(q.data.messages) : ''} messages in it are deleted. This cannot be undone.</p>
        {del.error && <ErrorBox what={`delete topic "${topic}"`} error={del.error} />}
      </ConfirmDialog>
    </>
  );
}
