// CreateAcls, DescribeAcls, DeleteAcls as Kafka answers them with no authorizer
// configured: SECURITY_DISABLED (54) per creation / filter, never "unsupported", so
// admin tools get a clear answer. The security work replaces these with real ACLs.
import type { RequestContext } from '../network/socket-server.ts';
import { code } from '../errors.ts';

const NO_AUTHORIZER = 'No Authorizer is configured on the broker';

export function describeAclsHandler() {
  return (_ctx: RequestContext, _req: any) => ({ throttleTimeMs: 0, errorCode: code('SECURITY_DISABLED'), errorMessage: NO_AUTHORIZER, resources: [] });
}

export function createAclsHandler() {
  return (_ctx: RequestContext, req: any) => ({
    throttleTimeMs: 0,
    results: (req.creations ?? []).map(() => ({ errorCode: code('SECURITY_DISABLED'), errorMessage: NO_AUTHORIZER })),
  });
}

export function deleteAclsHandler() {
  return (_ctx: RequestContext, req: any) => ({
    throttleTimeMs: 0,
    filterResults: (req.filters ?? []).map(() => ({ errorCode: code('SECURITY_DISABLED'), errorMessage: NO_AUTHORIZER, matchingAcls: [] })),
  });
}
