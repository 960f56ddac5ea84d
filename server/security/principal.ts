// Principals as Kafka names them (`User:alice`), and the client certificate subject →
// principal mapping of `ssl.principal.mapping.rules` (Kafka's SslPrincipalMapper):
//   RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L,DEFAULT
import type { X509Certificate } from 'node:crypto';

export const ANONYMOUS = 'User:ANONYMOUS';

/** What a connection is: who, from where, over which listener. */
export interface Session {
  principal: string;
  clientHost: string;
  listenerName: string;
  securityProtocol: string;
}

export class PrincipalMappingError extends Error {}

interface Rule { isDefault: boolean; pattern?: RegExp; replacement?: string; toCase?: 'L' | 'U' }

const RULE = /\s*(?:(DEFAULT)|RULE:((?:\\.|[^\\/])*)\/((?:\\.|[^\\/])*)\/([LU]?))\s*(,|$)/y;

export function parseMappingRules(value: string | null): Rule[] {
  if (!value || !value.trim()) return [{ isDefault: true }];
  const rules: Rule[] = [];
  RULE.lastIndex = 0;
  while (RULE.lastIndex < value.length) {
    const at = RULE.lastIndex;
    const m = RULE.exec(value);
    if (!m) throw new PrincipalMappingError(`Invalid rule in ssl.principal.mapping.rules at ${JSON.stringify(value.slice(at))}: expected RULE:pattern/replacement/[LU] or DEFAULT`);
    if (m[1]) rules.push({ isDefault: true });
    else {
      let pattern: RegExp;
      try { pattern = new RegExp(`^(?:${m[2]})$`); } catch (e) { throw new PrincipalMappingError(`Invalid pattern in ssl.principal.mapping.rules: ${(e as Error).message}`); }
      rules.push({ isDefault: false, pattern, replacement: m[3], toCase: (m[4] || undefined) as 'L' | 'U' | undefined });
    }
    if (m[5] === '') break;
  }
  return rules;
}

/** The principal name for a distinguished name: the first rule that matches (DEFAULT: the DN itself). */
export function mapDistinguishedName(dn: string, rules: Rule[]): string {
  for (const r of rules) {
    if (r.isDefault) return dn;
    if (!r.pattern!.test(dn)) continue;
    let out = dn.replace(r.pattern!, r.replacement!);
    if (r.toCase === 'L') out = out.toLowerCase();
    else if (r.toCase === 'U') out = out.toUpperCase();
    return out;
  }
  throw new PrincipalMappingError(`No rule of ssl.principal.mapping.rules applies to ${dn}`);
}

/** The subject as Java's X500Principal.getName() writes it (RFC 2253: most specific first, comma-separated). */
export function subjectDn(cert: X509Certificate): string {
  const rdns = cert.subject.split('\n').filter(Boolean).map((rdn) => {
    const i = rdn.indexOf('=');
    const value = rdn.slice(i + 1).replace(/([,+"\\<>;])/g, '\\$1');
    return `${rdn.slice(0, i)}=${value}`;
  });
  return rdns.reverse().join(',');
}
