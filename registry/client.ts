// A small HTTP client of the registry's REST API, for the platform's own use
// (Connect converters, the UI's message browser) and for tests and benchmarks.
import type { SchemaReference } from './formats/types.ts';
import type { RegistryClient, RegisteredSchema } from './serde.ts';

export class RegistryHttpError extends Error {
  constructor(readonly status: number, readonly errorCode: number, message: string) { super(message); this.name = 'RegistryHttpError'; }
}

const CT = 'application/vnd.schemaregistry.v1+json';

export class HttpRegistryClient implements RegistryClient {
  private readonly authorization: string | undefined;

  /** `userInfo` ("user:password") is sent as HTTP basic auth (the registry's authentication.method=BASIC). */
  constructor(readonly baseUrl: string, private readonly timeoutMs = 30000, userInfo?: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.authorization = userInfo ? 'Basic ' + Buffer.from(userInfo, 'utf8').toString('base64') : undefined;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: { accept: CT, ...(body === undefined ? {} : { 'content-type': CT }), ...(this.authorization ? { authorization: this.authorization } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    let json: unknown;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = text; }
    if (!res.ok) {
      const e = json as { error_code?: number; message?: string } | undefined;
      throw new RegistryHttpError(res.status, e?.error_code ?? res.status, e?.message ?? text);
    }
    return json as T;
  }

  register(subject: string, schema: { schema: string; schemaType?: string; references?: SchemaReference[] }, normalize = false): Promise<{ id: number }> {
    return this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions${normalize ? '?normalize=true' : ''}`, schema);
  }

  getSchemaById(id: number): Promise<RegisteredSchema> {
    return this.request('GET', `/schemas/ids/${id}`);
  }

  getSchemaByVersion(subject: string, version: number | 'latest'): Promise<RegisteredSchema & { subject: string; version: number; id: number }> {
    return this.request('GET', `/subjects/${encodeURIComponent(subject)}/versions/${version}`);
  }
}
