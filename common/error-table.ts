// The one shape of an error table. Each component keeps one table of the codes its
// clients see (STYLE.md convention 5): the broker Kafka's error codes, the registry
// Confluent's, Connect's REST API its HTTP statuses, the UI API its own names. Every
// row is NAME → { code, status?, retriable?, message }; a test beside each table holds
// it to the codes of the system it is compatible with, and the component's README
// documents every row.

export interface ErrorEntry<C extends number | string = number> {
  /** The code on the wire: Kafka's error_code, Confluent's or Connect's error_code, the UI API's code. */
  readonly code: C;
  /** HTTP status, for the components that answer over HTTP. */
  readonly status?: number;
  /** Whether a client retries it (Kafka's flag, for the broker's codes). */
  readonly retriable?: boolean;
  /** What it means: the documentation, and the message when nothing more specific is said. */
  readonly message: string;
}

export type ErrorTable<C extends number | string = number> = Readonly<Record<string, ErrorEntry<C>>>;

/**
 * Declares a component's error table: checks that no code is used twice and every row
 * has a message, and returns the table typed as written (its names a union type).
 */
export function errorTable<const T extends ErrorTable<number> | ErrorTable<string>>(table: T): T {
  const seen = new Map<number | string, string>();
  for (const [name, e] of Object.entries(table)) {
    const other = seen.get(e.code);
    if (other !== undefined) throw new Error(`error table: ${name} and ${other} share code ${e.code}`);
    seen.set(e.code, name);
    if (!e.message) throw new Error(`error table: ${name} has no message`);
  }
  return Object.freeze(table);
}

/** A table's names by code (Kafka's name of an error_code, for logs and metric labels). */
export function namesByCode<C extends number | string>(table: ErrorTable<C>): ReadonlyMap<C, string> {
  return new Map(Object.entries(table).map(([name, e]) => [e.code, name]));
}
