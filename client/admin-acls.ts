// ACLs over Kafka's CreateAcls / DescribeAcls / DeleteAcls, with Kafka's names for
// resource types, pattern types, operations and permissions (what kafka-acls prints).
import { KafkaAdmin } from './admin.ts';

export const RESOURCE_TYPES: Record<string, number> = { ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 };
export const PATTERN_TYPES: Record<string, number> = { ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 };
export const OPERATIONS: Record<string, number> = {
  ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12, CREATE_TOKENS: 13, DESCRIBE_TOKENS: 14,
};
export const PERMISSIONS: Record<string, number> = { ANY: 1, DENY: 2, ALLOW: 3 };
const nameOf = (t: Record<string, number>, v: number) => Object.keys(t).find((k) => t[k] === v) ?? String(v);

/** One ACL by name: { resourceType: 'TOPIC', resourceName: 'orders', patternType: 'LITERAL', principal: 'User:alice', host: '*', operation: 'WRITE', permission: 'ALLOW' } */
export interface AclEntry { resourceType: string; resourceName: string; patternType: string; principal: string; host: string; operation: string; permission: string }
/** A filter: null fields match anything; ANY types match every type. */
export type AclEntryFilter = { [K in keyof AclEntry]: AclEntry[K] | null };

const code = (t: Record<string, number>, what: string, v: string) => {
  const c = t[v.toUpperCase().replace(/-/g, '_')];
  if (c === undefined) throw new Error(`unknown ${what} ${JSON.stringify(v)}: one of ${Object.keys(t).join(', ')}`);
  return c;
};

function toWire(e: AclEntryFilter): any {
  return {
    resourceType: code(RESOURCE_TYPES, 'resource type', e.resourceType ?? 'ANY'), resourceName: e.resourceName,
    resourcePatternType: code(PATTERN_TYPES, 'pattern type', e.patternType ?? 'ANY'), principal: e.principal, host: e.host,
    operation: code(OPERATIONS, 'operation', e.operation ?? 'ANY'), permissionType: code(PERMISSIONS, 'permission type', e.permission ?? 'ANY'),
  };
}

function fromWire(a: any): AclEntry {
  return {
    resourceType: nameOf(RESOURCE_TYPES, a.resourceType), resourceName: a.resourceName, patternType: nameOf(PATTERN_TYPES, a.resourcePatternType ?? a.patternType),
    principal: a.principal, host: a.host, operation: nameOf(OPERATIONS, a.operation), permission: nameOf(PERMISSIONS, a.permissionType),
  };
}

export class AclAdmin extends KafkaAdmin {
  async createAcls(entries: AclEntry[]): Promise<void> {
    await this.raw.createAcls({ creations: entries.map(toWire) });
  }

  async describeAcls(filter: AclEntryFilter): Promise<AclEntry[]> {
    const resources = await this.raw.describeAcls({ filter: toWire(filter) });
    return resources.flatMap((r: any) => r.acls.map((a: any) => fromWire({ ...r, ...a })));
  }

  async deleteAcls(filters: AclEntryFilter[]): Promise<AclEntry[]> {
    return (await this.raw.deleteAcls({ filters: filters.map(toWire) })).map(fromWire);
  }
}
