// sync.topic.acls.enabled: the source topics' ACLs on their remote topics, as Kafka's
// MirrorSourceConnector copies them. Only LITERAL topic patterns of replicated topics;
// ALLOW WRITE is left out and ALLOW ALL becomes ALLOW READ, so consumers may read the
// remote topic as they read the source one while only the mirror writes to it; DENY
// entries are copied unchanged. ACLs removed on the source stay on the target (Kafka
// only creates).
import type { AclEntry } from '../../../client/index.ts';

/** The target cluster's ACLs for the source's topic ACLs; `remote` names a replicated topic's copy, or null for a topic not replicated. */
export function remoteTopicAcls(source: AclEntry[], remote: (topic: string) => string | null): AclEntry[] {
  const out = new Map<string, AclEntry>();
  for (const a of source) {
    if (a.resourceType !== 'TOPIC' || a.patternType !== 'LITERAL') continue;
    if (a.permission === 'ALLOW' && a.operation === 'WRITE') continue;
    const name = remote(a.resourceName);
    if (name === null) continue;
    const operation = a.permission === 'ALLOW' && a.operation === 'ALL' ? 'READ' : a.operation;
    const e: AclEntry = { ...a, resourceName: name, operation };
    out.set(aclKey(e), e);
  }
  return [...out.values()];
}

export const aclKey = (a: AclEntry) => [a.resourceType, a.resourceName, a.patternType, a.principal, a.host, a.operation, a.permission].join('\u0000');
