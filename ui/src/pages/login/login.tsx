// The login page (shown when the UI has ui.users.file and there is no session).
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { api, ApiError, setCsrfToken } from '../../api/client.ts';
import { keys } from '../../api/queries.ts';
import { routes } from '../../routes.ts';

export function Login() {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = params.get('next');
  const submit = async () => {
    setBusy(true); setError(null);
    try {
      const me = await api.login(user, password);
      setCsrfToken(me.csrfToken);
      qc.setQueryData(keys.me, me);
      await qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'auth' });
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : routes.overview(), { replace: true });
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? 'Wrong user name or password' : (e as Error).message);
    } finally { setBusy(false); }
  };
  return (
    <div className="login">
      <h1>Log in to Tributary</h1>
      <form className="stack panel" aria-label="Log in" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <label>User name <input name="username" autoComplete="username" value={user} onChange={(e) => setUser(e.target.value)} required /></label>
        <label>Password <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required /></label>
        {error && <p role="alert" className="error">{error}</p>}
        <div><button className="primary" type="submit" disabled={busy || !user}>{busy ? 'Logging in…' : 'Log in'}</button></div>
      </form>
    </div>
  );
}
