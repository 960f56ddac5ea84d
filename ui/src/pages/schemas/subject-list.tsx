// Schemas: subjects with search, the global compatibility level (editable).
import { useState } from 'react';
import { useCan } from '../../lib/auth.tsx';
import { Link, useSearchParams } from 'react-router-dom';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { keys, useGlobalCompat, useRegistryStatus, useSubjects } from '../../api/queries.ts';
import { ErrorBox, QueryView } from '../../components/status.tsx';
import { ServiceGate } from '../../components/service-gate.tsx';
import { PageHead } from '../../components/bits.tsx';
import { routes } from '../../routes.ts';
import { LEVELS } from './compat.ts';

function GlobalCompat() {
  const qc = useQueryClient();
  const q = useGlobalCompat();
  const [level, setLevel] = useState<string | null>(null);
  const m = useMutation({ mutationFn: (l: string) => api.registry.setGlobalConfig(l), onSuccess: () => { setLevel(null); void qc.invalidateQueries({ queryKey: keys.globalCompat }); } });
  return (
    <QueryView q={q} what="the global compatibility level">
      {(c) => (
        <form className="row" onSubmit={(e) => { e.preventDefault(); if (level) m.mutate(level); }} aria-label="Global compatibility">
          <div className="field">
            <label htmlFor="global-compat">Global compatibility level</label>
            <select id="global-compat" value={level ?? c.compatibilityLevel} onChange={(e) => setLevel(e.target.value)}>{LEVELS.map((l) => <option key={l}>{l}</option>)}</select>
          </div>
          <button type="submit" disabled={!level || level === c.compatibilityLevel || m.isPending}>Save</button>
          {m.error && <ErrorBox what="change the global compatibility level" error={m.error} />}
        </form>
      )}
    </QueryView>
  );
}

export function SubjectList() {
  const can = useCan();
  const status = useRegistryStatus();
  const [sp, setSp] = useSearchParams();
  const q = sp.get('q') ?? '';
  const subjects = useSubjects(!!status.data?.reachable);
  return (
    <>
      <PageHead title="Schemas">{can('admin') && <Link className="button primary" to={routes.newSchema()}>Register schema</Link>}</PageHead>
      <ServiceGate name="Schema registry" q={status}>
        <div className="panel"><GlobalCompat /></div>
        <div className="field" style={{ maxWidth: 320, marginBottom: 12 }}>
          <label htmlFor="subject-search">Search subjects</label>
          <input id="subject-search" type="search" value={q} onChange={(e) => setSp(e.target.value ? { q: e.target.value } : {}, { replace: true })} />
        </div>
        <QueryView q={subjects} what="subjects">
          {(all) => {
            const list = all.filter((s) => s.toLowerCase().includes(q.toLowerCase())).sort();
            return (
              <table aria-label="Subjects">
                <thead><tr><th>Subject</th></tr></thead>
                <tbody>
                  {list.map((s) => <tr key={s}><td><Link to={routes.subject(s)}>{s}</Link></td></tr>)}
                  {!list.length && <tr><td className="muted">{all.length ? 'No subject matches the search.' : 'No schemas registered yet.'}</td></tr>}
                </tbody>
              </table>
            );
          }}
        </QueryView>
      </ServiceGate>
    </>
  );
}
