// The admin UI's settings. Its own names start with `ui.`; the broker client takes
// Kafka's client security names and the HTTP listener the registry's/Connect's
// (`listeners`, `ssl.keystore.*`). Under `tributary start` every one of these is given
// with the `ui.` prefix (`ui.listeners`, `ui.security.protocol`), since the plain
// names are the broker's there (app/platform.ts).
//
//   ui.users.file=/etc/tributary/ui-users.properties   user: password,role  (viewer|operator|admin)
//   ui.session.timeout.ms=28800000                      a session's life after its last request
//   ui.registry.basic.auth.user.info=ui:secret           what the UI sends the registry (basic auth)
//   ui.connect.basic.auth.user.info=ui:secret            what the UI sends Connect (basic auth)
//   security.protocol / sasl.* / ssl.*                   the UI's broker client (client/security.ts)
import type { SecurityProps } from '../../client/index.ts';
import { loadPropertyUsers, type PropertyUser } from '../../client/property-users.ts';
import { httpListener, type HttpListener } from '../../client/https-listener.ts';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = typeof ROLES[number];

export interface UiUser { name: string; credential: string; role: Role }

export interface UiConfig {
  /** null: no login (the UI is open, as before) */
  users: Map<string, UiUser> | null;
  sessionTimeoutMs: number;
  registryUserInfo: string | null;
  connectUserInfo: string | null;
  /** the broker client's security settings */
  security: SecurityProps;
  listener: HttpListener;
}

export class UiConfigError extends Error { readonly exitCode = 2; }

const SECURITY_KEY = /^(security\.protocol$|sasl\.|ssl\.)/;

function users(file: string): Map<string, UiUser> {
  let raw: Map<string, PropertyUser>;
  try { raw = loadPropertyUsers(file, 'ui.users.file'); } catch (e) { throw new UiConfigError((e as Error).message); }
  const out = new Map<string, UiUser>();
  for (const u of raw.values()) {
    // the strongest role listed counts; a user without a known role cannot log in (said at start)
    const role = [...ROLES].reverse().find((r) => u.roles.includes(r));
    if (!role) throw new UiConfigError(`ui.users.file ${file}: user ${u.name} has no role of ${ROLES.join(', ')} (a line is "user: password,role")`);
    out.set(u.name, { name: u.name, credential: u.credential, role });
  }
  if (!out.size) throw new UiConfigError(`ui.users.file ${file} names no user`);
  return out;
}

function userInfo(name: string, v: string | undefined): string | null {
  if (v === undefined || v === '') return null;
  if (!v.includes(':')) throw new UiConfigError(`${name} must be USER:PASSWORD`);
  return v;
}

export function loadUiConfig(props: Record<string, string | undefined>, fallback: { host: string; port: number }): UiConfig {
  const security: SecurityProps = {};
  for (const [k, v] of Object.entries(props)) if (v !== undefined && SECURITY_KEY.test(k)) security[k] = v;
  const timeout = props['ui.session.timeout.ms'] ?? '28800000';
  if (!/^\d+$/.test(timeout) || Number(timeout) < 1000) throw new UiConfigError(`ui.session.timeout.ms=${timeout}: a number of milliseconds, at least 1000`);
  let listener: HttpListener;
  try { listener = httpListener(props, fallback, 'ui'); } catch (e) { throw new UiConfigError((e as Error).message); }
  return {
    users: props['ui.users.file'] ? users(props['ui.users.file']) : null,
    sessionTimeoutMs: Number(timeout),
    registryUserInfo: userInfo('ui.registry.basic.auth.user.info', props['ui.registry.basic.auth.user.info']),
    connectUserInfo: userInfo('ui.connect.basic.auth.user.info', props['ui.connect.basic.auth.user.info']),
    security,
    listener,
  };
}
