// Layout (top bar, navigation) and the route table.
import { NavLink, Route, Routes, Link, useLocation } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { api } from './api/client.ts';
import { useMe } from './api/queries.ts';
import { Login } from './pages/login/login.tsx';
import { routes } from './routes.ts';
import { timeZones, useSettings } from './lib/settings.tsx';
import { Overview } from './pages/overview/overview.tsx';
import { TopicList } from './pages/topics/topic-list.tsx';
import { TopicNew } from './pages/topics/topic-new.tsx';
import { TopicDetails } from './pages/topics/topic-details.tsx';
import { GroupList } from './pages/groups/group-list.tsx';
import { GroupDetails } from './pages/groups/group-details.tsx';
import { SubjectList } from './pages/schemas/subject-list.tsx';
import { SubjectDetails } from './pages/schemas/subject-details.tsx';
import { SchemaNew } from './pages/schemas/schema-new.tsx';
import { ConnectorList } from './pages/connectors/connector-list.tsx';
import { ConnectorNew } from './pages/connectors/connector-new.tsx';
import { ConnectorDetails } from './pages/connectors/connector-details.tsx';
import { BrokerList } from './pages/brokers/broker-list.tsx';
import { MirrorFlows } from './pages/mirror/mirror-flows.tsx';
import { StreamApps } from './pages/streams/stream-apps.tsx';

const NAV = [
  { to: routes.overview(), label: 'Overview', end: true },
  { to: routes.topics(), label: 'Topics' },
  { to: routes.groups(), label: 'Consumer groups' },
  { to: routes.schemas(), label: 'Schemas' },
  { to: routes.connectors(), label: 'Connectors' },
  { to: routes.brokers(), label: 'Brokers' },
  { to: routes.mirror(), label: 'Mirroring' },
  { to: routes.streams(), label: 'Stream applications' },
];

function TimeZonePicker() {
  const { timeZone, setTimeZone } = useSettings();
  return (
    <label>
      Time zone
      <select value={timeZone} onChange={(e) => setTimeZone(e.target.value)}>
        {timeZones().map((z) => <option key={z} value={z}>{z}</option>)}
      </select>
    </label>
  );
}

function NotFound() {
  return <><h1>Page not found</h1><p>There is nothing at this address. <Link to={routes.overview()}>Go to the overview</Link>.</p></>;
}

function UserMenu() {
  const me = useMe();
  const qc = useQueryClient();
  if (!me.data?.authEnabled) return null;
  const logout = async () => { await api.logout().catch(() => undefined); qc.clear(); window.location.assign(routes.login()); };
  return (
    <span className="user-menu">
      <span aria-label="Logged in as">{me.data.user} ({me.data.role})</span>
      <button type="button" onClick={() => void logout()}>Log out</button>
    </span>
  );
}

export function App() {
  const location = useLocation();
  if (location.pathname === '/login') return <main id="main" className="login-page"><Login /></main>;
  return <Shell />;
}

function Shell() {
  // the session first: without one the API answers 401 and the client goes to /login
  const me = useMe();
  if (me.isPending || (me.isError && (me.error as { status?: number }).status === 401)) return <main id="main"><p>Loading…</p></main>;
  return (
    <div className="layout">
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <Link className="brand" to={routes.overview()} aria-label="Tributary home">
          <svg width="20" height="20" viewBox="0 0 16 16" aria-hidden="true"><path d="M2 3c4 0 4 5 8 5s4-3 4-3M2 9c4 0 4 4 8 4" stroke="currentColor" strokeWidth="2" fill="none" /></svg>
          Tributary
        </Link>
        <span className="spacer" />
        <TimeZonePicker />
        <UserMenu />
      </header>
      <nav className="side" aria-label="Main">
        <ul>{NAV.map((n) => <li key={n.to}><NavLink to={n.to} end={n.end}>{n.label}</NavLink></li>)}</ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <Routes>
          <Route path="/" element={<Overview />} />
          <Route path="/topics" element={<TopicList />} />
          <Route path="/topics/new" element={<TopicNew />} />
          <Route path="/topics/:topic/*" element={<TopicDetails />} />
          <Route path="/groups" element={<GroupList />} />
          <Route path="/groups/:group" element={<GroupDetails />} />
          <Route path="/schemas" element={<SubjectList />} />
          <Route path="/schemas/new" element={<SchemaNew />} />
          <Route path="/schemas/:subject" element={<SubjectDetails />} />
          <Route path="/connectors" element={<ConnectorList />} />
          <Route path="/connectors/new" element={<ConnectorNew />} />
          <Route path="/connectors/:name" element={<ConnectorDetails />} />
          <Route path="/brokers" element={<BrokerList />} />
          <Route path="/mirror" element={<MirrorFlows />} />
          <Route path="/streams" element={<StreamApps />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </main>
    </div>
  );
}
