// Kafka's ACL model (org.apache.kafka.common.acl / resource): resource types, pattern
// types, operations and permission types with Kafka's codes and names, bindings,
// filters and how they match.

export const ResourceType = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 } as const;
export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export const AclOperation = {
  UNKNOWN: 0, ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12, CREATE_TOKENS: 13, DESCRIBE_TOKENS: 14,
} as const;
export const AclPermissionType = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;

export const CLUSTER_NAME = 'kafka-cluster';
export const WILDCARD = '*';

const nameOf = (table: Record<string, number>) => new Map(Object.entries(table).map(([k, v]) => [v, k]));
export const RESOURCE_TYPE_NAME = nameOf(ResourceType);
export const PATTERN_TYPE_NAME = nameOf(PatternType);
export const OPERATION_NAME = nameOf(AclOperation);
export const PERMISSION_NAME = nameOf(AclPermissionType);

/** One ACL: a resource pattern and an access control entry. */
export interface AclBinding {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/** A DescribeAcls / DeleteAcls filter: null strings and ANY codes match anything; MATCH matches as the authorizer would. */
export interface AclFilter {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}

/** Why a binding cannot be created (Kafka's checks in CreateAcls), or null. */
export function invalidBinding(b: AclBinding): string | null {
  if (!RESOURCE_TYPE_NAME.has(b.resourceType) || b.resourceType <= ResourceType.ANY) return `Invalid resource type ${b.resourceType}`;
  if (b.patternType !== PatternType.LITERAL && b.patternType !== PatternType.PREFIXED) return `Invalid pattern type ${PATTERN_TYPE_NAME.get(b.patternType) ?? b.patternType}: an ACL is LITERAL or PREFIXED`;
  if (!OPERATION_NAME.has(b.operation) || b.operation <= AclOperation.ANY) return `Invalid operation ${b.operation}`;
  if (b.permissionType !== AclPermissionType.ALLOW && b.permissionType !== AclPermissionType.DENY) return `Invalid permission type ${b.permissionType}`;
  if (!/^[^:]+:.+$/.test(b.principal)) return `Invalid principal ${JSON.stringify(b.principal)}: expected TYPE:NAME, for example User:alice`;
  if (!b.resourceName) return 'Resource name must not be empty';
  if (b.resourceType === ResourceType.CLUSTER && b.resourceName !== CLUSTER_NAME) return `The only valid name for the CLUSTER resource is ${CLUSTER_NAME}`;
  if (b.patternType === PatternType.PREFIXED && b.resourceName === WILDCARD) return 'A PREFIXED pattern cannot be the wildcard *: use LITERAL *';
  if (!b.host) return 'Host must not be empty: use * for any host';
  return null;
}

/** Does a resource pattern apply to a resource named `name`? (how the authorizer looks ACLs up) */
export function patternMatches(b: Pick<AclBinding, 'resourceName' | 'patternType'>, name: string): boolean {
  if (b.patternType === PatternType.LITERAL) return b.resourceName === name || b.resourceName === WILDCARD;
  if (b.patternType === PatternType.PREFIXED) return name.startsWith(b.resourceName);
  return false;
}

export function filterMatches(f: AclFilter, b: AclBinding): boolean {
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== b.resourceType) return false;
  if (f.patternType === PatternType.MATCH) {
    // MATCH: every ACL that would apply to the named resource (literal, wildcard, prefixes of it).
    if (f.resourceName !== null && !patternMatches(b, f.resourceName)) return false;
  } else {
    if (f.patternType !== PatternType.ANY && f.patternType !== b.patternType) return false;
    if (f.resourceName !== null && f.resourceName !== b.resourceName) return false;
  }
  if (f.principal !== null && f.principal !== b.principal) return false;
  if (f.host !== null && f.host !== b.host) return false;
  if (f.operation !== AclOperation.ANY && f.operation !== b.operation) return false;
  if (f.permissionType !== AclPermissionType.ANY && f.permissionType !== b.permissionType) return false;
  return true;
}

export function sameBinding(a: AclBinding, b: AclBinding): boolean {
  return a.resourceType === b.resourceType && a.resourceName === b.resourceName && a.patternType === b.patternType
    && a.principal === b.principal && a.host === b.host && a.operation === b.operation && a.permissionType === b.permissionType;
}
