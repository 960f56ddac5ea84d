// Where ACLs and SCRAM credentials persist: behind small interfaces, so the cluster
// metadata store (Postgres) can hold them for a cluster. The single-node store is a
// JSON file under the data dir, written atomically (temp file, fsync, rename).
import fs from 'node:fs';
import path from 'node:path';
import { sameBinding, type AclBinding } from './acl.ts';
import type { ScramCredential, ScramCredentialStore, ScramMechanism } from './scram.ts';

export interface AclStore {
  all(): AclBinding[];
  /** adds what is not there yet */
  add(bindings: AclBinding[]): void;
  remove(bindings: AclBinding[]): void;
}

interface FileShape {
  acls: AclBinding[];
  scram: Record<string, Partial<Record<ScramMechanism, { salt: string; storedKey: string; serverKey: string; iterations: number }>>>;
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
