// Produce one message: key, value (text or hex), headers, optional partition.
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { keys } from '../../api/queries.ts';
import { ErrorBox, Notice } from '../../components/status.tsx';
import { routes } from '../../routes.ts';

export function ProduceForm({ topic, partitions }: { topic: string; partitions: number }) {
  const qc = useQueryClient();
  const [key, setKey] = useState(''); const [value, setValue] = useState(''); const [hex, setHex] = useState(false);
  const [nullKey, setNullKey] = useState(false); const [partition, setPartition] = useState('');
  const [headers, setHeaders] = useState<{ key: string; value: string }[]>([]);
  const m = useMutation({
    mutationFn: () => api.produce(topic, {
      key: nullKey ? null : key, value, valueEncoding: hex ? 'hex' : 'text', headers: headers.filter((h) => h.key),
      ...(partition !== '' ? { partition: Number(partition) } : {}),
    }),
    onSuccess: () => { void qc.invalidateQueries({ queryKey: keys.topic(topic) }); },
  });
  const jsonError = !hex && value.trim().startsWith('{') ? (() => { try { JSON.parse(value); return null; } catch (e) { return `Not valid JSON (${(e as Error).message}); it will be sent as text.`; } })() : null;
  return (
    <form className="stack panel" onSubmit={(e) => { e.preventDefault(); m.mutate(); }} aria-label="Produce message">
      <div className="field">
        <label htmlFor="pm-key">Key</label>
        <input id="pm-key" value={key} disabled={nullKey} onChange={(e) => setKey(e.target.value)} />
        <label style={{ fontWeight: 'normal' }}><input type="checkbox" checked={nullKey} onChange={(e) => setNullKey(e.target.checked)} /> No key (null)</label>
      </div>
      <div className="field">
        <label htmlFor="pm-value">Value</label>
        <textarea id="pm-value" rows={8} value={value} onChange={(e) => setValue(e.target.value)} aria-describedby="pm-value-help" />
        <span id="pm-value-help" className={jsonError ? 'error' : 'help'}>{jsonError ?? (hex ? 'Hex bytes, e.g. 00 01 ff' : 'Text, sent as UTF-8.')}</span>
        <label style={{ fontWeight: 'normal' }}><input type="checkbox" checked={hex} onChange={(e) => setHex(e.target.checked)} /> Value is hex bytes</label>
      </div>
      <div className="field">
        <label htmlFor="pm-partition">Partition</label>
        <select id="pm-partition" value={partition} onChange={(e) => setPartition(e.target.value)}>
          <option value="">Chosen by key (default partitioner)</option>
          {Array.from({ length: partitions }, (_, i) => <option key={i} value={i}>{i}</option>)}
        </select>
      </div>
      <fieldset>
        <legend>Headers</legend>
        {headers.map((h, i) => (
          <div className="row" key={i} style={{ marginBottom: 8 }}>
            <div className="field"><label htmlFor={`pm-hk-${i}`}>Header name</label><input id={`pm-hk-${i}`} value={h.key} onChange={(e) => setHeaders(headers.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))} /></div>
            <div className="field"><label htmlFor={`pm-hv-${i}`}>Header value</label><input id={`pm-hv-${i}`} value={h.value} onChange={(e) => setHeaders(headers.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))} /></div>
            <button type="button" onClick={() => setHeaders(headers.filter((_, j) => j !== i))}>Remove</button>
          </div>
        ))}
        <button type="button" onClick={() => setHeaders([...headers, { key: '', value: '' }])}>Add header</button>
      </fieldset>
      {m.error && <ErrorBox what={`produce to "${topic}"`} error={m.error} />}
      {m.data && (
        <Notice kind="ok">
          Produced to partition {m.data.partition} at offset {m.data.offset}.{' '}
          <Link to={routes.topicMessages(topic, { mode: 'offset', partitions: m.data.partition, offset: m.data.offset, limit: 1 })}>View message</Link>
        </Notice>
      )}
      <div className="actions"><button className="primary" type="submit" disabled={m.isPending}>{m.isPending ? 'Producing…' : 'Produce message'}</button></div>
    </form>
  );
}
