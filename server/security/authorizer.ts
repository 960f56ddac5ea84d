// Kafka's StandardAuthorizer decision (AclAuthorizer's before it): super users may do
// everything; otherwise a matching DENY wins over any ALLOW; READ, WRITE, DELETE or
// ALTER imply DESCRIBE and ALTER_CONFIGS implies DESCRIBE_CONFIGS; a resource with no
// ACL at all is allowed only with allow.everyone.if.no.acl.found=true.
import type { Logger } from 'pino';
import { AclOperation, AclPermissionType, PatternType, ResourceType, WILDCARD, patternMatches, type AclBinding } from './acl.ts';
import type { AclStore } from './security-store.ts';
import { ANONYMOUS, type Session } from './principal.ts';

export const AUTHORIZER_CLASSES = [
  'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  'kafka.security.authorizer.AclAuthorizer',
  'kafka.security.auth.SimpleAclAuthorizer',
];

const IMPLIES_DESCRIBE: number[] = [AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER];

function allows(aclOp: number, op: number): boolean {
  if (aclOp === AclOperation.ALL || aclOp === op) return true;
  if (op === AclOperation.DESCRIBE) return IMPLIES_DESCRIBE.includes(aclOp);
  if (op === AclOperation.DESCRIBE_CONFIGS) return aclOp === AclOperation.ALTER_CONFIGS;
  return false;
}

/** Parses `super.users` (User:alice;User:bob). */
export function parseSuperUsers(value: string | null): Set<string> {
  return new Set((value ?? '').split(';').map((s) => s.trim()).filter(Boolean));
}

export class Authorizer {
  constructor(
    readonly store: AclStore,
    private readonly superUsers: Set<string>,
    private readonly allowIfNoAcl: boolean,
    private readonly logger?: Logger,
  ) {}

  private applies(b: AclBinding, principal: string, host: string): boolean {
    return (b.principal === principal || b.principal === 'User:*') && (b.host === host || b.host === WILDCARD);
  }

  authorize(session: Session | undefined, op: number, resourceType: number, name: string): boolean {
    const principal = session?.principal ?? ANONYMOUS;
    if (this.superUsers.has(principal)) return true;
    const host = session?.clientHost ?? '';
    const acls = this.store.all().filter((b) => b.resourceType === resourceType && patternMatches(b, name));
    let allowed = false;
    for (const b of acls) {
      if (!this.applies(b, principal, host)) continue;
      if (b.permissionType === AclPermissionType.DENY && (b.operation === AclOperation.ALL || b.operation === op)) { allowed = false; this.denied(principal, host, op, resourceType, name); return false; }
      if (b.permissionType === AclPermissionType.ALLOW && allows(b.operation, op)) allowed = true;
    }
    if (!allowed && acls.length === 0 && this.allowIfNoAcl) return true;
    if (!allowed) this.denied(principal, host, op, resourceType, name);
    return allowed;
  }

  /**
   * Kafka's authorizeByResourceType: may the principal do `op` on some resource of the
   * type (an idempotent producer without IDEMPOTENT_WRITE needs WRITE on any topic).
   */
  authorizeAny(session: Session | undefined, op: number, resourceType: number): boolean {
    const principal = session?.principal ?? ANONYMOUS;
    if (this.superUsers.has(principal)) return true;
    const host = session?.clientHost ?? '';
    const acls = this.store.all().filter((b) => b.resourceType === resourceType);
    const mine = acls.filter((b) => this.applies(b, principal, host));
    if (mine.some((b) => b.permissionType === AclPermissionType.DENY && b.patternType === PatternType.LITERAL && b.resourceName === WILDCARD && (b.operation === AclOperation.ALL || b.operation === op))) return false;
    if (mine.some((b) => b.permissionType === AclPermissionType.ALLOW && allows(b.operation, op))) return true;
    return acls.length === 0 && this.allowIfNoAcl;
  }

  private denied(principal: string, host: string, op: number, resourceType: number, name: string): void {
    this.logger?.debug({ principal, host, operation: op, resourceType, resource: name }, 'authorization denied');
  }
}

export { ResourceType, AclOperation };
