// Confluent Schema Registry error codes (one table, each documented in README.md), in
// the shape every component's error table has (common/error-table.ts): Confluent's
// code, its HTTP status (the code's first three digits), what it means.
// Routes throw RegistryError; the app's error handler turns it into
// {"error_code": N, "message": "…"} with that HTTP status.
import { errorTable } from '../common/error-table.ts';

export const ERRORS = errorTable({
  // 4xx
  BAD_REQUEST: { code: 400, status: 400, message: 'Malformed request (e.g. a body that is not JSON).' },
  UNAUTHORIZED: { code: 401, status: 401, message: 'authentication.method=BASIC and no or wrong credentials (with WWW-Authenticate).' },
  FORBIDDEN: { code: 403, status: 403, message: 'Authenticated, but the user\'s role may not do this (readonly writing, or a role outside authentication.roles).' },
  NOT_FOUND: { code: 404, status: 404, message: 'No such route.' },
  METHOD_NOT_ALLOWED: { code: 405, status: 405, message: 'The route exists but not with this HTTP method.' },
  INCOMPATIBLE_SCHEMA: { code: 409, status: 409, message: 'The schema is incompatible with an earlier schema of the subject, or an id/version is already taken.' },
  UNPROCESSABLE_ENTITY: { code: 422, status: 422, message: 'The request body does not have the expected shape (unknown or missing fields).' },
  SUBJECT_NOT_FOUND: { code: 40401, status: 404, message: 'Subject not found.' },
  VERSION_NOT_FOUND: { code: 40402, status: 404, message: 'Version not found.' },
  SCHEMA_NOT_FOUND: { code: 40403, status: 404, message: 'Schema not found.' },
  SUBJECT_SOFT_DELETED: { code: 40404, status: 404, message: 'Subject was soft deleted; delete it with permanent=true.' },
  SUBJECT_NOT_SOFT_DELETED: { code: 40405, status: 404, message: 'Subject was not soft deleted before a permanent delete.' },
  SCHEMA_VERSION_SOFT_DELETED: { code: 40406, status: 404, message: 'Version was soft deleted; delete it with permanent=true.' },
  SCHEMA_VERSION_NOT_SOFT_DELETED: { code: 40407, status: 404, message: 'Version was not soft deleted before a permanent delete.' },
  SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED: { code: 40408, status: 404, message: 'The subject has no compatibility level of its own (use defaultToGlobal=true).' },
  SUBJECT_LEVEL_MODE_NOT_CONFIGURED: { code: 40409, status: 404, message: 'The subject has no mode of its own (use defaultToGlobal=true).' },
  INVALID_SCHEMA: { code: 42201, status: 422, message: 'Invalid schema: the parser\'s message says why (also unknown schemaType, missing reference).' },
  INVALID_VERSION: { code: 42202, status: 422, message: 'Invalid version: must be 1..2^31-1, "latest" or -1.' },
  INVALID_COMPATIBILITY_LEVEL: { code: 42203, status: 422, message: 'Invalid compatibility level.' },
  INVALID_MODE: { code: 42204, status: 422, message: 'Invalid mode (READWRITE, READONLY, READONLY_OVERRIDE, IMPORT).' },
  OPERATION_NOT_PERMITTED: { code: 42205, status: 422, message: 'Operation not permitted (read-only mode, id given outside IMPORT mode, IMPORT on a non-empty registry).' },
  REFERENCE_EXISTS: { code: 42206, status: 422, message: 'The version is referenced by another schema and cannot be deleted.' },
  ID_DOES_NOT_MATCH: { code: 42207, status: 422, message: 'Schema already registered with another id (IMPORT mode).' },
  INVALID_SUBJECT: { code: 42208, status: 422, message: 'Invalid subject name.' },
  // 5xx
  INTERNAL_SERVER_ERROR: { code: 500, status: 500, message: 'Unexpected server error (logged).' },
  STORE_ERROR: { code: 50001, status: 500, message: 'Error in the backend data store (the _schemas topic).' },
  OPERATION_TIMEOUT: { code: 50002, status: 500, message: 'Operation timed out (a write was not read back from _schemas in time).' },
  REQUEST_FORWARDING_FAILED: { code: 50003, status: 500, message: 'Error while forwarding the request to the leader.' },
  UNKNOWN_LEADER: { code: 50004, status: 500, message: 'No leader is known to forward the write to.' },
} as const);

export type ErrorName = keyof typeof ERRORS;

export class RegistryError extends Error {
  readonly errorCode: number;
  readonly statusCode: number;
  constructor(name: ErrorName, message: string) {
    super(message);
    this.name = 'RegistryError';
    this.errorCode = ERRORS[name].code;
    this.statusCode = ERRORS[name].status;
  }
}

/** HTTP status of an error code: its first three digits. */
export function httpStatus(code: number): number {
  return Number(String(code).slice(0, 3));
}

export const err = {
  subjectNotFound: (s: string) => new RegistryError('SUBJECT_NOT_FOUND', `Subject '${s}' not found.`),
  versionNotFound: (s: string, v: number | string) => new RegistryError('VERSION_NOT_FOUND', `Version ${v} not found.`),
  schemaNotFound: (what = 'Schema not found') => new RegistryError('SCHEMA_NOT_FOUND', what),
  invalidSchema: (msg: string) => new RegistryError('INVALID_SCHEMA', `Invalid schema: ${msg}`),
  invalidVersion: (v: string) => new RegistryError('INVALID_VERSION', `The specified version '${v}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`),
  invalidCompatibility: (v: unknown) => new RegistryError('INVALID_COMPATIBILITY_LEVEL', `Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive (got ${JSON.stringify(v)})`),
  invalidMode: (v: unknown) => new RegistryError('INVALID_MODE', `Invalid mode. Valid values are READWRITE, READONLY, READONLY_OVERRIDE, IMPORT (got ${JSON.stringify(v)})`),
  readOnly: (s: string | null) => new RegistryError('OPERATION_NOT_PERMITTED', s ? `Subject ${s} is in read-only mode` : 'The registry is in read-only mode'),
  notPermitted: (msg: string) => new RegistryError('OPERATION_NOT_PERMITTED', msg),
  referenceExists: (s: string, v: number, ids: number[]) => new RegistryError('REFERENCE_EXISTS', `One or more references exist to the schema {subject=${s},version=${v}}: referenced by schema ids ${JSON.stringify(ids)}`),
  subjectSoftDeleted: (s: string) => new RegistryError('SUBJECT_SOFT_DELETED', `Subject '${s}' was soft deleted.Set permanent=true to delete permanently`),
  subjectNotSoftDeleted: (s: string) => new RegistryError('SUBJECT_NOT_SOFT_DELETED', `Subject '${s}' was not deleted first before being permanently deleted`),
  versionSoftDeleted: (s: string, v: number) => new RegistryError('SCHEMA_VERSION_SOFT_DELETED', `Subject '${s}' Version ${v} was soft deleted.Set permanent=true to delete permanently`),
  versionNotSoftDeleted: (s: string, v: number) => new RegistryError('SCHEMA_VERSION_NOT_SOFT_DELETED', `Subject '${s}' Version ${v} was not deleted first before being permanently deleted`),
  noSubjectConfig: (s: string) => new RegistryError('SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED', `Subject '${s}' does not have subject-level compatibility configured`),
  noSubjectMode: (s: string) => new RegistryError('SUBJECT_LEVEL_MODE_NOT_CONFIGURED', `Subject '${s}' does not have subject-level mode configured`),
  incompatible: (msg: string) => new RegistryError('INCOMPATIBLE_SCHEMA', msg),
  store: (msg: string) => new RegistryError('STORE_ERROR', `Error in the backend datastore: ${msg}`),
  timeout: (msg: string) => new RegistryError('OPERATION_TIMEOUT', msg),
  forwarding: (msg: string) => new RegistryError('REQUEST_FORWARDING_FAILED', `Error while forwarding the request to the leader: ${msg}`),
  unknownLeader: () => new RegistryError('UNKNOWN_LEADER', 'Leader not known.'),
};
