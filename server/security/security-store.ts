// Where ACLs and SCRAM credentials persist, behind small interfaces. A single node keeps
// them in a JSON file under the data dir, written atomically (temp file, fsync, rename).
// A cluster keeps them in its metadata store (PostgreSQL): every broker holds a copy in
// memory, refreshed by the store's notifications and polling, so an authorization
// check or a SCRAM lookup never waits on the store; a write goes to the store first and
// is answered once this broker's copy shows it.
import fs from 'node:fs';
import path from 'node:path';
import { sameBinding, type AclBinding } from './acl.ts';
import type { ScramCredential, ScramCredentialStore, ScramMechanism } from './scram.ts';

export interface AclStore {
  all(): AclBinding[];
  /** adds what is not there yet (a cluster store answers once the store holds it) */
  add(bindings: AclBinding[]): void | Promise<void>;
  remove(bindings: AclBinding[]): void | Promise<void>;
}

/** A SCRAM credential as stored: base64 fields. */
export interface StoredScram { salt: string; storedKey: string; serverKey: string; iterations: number }

interface FileShape {
  acls: AclBinding[];
  scram: Record<string, Partial<Record<ScramMechanism, StoredScram>>>;
}

export class FileSecurityStore implements AclStore, ScramCredentialStore {
  private readonly file: string;
  private data: FileShape = { acls: [], scram: {} };

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'security', 'security-metadata.json');
    if (fs.existsSync(this.file)) this.data = JSON.parse(fs.readFileSync(this.file, 'utf8')) as FileShape;
  }

  private save(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    try { fs.writeSync(fd, JSON.stringify(this.data)); fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
    fs.renameSync(tmp, this.file);
  }

  all(): AclBinding[] { return this.data.acls; }

  add(bindings: AclBinding[]): void {
    let changed = false;
    for (const b of bindings) if (!this.data.acls.some((a) => sameBinding(a, b))) { this.data.acls.push({ ...b }); changed = true; }
    if (changed) this.save();
  }

  remove(bindings: AclBinding[]): void {
    const before = this.data.acls.length;
    this.data.acls = this.data.acls.filter((a) => !bindings.some((b) => sameBinding(a, b)));
    if (this.data.acls.length !== before) this.save();
  }

  get(user: string, m: ScramMechanism): ScramCredential | undefined {
    const c = Object.hasOwn(this.data.scram, user) ? this.data.scram[user][m] : undefined;
    if (!c) return undefined;
    return { salt: Buffer.from(c.salt, 'base64'), storedKey: Buffer.from(c.storedKey, 'base64'), serverKey: Buffer.from(c.serverKey, 'base64'), iterations: c.iterations };
  }

  set(user: string, m: ScramMechanism, c: ScramCredential): void {
    const u = Object.hasOwn(this.data.scram, user) ? this.data.scram[user] : (this.data.scram[user] = {});
    u[m] = { salt: c.salt.toString('base64'), storedKey: c.storedKey.toString('base64'), serverKey: c.serverKey.toString('base64'), iterations: c.iterations };
    this.save();
  }

  delete(user: string, m: ScramMechanism): boolean {
    const u = Object.hasOwn(this.data.scram, user) ? this.data.scram[user] : undefined;
    if (!u?.[m]) return false;
    delete u[m];
    if (!Object.keys(u).length) delete this.data.scram[user];
    this.save();
    return true;
  }

  users(): Map<string, { mechanism: ScramMechanism; iterations: number }[]> {
    return new Map(Object.entries(this.data.scram).map(([user, ms]) => [user, Object.entries(ms).map(([mechanism, c]) => ({ mechanism: mechanism as ScramMechanism, iterations: c!.iterations }))]));
  }
}

/** The cluster's store as the security cache sees it (PostgresClusterView implements it). */
export interface SecurityBackend {
  addAcls(bindings: AclBinding[]): Promise<void>;
  removeAcls(bindings: AclBinding[]): Promise<void>;
  setScram(user: string, m: ScramMechanism, c: StoredScram): Promise<void>;
  deleteScram(user: string, m: ScramMechanism): Promise<void>;
}

const stored = (c: ScramCredential): StoredScram => ({ salt: c.salt.toString('base64'), storedKey: c.storedKey.toString('base64'), serverKey: c.serverKey.toString('base64'), iterations: c.iterations });

/**
 * A cluster broker's ACLs and SCRAM credentials: reads from memory, writes through the
 * metadata store. `replace` takes the store's whole content (each refresh of the cluster
 * view), so a change made through any broker reaches every broker's checks.
 */
export class ClusterSecurityStore implements AclStore, ScramCredentialStore {
  private acls: AclBinding[] = [];
  private scram = new Map<string, Map<ScramMechanism, ScramCredential>>();

  constructor(private readonly backend: SecurityBackend) {}

  /** The store's content, as read by the cluster view. */
  replace(acls: AclBinding[], scram: { user: string; mechanism: ScramMechanism; credential: StoredScram }[]): void {
    this.acls = acls;
    const next = new Map<string, Map<ScramMechanism, ScramCredential>>();
    for (const r of scram) {
      if (!next.has(r.user)) next.set(r.user, new Map());
      const c = r.credential;
      next.get(r.user)!.set(r.mechanism, { salt: Buffer.from(c.salt, 'base64'), storedKey: Buffer.from(c.storedKey, 'base64'), serverKey: Buffer.from(c.serverKey, 'base64'), iterations: c.iterations });
    }
    this.scram = next;
  }

  all(): AclBinding[] { return this.acls; }
  add(bindings: AclBinding[]): Promise<void> { return bindings.length ? this.backend.addAcls(bindings) : Promise.resolve(); }
  remove(bindings: AclBinding[]): Promise<void> { return bindings.length ? this.backend.removeAcls(bindings) : Promise.resolve(); }

  get(user: string, m: ScramMechanism): ScramCredential | undefined { return this.scram.get(user)?.get(m); }
  set(user: string, m: ScramMechanism, c: ScramCredential): Promise<void> { return this.backend.setScram(user, m, stored(c)); }
  async delete(user: string, m: ScramMechanism): Promise<boolean> {
    if (!this.get(user, m)) return false;
    await this.backend.deleteScram(user, m);
    return true;
  }

  users(): Map<string, { mechanism: ScramMechanism; iterations: number }[]> {
    return new Map([...this.scram].map(([user, ms]) => [user, [...ms].map(([mechanism, c]) => ({ mechanism, iterations: c.iterations }))]));
  }
}
