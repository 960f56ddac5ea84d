// Login for the admin UI (ui.users.file): a session cookie, a CSRF token on writes, and
// every write API checked here against the user's role — the browser hiding a button
// is a courtesy, this is the check.
//   viewer:   reads (GET), plus the reads that are POST/PUT upstream: a registry
//             compatibility check or schema lookup, a Connect config validation
//   operator: viewer + connector pause/resume/restart (and task restart), consumer group offset resets
//   admin:    everything
// The cookie is HttpOnly, SameSite=Strict, Path=/, and Secure when the UI serves HTTPS.
// Without ui.users.file nothing here is registered: the UI stays open (bound to loopback by default).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkCredential, DUMMY_USER } from '../../client/property-users.ts';
import type { Role, UiUser } from './config.ts';
import { UiError } from './errors.ts';

export const SESSION_COOKIE = 'tributary_session';
export const CSRF_HEADER = 'x-csrf-token';

interface Session { user: string; role: Role; csrf: string; expires: number }

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

// [method, path pattern, least role]; the first match decides, no match = admin
const RULES: [string, RegExp, Role][] = [
  ['POST', /^\/api\/registry\/compatibility\/subjects\/[^/]+\/versions(\/[^/?]+)?\/?(\?.*)?$/, 'viewer'],
  ['POST', /^\/api\/registry\/subjects\/[^/]+\/?(\?.*)?$/, 'viewer'], // "is this schema registered under the subject?"
  ['PUT', /^\/api\/connect\/connector-plugins\/[^/]+\/config\/validate\/?(\?.*)?$/, 'viewer'],
  ['PUT', /^\/api\/connect\/connectors\/[^/]+\/(pause|resume)\/?(\?.*)?$/, 'operator'],
  ['POST', /^\/api\/connect\/connectors\/[^/]+\/restart\/?(\?.*)?$/, 'operator'],
  ['POST', /^\/api\/connect\/connectors\/[^/]+\/tasks\/\d+\/restart\/?(\?.*)?$/, 'operator'],
  ['POST', /^\/api\/groups\/[^/]+\/reset-offsets\/?(\?.*)?$/, 'operator'],
];
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** The least role a request needs (the path as sent, with its query). */
export function requiredRole(method: string, url: string): Role {
  if (READ_METHODS.has(method)) return 'viewer';
  // "." / ".." segments (also percent-encoded) would be resolved upstream into another path than the one checked here
  if (hasDotSegment(url)) return 'admin';
  for (const [m, re, role] of RULES) if (m === method && re.test(url)) return role;
  return 'admin';
}

function hasDotSegment(url: string): boolean {
  const p = url.split('?')[0];
  let decoded = p;
  try { decoded = decodeURIComponent(p); } catch { return true; }
  return decoded.split(/[/\\]/).some((seg) => seg === '.' || seg === '..');
}

export const mayDo = (role: Role, method: string, url: string) => RANK[role] >= RANK[requiredRole(method, url)];

function cookie(req: FastifyRequest, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

const sameToken = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export interface UiAuthOptions { users: Map<string, UiUser>; sessionTimeoutMs: number; secure: boolean }

/** Failed logins an address may make within LOGIN_WINDOW_MS before it gets 429 until the window ends. */
export const MAX_FAILED_LOGINS = 5;
export const LOGIN_WINDOW_MS = 5 * 60_000;

/** Registers login/logout/me and the checks on every /api request. */
export function registerUiAuth(app: FastifyInstance, o: UiAuthOptions): void {
  const sessions = new Map<string, Session>();
  const failures = new Map<string, { count: number; since: number }>();
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [k, s] of sessions) if (s.expires < now) sessions.delete(k);
    for (const [k, f] of failures) if (f.since + LOGIN_WINDOW_MS < now) failures.delete(k);
  }, 60_000);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));
  const setCookie = (reply: FastifyReply, value: string, maxAgeS: number) =>
    reply.header('set-cookie', `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${o.secure ? '; Secure' : ''}`);
  const sessionOf = (req: FastifyRequest): [string, Session] | null => {
    const id = cookie(req, SESSION_COOKIE);
    const s = id ? sessions.get(id) : undefined;
    if (!id || !s) return null;
    if (s.expires < Date.now()) { sessions.delete(id); return null; }
    s.expires = Date.now() + o.sessionTimeoutMs;
    return [id, s];
  };
  const me = (s: Session) => ({ authEnabled: true, user: s.user, role: s.role, csrfToken: s.csrf });

  app.post<{ Body: { username?: unknown; password?: unknown } }>('/api/auth/login', async (req, reply) => {
    const { username, password } = req.body ?? {};
    if (typeof username !== 'string' || typeof password !== 'string') throw new UiError('bad_request', 'username and password are required');
    const f = failures.get(req.ip);
    if (f && f.since + LOGIN_WINDOW_MS < Date.now()) failures.delete(req.ip);
    else if (f && f.count >= MAX_FAILED_LOGINS) {
      reply.header('retry-after', String(Math.ceil((f.since + LOGIN_WINDOW_MS - Date.now()) / 1000)));
      throw new UiError('too_many_logins');
    }
    const user = o.users.get(username);
    // the unknown user costs a check too, so the answer time does not tell names apart
    const ok = checkCredential((user ?? DUMMY_USER).credential, password) && !!user;
    if (!ok) {
      const seen = failures.get(req.ip);
      if (seen) seen.count++; else failures.set(req.ip, { count: 1, since: Date.now() });
      req.log.warn({ user: username, address: req.ip }, 'ui login failed');
      throw new UiError('unauthenticated', 'Wrong user name or password');
    }
    failures.delete(req.ip);
    const id = randomBytes(32).toString('base64url');
    const s: Session = { user: user.name, role: user.role, csrf: randomBytes(24).toString('base64url'), expires: Date.now() + o.sessionTimeoutMs };
    sessions.set(id, s);
    setCookie(reply, id, Math.ceil(o.sessionTimeoutMs / 1000));
    return me(s);
  });

  app.post('/api/auth/logout', async (req, reply) => {
    const found = sessionOf(req);
    if (found) sessions.delete(found[0]);
    setCookie(reply, '', 0);
    return reply.code(204).send();
  });

  app.addHook('onRequest', async (req, reply) => {
    const url = req.raw.url ?? '/';
    if (!url.startsWith('/api/') || url.startsWith('/api/auth/login') || url.startsWith('/api/auth/logout')) return;
    const found = sessionOf(req);
    if (!found) return reply.code(401).send(new UiError('unauthenticated').body());
    const [, s] = found;
    (req as FastifyRequest & { uiSession?: Session }).uiSession = s;
    if (READ_METHODS.has(req.method)) return;
    const token = req.headers[CSRF_HEADER];
    if (typeof token !== 'string' || !sameToken(token, s.csrf)) return reply.code(403).send(new UiError('csrf').body());
    if (!mayDo(s.role, req.method, url)) {
      req.log.warn({ user: s.user, role: s.role, method: req.method, url }, 'ui write refused for the role');
      return reply.code(403).send(new UiError('forbidden', `Your role (${s.role}) may not ${req.method} ${url.split('?')[0]}; it needs ${requiredRole(req.method, url)}`).body());
    }
  });

  app.get('/api/auth/me', async (req) => me((req as FastifyRequest & { uiSession: Session }).uiSession));
}

/** Without login: /api/auth/me says so, and the browser shows everything. */
export function registerOpenUi(app: FastifyInstance): void {
  app.get('/api/auth/me', async () => ({ authEnabled: false, user: null, role: 'admin', csrfToken: null }));
}
