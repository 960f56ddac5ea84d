// SaslHandshake / SaslAuthenticate after authentication (or on a listener without
// SASL) answer ILLEGAL_SASL_STATE as Kafka's KafkaApis does: the socket server runs the
// exchange itself before a connection is authenticated. DescribeUserScramCredentials
// and AlterUserScramCredentials (KIP-554) manage SCRAM users: DESCRIBE / ALTER on the
// cluster when an authorizer is on.
import type { ApiHandler, ApiHandlers, RequestContext } from '../network/api-handlers.ts';
import { AlterUserScramCredentials, DescribeUserScramCredentials, SaslAuthenticate, SaslHandshake } from '../protocol/apis/index.ts';
import { code } from '../errors.ts';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/acl.ts';
import type { Authorizer } from '../security/authorizer.ts';
import { storeFailure } from './acls.ts';
import { credentialFromSalted, MAX_ITERATIONS, MIN_ITERATIONS, SCRAM_BY_TYPE, SCRAM_TYPE, type ScramCredentialStore } from '../security/scram.ts';

export interface SecurityContext {
  authorizer: Authorizer | null;
  scram: ScramCredentialStore;
  /** mechanisms enabled on some listener (for the handshake's answer) */
  mechanisms: string[];
}

export function registerSecurityHandlers(h: ApiHandlers, s: SecurityContext): void {
  h.handle(SaslHandshake, () => ({ errorCode: code('ILLEGAL_SASL_STATE'), mechanisms: s.mechanisms }));
  h.handle(SaslAuthenticate, () => ({ errorCode: code('ILLEGAL_SASL_STATE'), errorMessage: 'SaslAuthenticate request received after successful authentication', authBytes: Buffer.alloc(0) }));
  h.handle(DescribeUserScramCredentials, describeHandler(s));
  h.handle(AlterUserScramCredentials, alterHandler(s));
}

const may = (s: SecurityContext, ctx: RequestContext, op: number) => !s.authorizer || s.authorizer.authorize(ctx.session, op, ResourceType.CLUSTER, CLUSTER_NAME);

function describeHandler(s: SecurityContext): ApiHandler<typeof DescribeUserScramCredentials> {
  return (ctx, req) => {
    if (!may(s, ctx, AclOperation.DESCRIBE)) return { throttleTimeMs: 0, errorCode: code('CLUSTER_AUTHORIZATION_FAILED'), errorMessage: 'Cluster authorization failed.', results: [] };
    const users = s.scram.users();
    const info = (list: { mechanism: keyof typeof SCRAM_TYPE; iterations: number }[]) => list.map((c) => ({ mechanism: SCRAM_TYPE[c.mechanism], iterations: c.iterations }));
    if (req.users == null || req.users.length === 0) {
      return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, results: [...users].map(([user, list]) => ({ user, errorCode: 0, errorMessage: null, credentialInfos: info(list) })) };
    }
    const seen = new Map<string, number>();
    for (const u of req.users) seen.set(u.name, (seen.get(u.name) ?? 0) + 1);
    const results = [...seen].map(([user, n]) => {
      if (n > 1) return { user, errorCode: code('DUPLICATE_RESOURCE'), errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`, credentialInfos: [] };
      const list = users.get(user);
      if (!list) return { user, errorCode: code('RESOURCE_NOT_FOUND'), errorMessage: `Attempt to describe nonexistent user: ${user}`, credentialInfos: [] };
      return { user, errorCode: 0, errorMessage: null, credentialInfos: info(list) };
    });
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, results };
  };
}

function alterHandler(s: SecurityContext): ApiHandler<typeof AlterUserScramCredentials> {
  return async (ctx, req) => {
    const names = [...new Set([...(req.deletions ?? []).map((d: any) => d.name), ...(req.upsertions ?? []).map((u: any) => u.name)])];
    if (!may(s, ctx, AclOperation.ALTER)) return { throttleTimeMs: 0, results: names.map((user) => ({ user, errorCode: code('CLUSTER_AUTHORIZATION_FAILED'), errorMessage: 'Cluster authorization failed.' })) };
    const result = new Map<string, { errorCode: number; errorMessage: string | null }>();
    const fail = (user: string, name: Parameters<typeof code>[0], message: string) => { if (!result.has(user)) result.set(user, { errorCode: code(name), errorMessage: message }); };
    // A user named twice for one mechanism is refused as a whole (Kafka's DUPLICATE_RESOURCE).
    const count = new Map<string, number>();
    for (const x of [...(req.deletions ?? []), ...(req.upsertions ?? [])] as any[]) count.set(`${x.name}\u0000${x.mechanism}`, (count.get(`${x.name}\u0000${x.mechanism}`) ?? 0) + 1);
    for (const [k, n] of count) if (n > 1) { const user = k.split('\u0000')[0]; fail(user, 'DUPLICATE_RESOURCE', `A user credential cannot be altered twice in the same request: ${user}`); }
    for (const d of req.deletions ?? []) {
      const m = SCRAM_BY_TYPE.get(d.mechanism);
      if (!d.name) fail(d.name, 'UNACCEPTABLE_CREDENTIAL', 'Username must not be empty');
      else if (!m) fail(d.name, 'UNSUPPORTED_SASL_MECHANISM', `Unknown SCRAM mechanism ${d.mechanism}`);
      else if (!s.scram.get(d.name, m)) fail(d.name, 'RESOURCE_NOT_FOUND', `Attempt to delete a user credential that does not exist: ${d.name}`);
    }
    for (const u of req.upsertions ?? []) {
      const m = SCRAM_BY_TYPE.get(u.mechanism);
      if (!u.name) fail(u.name, 'UNACCEPTABLE_CREDENTIAL', 'Username must not be empty');
      else if (!m) fail(u.name, 'UNSUPPORTED_SASL_MECHANISM', `Unknown SCRAM mechanism ${u.mechanism}`);
      else if (u.iterations < MIN_ITERATIONS) fail(u.name, 'UNACCEPTABLE_CREDENTIAL', `Too few iterations: ${u.iterations} (at least ${MIN_ITERATIONS})`);
      else if (u.iterations > MAX_ITERATIONS) fail(u.name, 'UNACCEPTABLE_CREDENTIAL', `Too many iterations: ${u.iterations} (at most ${MAX_ITERATIONS})`);
      else if (!u.salt.length || !u.saltedPassword.length) fail(u.name, 'UNACCEPTABLE_CREDENTIAL', 'Salt and salted password must not be empty');
    }
    // A cluster's store may refuse a write (unreachable): that user's result says so.
    const stored = async (user: string, write: () => unknown) => {
      try { await write(); } catch (e) { if (!result.has(user)) result.set(user, storeFailure(e)); }
    };
    for (const d of req.deletions ?? []) if (!result.has(d.name)) await stored(d.name, () => s.scram.delete(d.name, SCRAM_BY_TYPE.get(d.mechanism)!));
    for (const u of req.upsertions ?? []) {
      if (result.has(u.name)) continue;
      const m = SCRAM_BY_TYPE.get(u.mechanism)!;
      await stored(u.name, () => s.scram.set(u.name, m, credentialFromSalted(m, Buffer.from(u.saltedPassword), Buffer.from(u.salt), u.iterations)));
    }
    return { throttleTimeMs: 0, results: names.map((user) => ({ user, ...(result.get(user) ?? { errorCode: 0, errorMessage: null }) })) };
  };
}
