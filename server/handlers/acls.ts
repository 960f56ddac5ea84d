// CreateAcls, DescribeAcls, DeleteAcls as Kafka answers them with no authorizer
// configured: SECURITY_DISABLED (54) per creation / filter, never "unsupported", so
// admin tools get a clear answer. The security work replaces these with real ACLs.
import type { ApiHandler, ApiHandlers } from '../network/api-handlers.ts';
import { CreateAcls, DeleteAcls, DescribeAcls } from '../protocol/apis/index.ts';
import { code } from '../errors.ts';

const NO_AUTHORIZER = 'No Authorizer is configured on the broker';

export function registerAclHandlers(h: ApiHandlers): void {
  h.handle(DescribeAcls, describeAclsHandler());
  h.handle(CreateAcls, createAclsHandler());
  h.handle(DeleteAcls, deleteAclsHandler());
}

export function describeAclsHandler(): ApiHandler<typeof DescribeAcls> {
  return () => ({ throttleTimeMs: 0, errorCode: code('SECURITY_DISABLED'), errorMessage: NO_AUTHORIZER, resources: [] });
}

export function createAclsHandler(): ApiHandler<typeof CreateAcls> {
  return (_ctx, req) => ({
    throttleTimeMs: 0,
    results: (req.creations ?? []).map(() => ({ errorCode: code('SECURITY_DISABLED'), errorMessage: NO_AUTHORIZER })),
  });
}

export function deleteAclsHandler(): ApiHandler<typeof DeleteAcls> {
  return (_ctx, req) => ({
    throttleTimeMs: 0,
    filterResults: (req.filters ?? []).map(() => ({ errorCode: code('SECURITY_DISABLED'), errorMessage: NO_AUTHORIZER, matchingAcls: [] })),
  });
}
