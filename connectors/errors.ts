// The one error table of the Connect runtime, in the shape every component's error
// table has (common/error-table.ts). Kafka Connect answers REST errors as
// {"error_code": <HTTP status>, "message": …}; the code is the status.
import { errorTable } from '../common/error-table.ts';

export const CONNECT_ERRORS = errorTable({
  BAD_REQUEST: { code: 400, status: 400, message: 'Malformed request, invalid connector configuration, or an operation not allowed in the current state (e.g. altering offsets of a running connector).' },
  UNAUTHORIZED: { code: 401, status: 401, message: 'BasicAuthSecurityRestExtension is on and the request has no or wrong credentials (with WWW-Authenticate).' },
  NOT_FOUND: { code: 404, status: 404, message: 'Unknown connector, task, plugin or route.' },
  CONFLICT: { code: 409, status: 409, message: 'The connector already exists, or a rebalance/restart is in progress.' },
  INTERNAL: { code: 500, status: 500, message: 'Unexpected error (logged with its stack), e.g. the broker rejected a write to an internal topic.' },
  UNAVAILABLE: { code: 503, status: 503, message: 'The worker is still starting (reading its internal topics).' },
} as const);

export type ConnectErrorKind = keyof typeof CONNECT_ERRORS;

export class ConnectRestError extends Error {
  readonly status: number;
  constructor(readonly kind: ConnectErrorKind, message: string) {
    super(message);
    this.name = 'ConnectRestError';
    this.status = CONNECT_ERRORS[kind].status;
  }
}

export const notFound = (m: string) => new ConnectRestError('NOT_FOUND', m);
export const badRequest = (m: string) => new ConnectRestError('BAD_REQUEST', m);
export const conflict = (m: string) => new ConnectRestError('CONFLICT', m);

/** A Java-like trace for status records: `Class: message\n\tat …` lines from the JS stack. */
export function traceOf(e: unknown): string {
  if (e instanceof Error) {
    const head = `${e.name}: ${e.message}`;
    const frames = (e.stack ?? '').split('\n').slice(1).map((l) => '\t' + l.trim()).join('\n');
    const cause = (e as { cause?: unknown }).cause;
    // a client's "failed N times" error holds the real reasons (e.g. the SASL failure) in `errors`
    const inner = (e as { errors?: unknown }).errors;
    const reasons = Array.isArray(inner) ? [...new Map(inner.map((x) => [x instanceof Error ? `${x.name}: ${x.message}` : String(x), x])).values()].slice(0, 3) : [];
    const causes = [...(cause ? [cause] : []), ...reasons].map((c) => `\nCaused by: ${traceOf(c)}`).join('');
    return `${head}${frames ? `\n${frames}` : ''}${causes}`;
  }
  return String(e);
}
