// Jetty's PropertyUserStore, as Confluent's registry, Kafka Connect's basic auth
// extension and the admin UI read it: a file of `user: password[,role...]` lines,
// passwords plain, `OBF:` (Jetty's obfuscation) or `MD5:`; checked in constant time.
// Here (beside jaas.ts) because the registry and the UI both read such files and
// neither may import the other.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface PropertyUser { name: string; credential: string; roles: string[] }

/** A users file that cannot be read or holds a password form we cannot check (exit 2 at start). */
export class PropertyUsersError extends Error { readonly exitCode = 2; }

/** Jetty's Password.deobfuscate: the `OBF:` form (obfuscation, not encryption). */
export function deobfuscate(s: string): string {
  if (s.startsWith('OBF:')) s = s.slice(4);
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i += 4) {
    if (s[i] === 'U') {
      i++;
      bytes.push((parseInt(s.slice(i, i + 4), 36) >> 8) & 0xff);
    } else {
      const n = parseInt(s.slice(i, i + 4), 36);
      bytes.push(((Math.floor(n / 256) + (n % 256) - 254) / 2) & 0xff);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Jetty's Password.obfuscate (what `java org.eclipse.jetty.util.security.Password user pw` prints). */
export function obfuscate(s: string): string {
  const b = Buffer.from(s, 'utf8');
  let out = 'OBF:';
  for (let i = 0; i < b.length; i++) {
    const b1 = b[i] << 24 >> 24;
    const b2 = b[b.length - (i + 1)] << 24 >> 24;
    if (b1 < 0 || b2 < 0) {
      const x = ((0xff & b1) * 256 + (0xff & b2)).toString(36);
      out += 'U0000'.slice(0, 5 - x.length) + x;
    } else {
      const x = ((127 + b1 + b2) * 256 + (127 + b1 - b2)).toString(36);
      out += '000'.slice(0, 4 - x.length) + x;
    }
  }
  return out;
}

/** Reads a Jetty PropertyUserStore file: `user: password[,role...]` per line. */
export function loadPropertyUsers(file: string, what = 'users file'): Map<string, PropertyUser> {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new PropertyUsersError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const users = new Map<string, PropertyUser>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const m = line.match(/^([^:=\s]+)\s*[:=\s]\s*(.*)$/);
    if (!m) continue;
    const [credential, ...roles] = m[2].split(',').map((s) => s.trim());
    if (credential.startsWith('CRYPT:')) throw new PropertyUsersError(`users file ${file}: user ${m[1]} has a CRYPT: password, which Tributary cannot check; use MD5:, OBF: or plain`);
    users.set(m[1], { name: m[1], credential, roles: roles.filter(Boolean) });
  }
  return users;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
/** Checked against when the user is unknown, so an unknown name costs what a wrong password does. */
export const DUMMY_USER: PropertyUser = { name: '', credential: 'MD5:00000000000000000000000000000000', roles: [] };

/** Checks a password against a stored credential in constant time (over equal-length digests). */
export function checkCredential(stored: string, password: string): boolean {
  let want: string, got: string;
  if (stored.startsWith('MD5:')) { want = stored.slice(4).toLowerCase(); got = createHash('md5').update(password, 'utf8').digest('hex'); }
  else if (stored.startsWith('OBF:')) { want = deobfuscate(stored); got = password; }
  else { want = stored; got = password; }
  return timingSafeEqual(digest(want), digest(got));
}

