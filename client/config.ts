// What every client of this module is built from: where the cluster is, who we are.
import type { Logger } from 'pino';
import type { BaseOptions } from '@platformatic/kafka';
import { clientSecurity, type SecurityProps } from './security.ts';

export interface ClientConfig {
  /** "host:port,host:port" or a list */
  bootstrap: string | string[];
  clientId: string;
  logger?: Logger;
  /** per-request timeout (default 30 s) */
  requestTimeoutMs?: number;
  /** retries of a failed request (default 8, backoff from 100 ms) */
  retries?: number;
  /** Kafka's client security settings (security.protocol, sasl.*, ssl.*); unset: PLAINTEXT */
  security?: SecurityProps;
}

export function bootstrapList(b: string | string[]): string[] {
  return (Array.isArray(b) ? b : b.split(',')).map((s) => s.trim()).filter(Boolean);
}

export function baseOptions(c: ClientConfig): BaseOptions {
  return {
    clientId: c.clientId,
    bootstrapBrokers: bootstrapList(c.bootstrap),
    timeout: c.requestTimeoutMs ?? 30000,
    retries: c.retries ?? 8,
    retryDelay: (_client, _op, attempt) => Math.min(2000, 100 * 2 ** attempt),
    // metadata is refreshed on errors; a short age keeps new partitions and leaders visible
    metadataMaxAge: 5000,
    ...(c.security ? clientSecurity(c.security) : {}),
  };
}
