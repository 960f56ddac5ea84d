// What went wrong in a Kafka call, read from the client library's error tree
// (an aggregate of retries, each an aggregate of per-partition protocol errors),
// so callers branch on Kafka's error names and never on the library's classes.
export interface KafkaErrorSummary {
  /** Kafka error names found anywhere in the tree, e.g. TOPIC_ALREADY_EXISTS. */
  codes: string[];
  /** No broker could be reached (refused, reset, DNS, connect timeout). */
  network: boolean;
  /** A request timed out. */
  timeout: boolean;
  /** Every Kafka error in the tree is one a later retry may not meet. */
  retriable: boolean;
  /** One line: the outer message and the distinct causes under it. */
  message: string;
}

interface ErrorLike {
  message?: string;
  code?: string;
  apiId?: string;
  canRetry?: boolean;
  serverErrorMessage?: string | null;
  errors?: unknown[];
  cause?: unknown;
}

const NETWORK = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|Cannot connect to any broker|Connection closed/i;

export function summarizeKafkaError(e: unknown): KafkaErrorSummary {
  const codes = new Set<string>();
  const causes: string[] = [];
  let network = false; let timeout = false; let retriable = true; let sawProtocol = false;
  const seen = new Set<unknown>();
  const walk = (x: unknown, depth: number) => {
    if (!x || typeof x !== 'object' || seen.has(x) || depth > 8) return;
    seen.add(x);
    const err = x as ErrorLike;
    if (err.apiId) {
      sawProtocol = true;
      codes.add(err.apiId);
      if (err.canRetry === false) retriable = false;
    }
    if (err.code === 'PLT_KFK_NETWORK' || NETWORK.test(`${err.code ?? ''} ${err.message ?? ''}`)) network = true;
    if (err.code === 'PLT_KFK_TIMEOUT' || err.code === 'ETIMEDOUT') timeout = true;
    if (/^Unknown topic /.test(err.message ?? '')) { codes.add('UNKNOWN_TOPIC_OR_PARTITION'); sawProtocol = true; retriable = false; }
    const children = Array.isArray(err.errors) ? err.errors : [];
    if (!children.length) {
      const m = err.serverErrorMessage || err.message;
      if (m && !causes.includes(m)) causes.push(m);
    }
    for (const c of children) walk(c, depth + 1);
    if (err.cause) walk(err.cause, depth + 1);
  };
  walk(e, 0);
  const outer = (e as ErrorLike | null)?.message ?? String(e);
  const message = [outer, ...causes.filter((c) => c !== outer)].join(': ');
  return { codes: [...codes], network, timeout, retriable: sawProtocol ? retriable : !network, message };
}
