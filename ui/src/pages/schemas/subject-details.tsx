// One subject: versions, highlighted schema text, diff between versions,
// the subject's compatibility level (edit or fall back to global).
import { useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { keys, useGlobalCompat, useSchemaVersion, useSubjectCompat, useVersions } from '../../api/queries.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { ErrorBox, QueryView } from '../../components/status.tsx';
import { Crumbs, PageHead } from '../../components/bits.tsx';
import { Highlight } from '../../lib/highlight.tsx';
import { diffLines, prettySchema } from '../../lib/diff.ts';
import { routes } from '../../routes.ts';
import { LEVELS } from './compat.ts';

function Compat({ subject }: { subject: string }) {
  const qc = useQueryClient();
  const own = useSubjectCompat(subject); const global = useGlobalCompat();
  const [level, setLevel] = useState<string | null>(null);
  const invalidate = () => { setLevel(null); void qc.invalidateQueries({ queryKey: keys.subjectCompat(subject) }); };
  const set = useMutation({ mutationFn: (l: string) => api.registry.setSubjectConfig(subject, l), onSuccess: invalidate });
  const clear = useMutation({ mutationFn: () => api.registry.deleteSubjectConfig(subject), onSuccess: invalidate });
  if (own.error) return <ErrorBox what="load the compatibility level" error={own.error} />;
  const current = own.data?.compatibilityLevel ?? null;
  return (
    <form className="row" onSubmit={(e) => { e.preventDefault(); if (level) set.mutate(level); }} aria-label="Subject compatibility">
      <div className="field">
        <label htmlFor="subject-compat">Compatibility level</label>
        <select id="subject-compat" value={level ?? current ?? ''} onChange={(e) => setLevel(e.target.value)}>
          {!current && <option value="">Global default ({global.data?.compatibilityLevel ?? '…'})</option>}
          {LEVELS.map((l) => <option key={l}>{l}</option>)}
        </select>
      </div>
      <button type="submit" disabled={!level || level === current || set.isPending}>Save</button>
      {current && <button type="button" onClick={() => clear.mutate()} disabled={clear.isPending}>Use global default</button>}
      {(set.error || clear.error) && <ErrorBox what="change the compatibility level" error={set.error ?? clear.error} />}
    </form>
  );
}

function Diff({ subject, a, b }: { subject: string; a: number; b: number }) {
  const x = useSchemaVersion(subject, a); const y = useSchemaVersion(subject, b);
  if (x.error || y.error) return <ErrorBox what="load versions to compare" error={x.error ?? y.error} />;
  if (!x.data || !y.data) return null;
  const lines = diffLines(prettySchema(x.data.schema, x.data.schemaType), prettySchema(y.data.schema, y.data.schemaType));
  const changes = lines.filter((l) => l.op !== ' ').length;
  return (
    <section aria-label={`Differences between version ${a} and version ${b}`}>
      <p className="muted">{changes ? `${changes} changed line(s)` : 'No differences'}: version {a} → version {b}</p>
      <div className="diff" role="region" aria-label="Diff">
        {lines.map((l, i) => <div key={i} className={l.op === '+' ? 'add' : l.op === '-' ? 'del' : ''}>{l.op} {l.text}</div>)}
      </div>
    </section>
  );
}

export function SubjectDetails() {
  const { subject = '' } = useParams();
  const [sp, setSp] = useSearchParams();
  const versions = useVersions(subject);
  const latest = versions.data ? versions.data[versions.data.length - 1] : null;
  const version = sp.get('version') ? Number(sp.get('version')) : latest;
  const diff = sp.get('diff') ? Number(sp.get('diff')) : null;
  const schema = useSchemaVersion(subject, version);
  const nav = useNavigate(); const qc = useQueryClient();
  const [confirm, setConfirm] = useState(false);
  const del = useMutation({
    mutationFn: () => api.registry.deleteSubject(subject),
    onSuccess: () => { setConfirm(false); void qc.invalidateQueries({ queryKey: keys.subjects }); nav(routes.schemas()); },
  });
  const setParam = (k: string, v: string | null) => { const n = new URLSearchParams(sp); if (v) n.set(k, v); else n.delete(k); setSp(n); };
  return (
    <>
      <Crumbs items={[{ to: routes.schemas(), label: 'Schemas' }, { label: subject }]} />
      <PageHead title={subject}>
        <Link className="button primary" to={routes.newSchema({ subject })}>Register new version</Link>
        <button type="button" className="danger" onClick={() => setConfirm(true)}>Delete subject</button>
      </PageHead>
      <div className="panel"><Compat subject={subject} /></div>
      <QueryView q={versions} what={`versions of "${subject}"`}>
        {(vs) => (
          <>
            <div className="row" style={{ marginBottom: 12 }}>
              <div className="field">
                <label htmlFor="version-select">Version</label>
                <select id="version-select" value={version ?? ''} onChange={(e) => setParam('version', e.target.value)}>
                  {[...vs].reverse().map((v) => <option key={v} value={v}>{v}{v === latest ? ' (latest)' : ''}</option>)}
                </select>
              </div>
              <div className="field">
                <label htmlFor="diff-select">Compare with</label>
                <select id="diff-select" value={diff ?? ''} onChange={(e) => setParam('diff', e.target.value || null)}>
                  <option value="">No comparison</option>
                  {[...vs].reverse().filter((v) => v !== version).map((v) => <option key={v} value={v}>Version {v}</option>)}
                </select>
              </div>
            </div>
            {diff !== null && version !== null ? <Diff subject={subject} a={Math.min(diff, version)} b={Math.max(diff, version)} /> : (
              <QueryView q={schema} what={`version ${version} of "${subject}"`}>
                {(s) => (
                  <>
                    <p className="muted">Schema id {s.id}, type {s.schemaType ?? 'AVRO'}, version {s.version}.</p>
                    <Highlight text={prettySchema(s.schema, s.schemaType)} type={s.schemaType ?? 'AVRO'} />
                  </>
                )}
              </QueryView>
            )}
          </>
        )}
      </QueryView>
      <ConfirmDialog open={confirm} title={`Delete subject "${subject}"?`} confirmLabel="Delete subject" typeToConfirm={subject} busy={del.isPending}
        onConfirm={() => del.mutate()} onCancel={() => { setConfirm(false); del.reset(); }}>
        <p>All versions are soft-deleted: readers can still fetch them by id.</p>
        {del.error && <ErrorBox what={`delete subject "${subject}"`} error={del.error} />}
      </ConfirmDialog>
    </>
  );
}
