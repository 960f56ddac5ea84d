// How the CLI turns an error into an exit code. A component's config error says its own
// exit code (`exitCode`), so the CLI needs no list of every component's error classes.

/** Any error a component throws that should end the process with a given exit code. */
export interface ExitCodeError extends Error { exitCode: number }

/** A bad flag or argument: exit 2 with the message; an empty message prints the usage and exits 0. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

export function exitCodeOf(e: unknown): number {
  const c = (e as Partial<ExitCodeError> | null)?.exitCode;
  return typeof c === 'number' && Number.isInteger(c) && c > 0 ? c : 1;
}

/** The one line printed for an error that ends the process. */
export function reasonOf(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'EADDRINUSE') return `address in use (${err.message.replace(/^.*EADDRINUSE:?\s*/, '')}): pick another port or stop what holds it`;
  return String(err?.message ?? e).split('\n')[0];
}
