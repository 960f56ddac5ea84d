// The message browser. Seek position, filters and budgets live in the URL, so a
// link reproduces the view; the scan runs on the server and streams back.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useMutation } from '@tanstack/react-query';
import { api, browse } from '../../api/client.ts';
import { useGroups } from '../../api/queries.ts';
import { ErrorBox, Notice } from '../../components/status.tsx';
import { Pager, Time } from '../../components/bits.tsx';
import { fmtNum, parseLocalTime, toLocalInput } from '../../lib/format.ts';
import { useSettings } from '../../lib/settings.tsx';
import type { BrowseEvent, BrowseQuery, BrowsedMessage, RenderedBytes, ScanProgress, SeekMode } from '../../../shared/api-types.ts';
import { exportCsv, exportJson } from './export.ts';

const MODES: { value: SeekMode; label: string }[] = [
  { value: 'newest', label: 'Newest' },
  { value: 'oldest', label: 'Oldest' },
  { value: 'offset', label: 'Offset' },
  { value: 'timestamp', label: 'Timestamp' },
  { value: 'group', label: 'Consumer group position' },
  { value: 'tail', label: 'Live tail' },
];
const REASONS: Record<string, string> = {
  limit: 'Stopped at the message limit.', end: 'Reached the end of the topic.', 'budget-records': 'Stopped: scanned the maximum number of records.',
  'budget-time': 'Stopped: the scan used its time budget.', stopped: 'Stopped.',
};
const PAGE = 50;
const MAX_SHOWN = 5000;

function queryFromUrl(topic: string, sp: URLSearchParams): BrowseQuery {
  const n = (k: string) => (sp.get(k) ? Number(sp.get(k)) : undefined);
  return {
    topic, mode: (sp.get('mode') as SeekMode) || 'newest',
    partitions: (sp.get('partitions') ?? '').split(',').filter(Boolean).map(Number),
    offset: sp.get('offset') || undefined, timestamp: n('timestamp'), group: sp.get('group') || undefined,
    limit: n('limit') ?? 100, keyFilter: sp.get('key') || undefined, valueFilter: sp.get('value') || undefined,
    headerFilter: sp.get('header') || undefined, predicate: sp.get('predicate') || undefined,
    maxScan: n('maxScan'), maxTimeMs: n('maxTimeMs'),
  };
}

function preview(r: RenderedBytes): string {
  if (r.kind === 'null') return 'null';
  const s = r.kind === 'json' || r.kind === 'avro' || r.kind === 'protobuf' || r.kind === 'jsonschema'
    ? (() => { try { return JSON.stringify(JSON.parse(r.text)); } catch { return r.text; } })() : r.text;
  return s.length > 160 ? `${s.slice(0, 160)}…` : s;
}

function KindBadge({ r }: { r: RenderedBytes }) {
  if (r.kind === 'text' || r.kind === 'null') return null;
  const label = r.kind === 'binary' ? 'hex' : r.kind === 'jsonschema' ? 'JSON Schema' : r.kind === 'json' ? 'JSON' : r.kind === 'avro' ? 'Avro' : 'Protobuf';
  return <span className="badge" title={r.schemaId !== undefined ? `schema id ${r.schemaId}` : undefined}>{label}{r.schemaId !== undefined ? ` #${r.schemaId}` : ''}</span>;
}

function MessageDetail({ m }: { m: BrowsedMessage }) {
  const [to, setTo] = useState('');
  const resend = useMutation({ mutationFn: () => api.resend(m.topic, { partition: m.partition, offset: m.offset, toTopic: to }) });
  return (
    <div className="stack" style={{ maxWidth: 'none' }}>
      <div className="row" style={{ alignItems: 'flex-start' }}>
        <div style={{ flex: 1, minWidth: 240 }}>
          <h3>Key <KindBadge r={m.key} /></h3>
          <pre aria-label="Key">{m.key.kind === 'null' ? 'null' : m.key.text}</pre>
        </div>
        <div style={{ flex: 3, minWidth: 320 }}>
          <h3>Value <KindBadge r={m.value} /> <span className="muted">{fmtNum(m.value.size)} bytes</span></h3>
          {m.value.decodeError && <p className="field-error">Not decoded through the registry: {m.value.decodeError}</p>}
          <pre aria-label="Value">{m.value.kind === 'null' ? 'null' : m.value.text}</pre>
        </div>
      </div>
      <div>
        <h3>Headers</h3>
        {m.headers.length ? (
          <table aria-label="Headers"><tbody>{m.headers.map((h, i) => <tr key={i}><td className="mono">{h.key}</td><td className="mono">{h.value}</td></tr>)}</tbody></table>
        ) : <p className="muted">No headers.</p>}
      </div>
      <form className="row" onSubmit={(e) => { e.preventDefault(); resend.mutate(); }} aria-label="Re-send message">
        <div className="field">
          <label htmlFor={`resend-${m.partition}-${m.offset}`}>Re-send to topic</label>
          <input id={`resend-${m.partition}-${m.offset}`} value={to} onChange={(e) => setTo(e.target.value)} placeholder="topic name" />
        </div>
        <button type="submit" disabled={!to || resend.isPending}>Re-send</button>
        <button type="button" onClick={() => void navigator.clipboard?.writeText(JSON.stringify(m, null, 2))}>Copy as JSON</button>
      </form>
      {resend.error && <ErrorBox what={`re-send to "${to}"`} error={resend.error} />}
      {resend.data && <Notice kind="ok">Re-sent to {resend.data.topic}, partition {resend.data.partition}, offset {resend.data.offset}.</Notice>}
    </div>
  );
}

export function MessageBrowser({ topic, partitions }: { topic: string; partitions: number[] }) {
  const [sp, setSp] = useSearchParams();
  const { timeZone } = useSettings();
  const query = useMemo(() => queryFromUrl(topic, sp), [topic, sp]);
  const [draft, setDraft] = useState(query);
  const [messages, setMessages] = useState<BrowsedMessage[]>([]);
  const [progress, setProgress] = useState<ScanProgress | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [running, setRunning] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const abort = useRef<AbortController | null>(null);
  const groups = useGroups();

  useEffect(() => { setDraft(query); }, [query]);

  // Each URL is one scan: start it, and stop it when the URL changes or the page closes.
  useEffect(() => {
    const ctl = new AbortController();
    abort.current = ctl;
    setMessages([]); setProgress(null); setDone(null); setError(null); setRunning(true); setOpen(null); setPage(1);
    let pending: BrowsedMessage[] = [];
    const flush = () => {
      if (!pending.length) return;
      const batch = pending; pending = [];
      setMessages((prev) => {
        const next = query.mode === 'tail' ? [...batch.reverse(), ...prev] : [...prev, ...batch];
        return next.length > MAX_SHOWN ? (query.mode === 'tail' ? next.slice(0, MAX_SHOWN) : next.slice(-MAX_SHOWN)) : next;
      });
    };
    const timer = setInterval(flush, 150);
    const onEvent = (e: BrowseEvent) => {
      if (e.type === 'message') pending.push(e.message);
      else if (e.type === 'progress') setProgress(e.progress);
      else if (e.type === 'done') { flush(); setProgress(e.progress); setDone(e.reason); }
      else if (e.type === 'error') setError(Object.assign(new Error(e.error.message), e.error));
    };
    browse(query, onEvent, ctl.signal)
      .catch((e) => { if (!ctl.signal.aborted) setError(e); })
      .finally(() => { flush(); clearInterval(timer); if (abort.current === ctl) { setRunning(false); abort.current = null; } });
    return () => { ctl.abort(); clearInterval(timer); };
  }, [query]);

  const stop = () => { abort.current?.abort(); setRunning(false); setDone((d) => d ?? 'stopped'); };

  const apply = (e: React.FormEvent) => {
    e.preventDefault();
    const n = new URLSearchParams();
    const d = draft;
    n.set('mode', d.mode);
    if (d.partitions.length) n.set('partitions', d.partitions.join(','));
    if (d.mode === 'offset' && d.offset) n.set('offset', d.offset);
    if (d.mode === 'timestamp' && d.timestamp !== undefined && Number.isFinite(d.timestamp)) n.set('timestamp', String(d.timestamp));
    if (d.mode === 'group' && d.group) n.set('group', d.group);
    if (d.limit !== 100) n.set('limit', String(d.limit));
    for (const [k, v] of [['key', d.keyFilter], ['value', d.valueFilter], ['header', d.headerFilter], ['predicate', d.predicate]] as const) if (v) n.set(k, v);
    if (d.maxScan) n.set('maxScan', String(d.maxScan));
    if (d.maxTimeMs) n.set('maxTimeMs', String(d.maxTimeMs));
    // Same URL again = run again.
    if (n.toString() === sp.toString()) n.set('run', String(Date.now()));
    setSp(n);
  };

  const sorted = useMemo(() => (query.mode === 'newest' ? [...messages].sort((a, b) => b.timestamp - a.timestamp) : messages), [messages, query.mode]);
  const pages = Math.max(1, Math.ceil(sorted.length / PAGE));
  const shown = sorted.slice((page - 1) * PAGE, page * PAGE);
  const fraction = progress && query.mode !== 'newest' && query.mode !== 'tail' ? (() => {
    let total = 0n; let doneN = 0n;
    for (const p of progress.partitions) { if (!p.end) continue; total += BigInt(p.end) - BigInt(p.start); doneN += BigInt(p.position) - BigInt(p.start); }
    return total > 0n ? Number((doneN * 1000n) / total) / 1000 : 1;
  })() : null;
  const set = <K extends keyof BrowseQuery>(k: K, v: BrowseQuery[K]) => setDraft({ ...draft, [k]: v });

  return (
    <>
      <form className="panel" onSubmit={apply} aria-label="Message search">
        <div className="row">
          <div className="field">
            <label htmlFor="mb-mode">Start from</label>
            <select id="mb-mode" value={draft.mode} onChange={(e) => set('mode', e.target.value as SeekMode)}>
              {MODES.map((m) => <option key={m.value} value={m.value}>{m.label}</option>)}
            </select>
          </div>
          {draft.mode === 'offset' && (
            <div className="field"><label htmlFor="mb-offset">Offset</label><input id="mb-offset" inputMode="numeric" value={draft.offset ?? ''} onChange={(e) => set('offset', e.target.value)} /></div>
          )}
          {draft.mode === 'timestamp' && (
            <div className="field">
              <label htmlFor="mb-ts">Time ({timeZone})</label>
              <input id="mb-ts" type="datetime-local" step={1} value={draft.timestamp !== undefined && Number.isFinite(draft.timestamp) ? toLocalInput(draft.timestamp, timeZone) : ''}
                onChange={(e) => set('timestamp', parseLocalTime(e.target.value, timeZone))} />
            </div>
          )}
          {draft.mode === 'group' && (
            <div className="field">
              <label htmlFor="mb-group">Consumer group</label>
              <input id="mb-group" list="mb-groups" value={draft.group ?? ''} onChange={(e) => set('group', e.target.value)} />
              <datalist id="mb-groups">{groups.data?.filter((g) => g.topics.includes(topic)).map((g) => <option key={g.groupId} value={g.groupId} />)}</datalist>
            </div>
          )}
          <div className="field">
            <label htmlFor="mb-partitions">Partitions</label>
            <select id="mb-partitions" value={draft.partitions.length === 1 ? String(draft.partitions[0]) : ''} onChange={(e) => set('partitions', e.target.value === '' ? [] : [Number(e.target.value)])}>
              <option value="">All</option>
              {partitions.map((p) => <option key={p} value={p}>{p}</option>)}
            </select>
          </div>
          <div className="field"><label htmlFor="mb-limit">Max messages</label><input id="mb-limit" type="number" min={1} max={5000} value={draft.limit} onChange={(e) => set('limit', Number(e.target.value) || 100)} style={{ width: 100 }} /></div>
        </div>
        <div className="row" style={{ marginTop: 8 }}>
          <div className="field"><label htmlFor="mb-key">Key contains</label><input id="mb-key" value={draft.keyFilter ?? ''} onChange={(e) => set('keyFilter', e.target.value)} /></div>
          <div className="field"><label htmlFor="mb-value">Value contains</label><input id="mb-value" value={draft.valueFilter ?? ''} onChange={(e) => set('valueFilter', e.target.value)} /></div>
          <div className="field"><label htmlFor="mb-header">Header contains</label><input id="mb-header" value={draft.headerFilter ?? ''} onChange={(e) => set('headerFilter', e.target.value)} /></div>
        </div>
        <details style={{ marginTop: 8 }} open={!!draft.predicate || !!draft.maxScan || !!draft.maxTimeMs}>
          <summary>JavaScript filter and scan budget</summary>
          <div className="field" style={{ marginTop: 8 }}>
            <label htmlFor="mb-predicate">JavaScript filter</label>
            <textarea id="mb-predicate" rows={2} value={draft.predicate ?? ''} onChange={(e) => set('predicate', e.target.value)} placeholder="json && json.amount > 100" aria-describedby="mb-predicate-help" />
            <span id="mb-predicate-help" className="help">An expression (or statements with <code>return</code>) over <code>key</code>, <code>value</code>, <code>json</code>, <code>headers</code>, <code>partition</code>, <code>offset</code>, <code>timestamp</code>. Runs on the server in a sandbox, 50 ms per record.</span>
          </div>
          <div className="row" style={{ marginTop: 8 }}>
            <div className="field"><label htmlFor="mb-maxscan">Scan at most (records)</label><input id="mb-maxscan" type="number" min={1} value={draft.maxScan ?? ''} placeholder="200000" onChange={(e) => set('maxScan', e.target.value ? Number(e.target.value) : undefined)} /></div>
            <div className="field"><label htmlFor="mb-maxtime">Scan at most (seconds)</label><input id="mb-maxtime" type="number" min={1} value={draft.maxTimeMs ? draft.maxTimeMs / 1000 : ''} placeholder="30" onChange={(e) => set('maxTimeMs', e.target.value ? Number(e.target.value) * 1000 : undefined)} /></div>
          </div>
        </details>
        <div className="actions" style={{ marginTop: 12 }}>
          <button className="primary" type="submit">{draft.mode === 'tail' ? 'Start live tail' : 'Search'}</button>
          <button type="button" onClick={stop} disabled={!running}>Stop</button>
          <span className="spacer" style={{ flex: 1 }} />
          <button type="button" disabled={!sorted.length} onClick={() => exportJson(topic, sorted)}>Export JSON</button>
          <button type="button" disabled={!sorted.length} onClick={() => exportCsv(topic, sorted, timeZone)}>Export CSV</button>
        </div>
      </form>

      <div className="progress" role="status" aria-live="polite">
        {running && <span className="spinner" aria-hidden="true" />}
        <span>{query.mode === 'tail' && running ? 'Live: waiting for new messages…' : running ? 'Scanning…' : ''}</span>
        {progress && <span>Scanned {fmtNum(progress.scanned)}, matched {fmtNum(progress.matched)} in {(progress.elapsedMs / 1000).toFixed(1)} s</span>}
        {fraction !== null && running && <progress value={fraction} max={1} aria-label="Scan progress" />}
        {done && <span>{REASONS[done] ?? done}</span>}
      </div>
      {!!error && <ErrorBox what={`read messages of "${topic}"`} error={error} />}

      <div className="table-wrap">
        <table aria-label="Messages">
          <thead><tr><th className="num">Partition</th><th className="num">Offset</th><th>Timestamp</th><th>Key</th><th>Value</th></tr></thead>
          <tbody>
            {shown.map((m) => {
              const id = `${m.partition}:${m.offset}`;
              const isOpen = open === id;
              return [
                <tr key={id} className="msg-row" onClick={() => setOpen(isOpen ? null : id)}>
                  <td className="num">{m.partition}</td>
                  <td className="num">
                    <button type="button" className="link" aria-expanded={isOpen} aria-label={`Message at partition ${m.partition} offset ${m.offset}`} onClick={(e) => { e.stopPropagation(); setOpen(isOpen ? null : id); }}>{m.offset}</button>
                  </td>
                  <td><Time ms={m.timestamp} /></td>
                  <td className="mono"><span className="preview">{preview(m.key)}</span></td>
                  <td className="mono"><span className="preview"><KindBadge r={m.value} /> {preview(m.value)}</span></td>
                </tr>,
                isOpen && <tr key={`${id}-d`} className="msg-detail"><td colSpan={5}><MessageDetail m={m} /></td></tr>,
              ];
            })}
            {!shown.length && !running && <tr><td colSpan={5} className="muted">No messages{query.keyFilter || query.valueFilter || query.headerFilter || query.predicate ? ' match the filters' : ''}.</td></tr>}
          </tbody>
        </table>
      </div>
      <Pager page={page} pages={pages} onPage={setPage} />
    </>
  );
}
