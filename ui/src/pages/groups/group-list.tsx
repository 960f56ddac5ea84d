// Consumer groups: state, members, topics, total lag; searchable by URL.
import { Link, useSearchParams } from 'react-router-dom';
import { useGroups } from '../../api/queries.ts';
import { QueryView } from '../../components/status.tsx';
import { StateBadge } from '../../components/bits.tsx';
import { fmtNum } from '../../lib/format.ts';
import { routes } from '../../routes.ts';

export function GroupList() {
  const [sp, setSp] = useSearchParams();
  const q = sp.get('q') ?? '';
  const groups = useGroups();
  return (
    <>
      <h1>Consumer groups</h1>
      <div className="field" style={{ maxWidth: 320, marginBottom: 12 }}>
        <label htmlFor="group-search">Search groups</label>
        <input id="group-search" type="search" value={q} onChange={(e) => setSp(e.target.value ? { q: e.target.value } : {}, { replace: true })} />
      </div>
      <QueryView q={groups} what="consumer groups">
        {(all) => {
          const list = all.filter((g) => g.groupId.toLowerCase().includes(q.toLowerCase()));
          return (
            <table aria-label="Consumer groups">
              <thead><tr><th>Group</th><th>State</th><th className="num">Members</th><th>Topics</th><th className="num">Total lag</th></tr></thead>
              <tbody>
                {list.map((g) => (
                  <tr key={g.groupId}>
                    <td><Link to={routes.group(g.groupId)}>{g.groupId}</Link>{g.protocolType && g.protocolType !== 'consumer' && <> <span className="badge">{g.protocolType}</span></>}</td>
                    <td><StateBadge state={g.state} /></td>
                    <td className="num">{g.members}</td>
                    <td>{g.topics.map((t, i) => <span key={t}>{i > 0 && ', '}<Link to={routes.topic(t)}>{t}</Link></span>)}</td>
                    <td className="num">{fmtNum(g.totalLag)}</td>
                  </tr>
                ))}
                {!list.length && <tr><td colSpan={5} className="muted">{all.length ? 'No group matches the search.' : 'No consumer groups yet.'}</td></tr>}
              </tbody>
            </table>
          );
        }}
      </QueryView>
    </>
  );
}
