// CreateAcls, DescribeAcls, DeleteAcls. Without an authorizer (authorizer.class.name
// unset) Kafka answers SECURITY_DISABLED (54) per creation / filter, never
// "unsupported", so admin tools get a clear answer. With one, ACLs are Kafka's model
// (server/security/acl.ts) kept in the security store; managing them needs ALTER on the
// cluster, listing them DESCRIBE.
import type { ApiHandler, ApiHandlers, RequestContext } from '../network/api-handlers.ts';
import { CreateAcls, DeleteAcls, DescribeAcls } from '../protocol/apis/index.ts';
import { code, KafkaError } from '../errors.ts';
import { AclOperation, CLUSTER_NAME, filterMatches, invalidBinding, PatternType, ResourceType, type AclBinding, type AclFilter } from '../security/acl.ts';
import type { Authorizer } from '../security/authorizer.ts';

const NO_AUTHORIZER = 'No Authorizer is configured on the broker';
const DENIED = 'Cluster authorization failed.';

export function registerAclHandlers(h: ApiHandlers, authorizer: Authorizer | null = null): void {
  h.handle(DescribeAcls, describeAclsHandler(authorizer));
  h.handle(CreateAcls, createAclsHandler(authorizer));
  h.handle(DeleteAcls, deleteAclsHandler(authorizer));
}

const onCluster = (az: Authorizer, ctx: RequestContext, op: number) => az.authorize(ctx.session, op, ResourceType.CLUSTER, CLUSTER_NAME);

/**
 * A write the ACL store refused (a cluster's metadata store unreachable: retriable
 * NOT_CONTROLLER naming it), as each result's error: these responses have no top-level
 * error code, and an empty result list would read as success.
 */
export function storeFailure(e: unknown): { errorCode: number; errorMessage: string } {
  return e instanceof KafkaError ? { errorCode: e.code, errorMessage: e.message } : { errorCode: code('UNKNOWN_SERVER_ERROR'), errorMessage: `Storing the change failed: ${(e as Error)?.message ?? e}` };
}

function toFilter(r: any): AclFilter {
  return {
    resourceType: r.resourceTypeFilter, resourceName: r.resourceNameFilter ?? null, patternType: r.patternTypeFilter ?? PatternType.LITERAL,
    principal: r.principalFilter ?? null, host: r.hostFilter ?? null, operation: r.operation, permissionType: r.permissionType,
  };
}

export function describeAclsHandler(az: Authorizer | null): ApiHandler<typeof DescribeAcls> {
  return (ctx, req) => {
    if (!az) return { throttleTimeMs: 0, errorCode: code('SECURITY_DISABLED'), errorMessage: NO_AUTHORIZER, resources: [] };
    if (!onCluster(az, ctx, AclOperation.DESCRIBE)) return { throttleTimeMs: 0, errorCode: code('CLUSTER_AUTHORIZATION_FAILED'), errorMessage: DENIED, resources: [] };
    const filter = toFilter(req);
    const byResource = new Map<string, { resourceType: number; resourceName: string; patternType: number; acls: any[] }>();
    for (const b of az.store.all()) {
      if (!filterMatches(filter, b)) continue;
      const k = `${b.resourceType}\u0000${b.patternType}\u0000${b.resourceName}`;
      let r = byResource.get(k);
      if (!r) byResource.set(k, r = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] });
      r.acls.push({ principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType });
    }
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, resources: [...byResource.values()] };
  };
}

export function createAclsHandler(az: Authorizer | null): ApiHandler<typeof CreateAcls> {
  return async (ctx, req) => {
    const creations = req.creations ?? [];
    if (!az) return { throttleTimeMs: 0, results: creations.map(() => ({ errorCode: code('SECURITY_DISABLED'), errorMessage: NO_AUTHORIZER })) };
    if (!onCluster(az, ctx, AclOperation.ALTER)) return { throttleTimeMs: 0, results: creations.map(() => ({ errorCode: code('CLUSTER_AUTHORIZATION_FAILED'), errorMessage: DENIED })) };
    const valid: AclBinding[] = [];
    const results = creations.map((c: any) => {
      const b: AclBinding = { resourceType: c.resourceType, resourceName: c.resourceName, patternType: c.resourcePatternType ?? PatternType.LITERAL, principal: c.principal, host: c.host, operation: c.operation, permissionType: c.permissionType };
      const why = invalidBinding(b);
      if (why) return { errorCode: code('INVALID_REQUEST'), errorMessage: why };
      valid.push(b);
      return { errorCode: 0, errorMessage: null };
    });
    try { await az.store.add(valid); } catch (e) {
      const failed = storeFailure(e);
      return { throttleTimeMs: 0, results: results.map((r) => (r.errorCode ? r : failed)) };
    }
    return { throttleTimeMs: 0, results };
  };
}

export function deleteAclsHandler(az: Authorizer | null): ApiHandler<typeof DeleteAcls> {
  return async (ctx, req) => {
    const filters = req.filters ?? [];
    if (!az) return { throttleTimeMs: 0, filterResults: filters.map(() => ({ errorCode: code('SECURITY_DISABLED'), errorMessage: NO_AUTHORIZER, matchingAcls: [] })) };
    if (!onCluster(az, ctx, AclOperation.ALTER)) return { throttleTimeMs: 0, filterResults: filters.map(() => ({ errorCode: code('CLUSTER_AUTHORIZATION_FAILED'), errorMessage: DENIED, matchingAcls: [] })) };
    const all = az.store.all();
    const doomed: AclBinding[] = [];
    const filterResults = filters.map((f: any) => {
      const matching = all.filter((b) => filterMatches(toFilter(f), b));
      doomed.push(...matching);
      return {
        errorCode: 0, errorMessage: null,
        matchingAcls: matching.map((b) => ({ errorCode: 0, errorMessage: null, resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType })),
      };
    });
    try { await az.store.remove(doomed); } catch (e) {
      const failed = storeFailure(e);
      return { throttleTimeMs: 0, filterResults: filterResults.map(() => ({ ...failed, matchingAcls: [] })) };
    }
    return { throttleTimeMs: 0, filterResults };
  };
}
