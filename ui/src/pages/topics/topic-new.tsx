// Create topic: name, partitions, replication factor, any number of configs.
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { keys } from '../../api/queries.ts';
import { ErrorBox } from '../../components/status.tsx';
import { Crumbs } from '../../components/bits.tsx';
import { routes } from '../../routes.ts';

const COMMON = ['cleanup.policy', 'retention.ms', 'retention.bytes', 'segment.bytes', 'min.insync.replicas', 'max.message.bytes', 'compression.type'];

export function TopicNew() {
  const nav = useNavigate(); const qc = useQueryClient();
  const [name, setName] = useState(''); const [partitions, setPartitions] = useState('1'); const [rf, setRf] = useState('1');
  const [configs, setConfigs] = useState<{ key: string; value: string }[]>([]);
  const nameError = name && !/^[a-zA-Z0-9._-]+$/.test(name) ? 'Use letters, digits, ".", "_" and "-" only.' : null;
  const m = useMutation({
    mutationFn: () => api.createTopic({ name, partitions: Number(partitions), replicationFactor: Number(rf), configs: Object.fromEntries(configs.filter((c) => c.key).map((c) => [c.key, c.value])) }),
    onSuccess: (t) => { void qc.invalidateQueries({ queryKey: keys.topics }); nav(routes.topic(t.name)); },
  });
  return (
    <>
      <Crumbs items={[{ to: routes.topics(), label: 'Topics' }, { label: 'Create topic' }]} />
      <h1>Create topic</h1>
      <form className="stack panel" onSubmit={(e) => { e.preventDefault(); m.mutate(); }} aria-label="Create topic">
        <div className="field">
          <label htmlFor="t-name">Name</label>
          <input id="t-name" required value={name} onChange={(e) => setName(e.target.value)} aria-invalid={!!nameError} aria-describedby="t-name-help" autoFocus />
          <span id="t-name-help" className={nameError ? 'error' : 'help'}>{nameError ?? 'Up to 249 characters: letters, digits, ".", "_", "-".'}</span>
        </div>
        <div className="row">
          <div className="field"><label htmlFor="t-parts">Partitions</label><input id="t-parts" type="number" min={1} required value={partitions} onChange={(e) => setPartitions(e.target.value)} /></div>
          <div className="field"><label htmlFor="t-rf">Replication factor</label><input id="t-rf" type="number" min={1} required value={rf} onChange={(e) => setRf(e.target.value)} /></div>
        </div>
        <fieldset>
          <legend>Configs</legend>
          {configs.map((c, i) => (
            <div className="row" key={i} style={{ marginBottom: 8 }}>
              <div className="field">
                <label htmlFor={`cfg-k-${i}`}>Config name</label>
                <input id={`cfg-k-${i}`} list="topic-config-names" value={c.key} onChange={(e) => setConfigs(configs.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))} />
              </div>
              <div className="field">
                <label htmlFor={`cfg-v-${i}`}>Value</label>
                <input id={`cfg-v-${i}`} value={c.value} onChange={(e) => setConfigs(configs.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))} />
              </div>
              <button type="button" onClick={() => setConfigs(configs.filter((_, j) => j !== i))} aria-label={`Remove config ${c.key || i + 1}`}>Remove</button>
            </div>
          ))}
          <datalist id="topic-config-names">{COMMON.map((c) => <option key={c} value={c} />)}</datalist>
          <button type="button" onClick={() => setConfigs([...configs, { key: '', value: '' }])}>Add config</button>
        </fieldset>
        {m.error && <ErrorBox what={`create topic "${name}"`} error={m.error} />}
        <div className="actions">
          <button className="primary" type="submit" disabled={m.isPending || !!nameError || !name}>{m.isPending ? 'Creating…' : 'Create topic'}</button>
          <button type="button" onClick={() => nav(routes.topics())}>Cancel</button>
        </div>
      </form>
    </>
  );
}
