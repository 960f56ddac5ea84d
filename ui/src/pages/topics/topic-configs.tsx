// A topic's configs: every entry with its source; edit overrides, reset to default.
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { keys } from '../../api/queries.ts';
import { ErrorBox, Notice } from '../../components/status.tsx';
import type { TopicDetails } from '../../../shared/api-types.ts';

export function TopicConfigs({ t }: { t: TopicDetails }) {
  const qc = useQueryClient();
  const [sp, setSp] = useSearchParams();
  const filter = sp.get('q') ?? '';
  const [edits, setEdits] = useState<Record<string, string | null>>({});
  const [saved, setSaved] = useState(false);
  const m = useMutation({
    mutationFn: () => api.alterTopicConfigs(t.name, { set: edits }),
    onSuccess: (d) => { qc.setQueryData(keys.topic(t.name), d); setEdits({}); setSaved(true); },
  });
  const changed = Object.keys(edits).length;
  const shown = t.configs.filter((c) => c.name.includes(filter));
  return (
    <form onSubmit={(e) => { e.preventDefault(); setSaved(false); m.mutate(); }} aria-label="Topic configs">
      <div className="row" style={{ marginBottom: 12 }}>
        <div className="field">
          <label htmlFor="cfg-filter">Filter configs</label>
          <input id="cfg-filter" type="search" value={filter} onChange={(e) => { const n = new URLSearchParams(sp); if (e.target.value) n.set('q', e.target.value); else n.delete('q'); setSp(n, { replace: true }); }} />
        </div>
        <div className="actions" style={{ paddingBottom: 2 }}>
          <button className="primary" type="submit" disabled={!changed || m.isPending}>{m.isPending ? 'Saving…' : `Save changes${changed ? ` (${changed})` : ''}`}</button>
          <button type="button" disabled={!changed} onClick={() => setEdits({})}>Discard</button>
        </div>
      </div>
      {m.error && <ErrorBox what={`change configs of "${t.name}"`} error={m.error} />}
      {saved && !changed && <Notice kind="ok">Configs saved.</Notice>}
      <table aria-label="Configs">
        <thead><tr><th>Name</th><th>Value</th><th>Source</th><th /></tr></thead>
        <tbody>
          {shown.map((c) => {
            const editing = c.name in edits;
            const value = editing ? edits[c.name] ?? '' : c.sensitive ? '' : c.value ?? '';
            return (
              <tr key={c.name}>
                <td className="mono"><label htmlFor={`cfg-${c.name}`}>{c.name}</label></td>
                <td>
                  <input id={`cfg-${c.name}`} value={value} disabled={c.readOnly} placeholder={c.sensitive ? '(sensitive)' : ''} style={{ width: '100%' }}
                    onChange={(e) => setEdits({ ...edits, [c.name]: e.target.value })} />
                </td>
                <td>{editing ? <span className="badge warn">changed</span> : <span className={c.source === 'topic' ? 'badge ok' : 'muted'}>{c.source}</span>}</td>
                <td>{c.source === 'topic' && !editing && <button type="button" className="link" onClick={() => setEdits({ ...edits, [c.name]: null })}>Reset to default</button>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </form>
  );
}
