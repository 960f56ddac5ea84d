// The one error table of the Connect runtime. Kafka Connect answers REST errors as
// {"error_code": <HTTP status>, "message": …}; the code is the status.

export const CONNECT_ERRORS = {
  BAD_REQUEST: { status: 400, doc: 'Malformed request, invalid connector configuration, or an operation not allowed in the current state (e.g. altering offsets of a running connector).' },
  NOT_FOUND: { status: 404, doc: 'Unknown connector, task, plugin or route.' },
  CONFLICT: { status: 409, doc: 'The connector already exists, or a rebalance/restart is in progress.' },
  INTERNAL: { status: 500, doc: 'Unexpected error (logged with its stack), e.g. the broker rejected a write to an internal topic.' },
  UNAVAILABLE: { status: 503, doc: 'The worker is still starting (reading its internal topics).' },
} as const;

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
