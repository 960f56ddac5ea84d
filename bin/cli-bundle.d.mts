/** The bundled CLI's URL: found in the cache, else built through app/bundle.ts. */
export function cliBundle(): Promise<URL>;
