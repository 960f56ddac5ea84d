// The schema registry and Kafka Connect, reached only over their REST APIs.
import type { ServiceStatus } from '../../shared/api-types.ts';
import { UiError } from '../errors.ts';

export interface UpstreamResponse { status: number; body: unknown; contentType: string | null }

export class Upstream {
  readonly url: string | null;

  private readonly authorization: string | null;

  /** `userInfo` ("user:password": ui.registry.basic.auth.user.info / ui.connect.basic.auth.user.info) is sent as basic auth. */
  constructor(readonly kind: 'registry' | 'connect', url: string | undefined, private readonly timeoutMs = 10_000, userInfo?: string | null) {
    this.url = url ? url.replace(/\/+$/, '') : null;
    this.authorization = userInfo ? 'Basic ' + Buffer.from(userInfo, 'utf8').toString('base64') : null;
  }

  private get label() { return this.kind === 'registry' ? 'Schema registry' : 'Kafka Connect'; }

  async request(method: string, pathAndQuery: string, body?: unknown): Promise<UpstreamResponse> {
    if (!this.url) throw new UiError(this.kind === 'registry' ? 'registry_not_configured' : 'connect_not_configured');
    let res: Response;
    try {
      res = await fetch(this.url + pathAndQuery, {
        method,
        headers: {
          accept: 'application/json',
          ...(this.authorization ? { authorization: this.authorization } : {}),
          ...(body !== undefined ? { 'content-type': this.kind === 'registry' ? 'application/vnd.schemaregistry.v1+json' : 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const why = err.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : err.cause?.code ?? err.cause?.message ?? err.message;
      throw Object.assign(new UiError(this.kind === 'registry' ? 'registry_unreachable' : 'connect_unreachable', `${this.label} not reachable at ${this.url} (${why})`, this.url), { reason: why });
    }
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = text ? JSON.parse(text) : null; } catch { /* keep text */ }
    return { status: res.status, body: parsed, contentType: res.headers.get('content-type') };
  }

  async status(): Promise<ServiceStatus> {
    if (!this.url) return { url: null, reachable: false, error: `no ${this.label} URL configured` };
    try {
      await this.request('GET', this.kind === 'registry' ? '/subjects' : '/');
      return { url: this.url, reachable: true };
    } catch (e) {
      return { url: this.url, reachable: false, error: (e as { reason?: string }).reason ?? (e as Error).message };
    }
  }
}
