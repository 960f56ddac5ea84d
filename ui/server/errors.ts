// The UI API's error table: every error body the API sends has one of these codes
// (its own names: the UI API is Tributary's), in the shape every component's error
// table has (common/error-table.ts).
import { errorTable } from '../../common/error-table.ts';
import { summarizeKafkaError } from '../../client/index.ts';
import type { ApiErrorBody } from '../shared/api-types.ts';

export const UI_ERRORS = errorTable({
  bad_request: { code: 'bad_request', status: 400, message: 'The request is malformed' },
  not_found: { code: 'not_found', status: 404, message: 'No such resource' },
  topic_not_found: { code: 'topic_not_found', status: 404, message: 'No such topic' },
  group_not_found: { code: 'group_not_found', status: 404, message: 'No such consumer group' },
  message_not_found: { code: 'message_not_found', status: 404, message: 'No message at that offset' },
  topic_exists: { code: 'topic_exists', status: 409, message: 'A topic with that name already exists' },
  kafka_rejected: { code: 'kafka_rejected', status: 400, message: 'The broker rejected the request' },
  group_not_empty: { code: 'group_not_empty', status: 409, message: 'The consumer group has active members; stop them before resetting offsets' },
  kafka_error: { code: 'kafka_error', status: 502, message: 'The broker answered with an error' },
  kafka_unreachable: { code: 'kafka_unreachable', status: 503, message: 'The broker is not reachable' },
  registry_not_configured: { code: 'registry_not_configured', status: 503, message: 'No schema registry URL is configured (start the UI with --registry URL)' },
  registry_unreachable: { code: 'registry_unreachable', status: 502, message: 'The schema registry is not reachable' },
  connect_not_configured: { code: 'connect_not_configured', status: 503, message: 'No Kafka Connect URL is configured (start the UI with --connect URL)' },
  connect_unreachable: { code: 'connect_unreachable', status: 502, message: 'Kafka Connect is not reachable' },
  connect_error: { code: 'connect_error', status: 502, message: 'Kafka Connect answered with an error' },
  predicate_invalid: { code: 'predicate_invalid', status: 400, message: 'The filter predicate does not compile' },
  predicate_timeout: { code: 'predicate_timeout', status: 400, message: 'The filter predicate ran longer than its per-record time limit' },
  unauthenticated: { code: 'unauthenticated', status: 401, message: 'Log in first (no session, or it expired)' },
  forbidden: { code: 'forbidden', status: 403, message: 'Your role may not do this' },
  too_many_logins: { code: 'too_many_logins', status: 429, message: 'Too many failed logins from this address; wait and try again' },
  csrf: { code: 'csrf', status: 403, message: 'Missing or wrong x-csrf-token header (reload the page)' },
  internal: { code: 'internal', status: 500, message: 'Unexpected error in the UI server' },
} as const);

export type UiErrorCode = keyof typeof UI_ERRORS;

export class UiError extends Error {
  readonly code: UiErrorCode;
  readonly status: number;
  readonly target?: string;
  constructor(code: UiErrorCode, message?: string, target?: string) {
    super(message ?? UI_ERRORS[code].message);
    this.code = code;
    this.status = UI_ERRORS[code].status;
    this.target = target;
  }
  body(): ApiErrorBody {
    return { code: this.code, message: this.message, ...(this.target ? { target: this.target } : {}) };
  }
}

/** Turns an error of the platform's Kafka client (client/) into a UiError naming what failed. */
export function fromKafkaError(e: unknown, what: string, bootstrap: string): UiError {
  if (e instanceof UiError) return e;
  const s = summarizeKafkaError(e);
  if (s.codes.includes('UNKNOWN_TOPIC_OR_PARTITION') || s.codes.includes('UNKNOWN_TOPIC_ID')) {
    return new UiError('topic_not_found', `${what}: ${s.message}`, bootstrap);
  }
  if (s.network) {
    return new UiError('kafka_unreachable', `${what}: the broker at ${bootstrap} is not reachable (${s.message})`, bootstrap);
  }
  if (s.codes.includes('TOPIC_ALREADY_EXISTS')) return new UiError('topic_exists', `${what}: ${s.message}`, bootstrap);
  if (s.codes.length && !s.retriable) return new UiError('kafka_rejected', `${what}: ${s.message}`, bootstrap);
  return new UiError('kafka_error', `${what}: ${s.message}`, bootstrap);
}
