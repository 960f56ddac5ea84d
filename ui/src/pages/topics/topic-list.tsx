// Topics: search, internal toggle, pagination; all in the URL.
import { Link, useSearchParams } from 'react-router-dom';
import { useCan } from '../../lib/auth.tsx';
import { useTopics } from '../../api/queries.ts';
import { QueryView } from '../../components/status.tsx';
import { PageHead, Pager } from '../../components/bits.tsx';
import { fmtBytes, fmtNum } from '../../lib/format.ts';
import { routes } from '../../routes.ts';

const PAGE = 50;

export function TopicList() {
  const can = useCan();
  const [sp, setSp] = useSearchParams();
  const q = sp.get('q') ?? ''; const internal = sp.get('internal') === '1'; const page = Number(sp.get('page') ?? 1) || 1;
  const set = (k: string, v: string | null) => { const n = new URLSearchParams(sp); if (v) n.set(k, v); else n.delete(k); if (k !== 'page') n.delete('page'); setSp(n, { replace: true }); };
  const topics = useTopics();
  return (
    <>
      <PageHead title="Topics">{can('admin') && <Link className="button primary" to={routes.newTopic()}>Create topic</Link>}</PageHead>
      <div className="row" style={{ marginBottom: 12 }}>
        <div className="field">
          <label htmlFor="topic-search">Search topics</label>
          <input id="topic-search" type="search" value={q} placeholder="name contains…" onChange={(e) => set('q', e.target.value)} />
        </div>
        <label style={{ display: 'flex', gap: 6, alignItems: 'center', paddingBottom: 6 }}>
          <input type="checkbox" checked={internal} onChange={(e) => set('internal', e.target.checked ? '1' : null)} /> Show internal topics
        </label>
      </div>
      <QueryView q={topics} what="topics">
        {(all) => {
          const list = all.filter((t) => (internal || !t.internal) && t.name.toLowerCase().includes(q.toLowerCase()));
          const pages = Math.max(1, Math.ceil(list.length / PAGE));
          const shown = list.slice((page - 1) * PAGE, page * PAGE);
          return (
            <>
              <div className="table-wrap">
                <table aria-label="Topics">
                  <thead><tr><th>Name</th><th className="num">Partitions</th><th className="num">Replication</th><th className="num">Messages</th><th className="num">Size</th><th>Health</th></tr></thead>
                  <tbody>
                    {shown.map((t) => (
                      <tr key={t.name}>
                        <td><Link to={routes.topic(t.name)}>{t.name}</Link>{t.internal && <> <span className="badge">internal</span></>}</td>
                        <td className="num">{t.partitions}</td><td className="num">{t.replicationFactor}</td>
                        <td className="num">{fmtNum(t.messages)}</td><td className="num">{fmtBytes(t.sizeBytes)}</td>
                        <td>{t.offline ? <span className="badge bad">{t.offline} offline</span> : t.underReplicated ? <span className="badge warn">{t.underReplicated} under-replicated</span> : <span className="badge ok">healthy</span>}</td>
                      </tr>
                    ))}
                    {!shown.length && <tr><td colSpan={6} className="muted">{all.length ? 'No topic matches the search.' : 'No topics yet. Create one.'}</td></tr>}
                  </tbody>
                </table>
              </div>
              <p className="muted">{list.length} topic{list.length === 1 ? '' : 's'}</p>
              <Pager page={page} pages={pages} onPage={(p) => set('page', String(p))} />
            </>
          );
        }}
      </QueryView>
    </>
  );
}
