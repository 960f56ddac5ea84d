// Example third-party plugin: an HTTP polling source, written only against the SDK.
//
// It reads a JSON API that pages with a cursor, as most incremental APIs do
// (`GET /events?cursor=abc` → `{"items":[…],"next_cursor":"abd"}`): every item becomes
// a record, the cursor after a page is the records' source offset, and a restarted
// task asks for the page after the last committed cursor, so nothing is lost and
// (once committed) nothing is fetched twice. When a page comes back empty, or without
// a next cursor, the task has caught up and asks again every `poll.interval.ms`; the items of
// such a last page already sent are counted in the offset (`skip`) and not sent again.
// Network errors, 429 and 5xx are retried with backoff (poll returns nothing meanwhile);
// any other status fails the task with the answer in its trace.
import {
  ConfigDef, SourceConnector, SourceTask, Validators, definePlugin,
  type ConfigValues, type Logger, type Props, type SourceRecord, type SourceTaskContext,
} from '../sdk/index.ts';

const VERSION = '1.0.0';

export function httpSourceConfig() {
  return new ConfigDef()
    .define({ name: 'http.url', type: 'STRING', importance: 'HIGH', group: 'HTTP', orderInGroup: 1, width: 'LONG', displayName: 'URL',
      documentation: 'The API endpoint to poll (query parameters allowed).', validator: Validators.pattern(/^https?:\/\/\S+$/, 'an http:// or https:// URL') })
    .define({ name: 'http.headers', type: 'LIST', default: '', importance: 'MEDIUM', group: 'HTTP', orderInGroup: 2, width: 'LONG', displayName: 'Headers',
      documentation: 'Request headers, comma separated "Name: value" pairs (e.g. "Authorization: Bearer x, Accept: application/json").', validator: Validators.pattern(/^[\w-]+:.*$/, 'Name: value') })
    .define({ name: 'http.timeout.ms', type: 'INT', default: 10000, importance: 'LOW', group: 'HTTP', orderInGroup: 3, width: 'SHORT', displayName: 'Timeout (ms)',
      documentation: 'How long one request may take.', validator: Validators.range(100, 300000) })
    .define({ name: 'topic', type: 'STRING', importance: 'HIGH', group: 'Records', orderInGroup: 1, width: 'MEDIUM', displayName: 'Topic',
      documentation: 'Topic to write the items to.', validator: Validators.nonEmptyString() })
    .define({ name: 'records.path', type: 'STRING', default: 'items', importance: 'MEDIUM', group: 'Records', orderInGroup: 2, width: 'MEDIUM', displayName: 'Items field',
      documentation: 'Dot-separated path of the array of items in the response body; empty = the body is the array.' })
    .define({ name: 'key.path', type: 'STRING', default: null, importance: 'LOW', group: 'Records', orderInGroup: 3, width: 'MEDIUM', displayName: 'Key field',
      documentation: 'Dot-separated path of the record key within an item (e.g. "id"); unset = no key.' })
    .define({ name: 'cursor.param', type: 'STRING', default: 'cursor', importance: 'MEDIUM', group: 'Pagination', orderInGroup: 1, width: 'SHORT', displayName: 'Cursor parameter',
      documentation: 'Query parameter that carries the cursor.', validator: Validators.nonEmptyString() })
    .define({ name: 'cursor.path', type: 'STRING', default: 'next_cursor', importance: 'MEDIUM', group: 'Pagination', orderInGroup: 2, width: 'MEDIUM', displayName: 'Next cursor field',
      documentation: 'Dot-separated path of the next cursor in the response body; missing or null = caught up.', validator: Validators.nonEmptyString() })
    .define({ name: 'initial.cursor', type: 'STRING', default: null, importance: 'LOW', group: 'Pagination', orderInGroup: 3, width: 'MEDIUM', displayName: 'Initial cursor',
      documentation: 'Cursor of the first request when nothing is committed yet; unset = the first request has no cursor.' })
    .define({ name: 'poll.interval.ms', type: 'LONG', default: 5000, importance: 'MEDIUM', group: 'Pagination', orderInGroup: 4, width: 'SHORT', displayName: 'Poll interval (ms)',
      documentation: 'Pause before asking again once caught up.', validator: Validators.range(0, null) })
    .define({ name: 'retry.backoff.max.ms', type: 'LONG', default: 30000, importance: 'LOW', group: 'Pagination', orderInGroup: 5, width: 'SHORT', displayName: 'Max retry backoff (ms)',
      documentation: 'Longest pause between retries of a failing request (doubling from 100 ms).', validator: Validators.range(0, null) });
}

export type HttpSourceConfig = ConfigValues<ReturnType<typeof httpSourceConfig>>;

const pick = (o: unknown, p: string): unknown => (p === '' ? o : p.split('.').reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined), o));

export class HttpSourceConnector extends SourceConnector {
  private props: Props = {};
  version() { return VERSION; }
  config() { return httpSourceConfig(); }
  start(props: Props) { this.props = props; }
  taskConfigs(): Props[] { return [this.props]; } // one cursor: one task
  stop() {}
  taskClass() { return HttpSourceTask; }
  exactlyOnceSupport() { return 'SUPPORTED' as const; } // the cursor alone says where to resume
}

export class HttpSourceTask extends SourceTask {
  private c!: HttpSourceConfig;
  private log!: Logger;
  private partition: Record<string, string> = {};
  private headers: Record<string, string> = {};
  private cursor: string | null = null;
  private caughtUp = false;
  /** items of the current cursor's page already sent (a last page without a next cursor is asked for again) */
  private skip = 0;
  private failures = 0;
  private wake: (() => void) | null = null;
  private stopped = false;
  version() { return VERSION; }

  async start(props: Props, ctx: SourceTaskContext) {
    this.c = httpSourceConfig().parse(props);
    this.log = ctx.logger;
    this.partition = { url: this.c['http.url'] };
    this.headers = { accept: 'application/json', ...Object.fromEntries(this.c['http.headers'].map((h) => { const i = h.indexOf(':'); return [h.slice(0, i).trim(), h.slice(i + 1).trim()]; })) };
    const committed = await ctx.offsetStorageReader.offset(this.partition);
    this.cursor = typeof committed?.cursor === 'string' ? committed.cursor : this.c['initial.cursor'];
    this.skip = typeof committed?.skip === 'number' ? committed.skip : 0;
    this.log.info({ url: this.c['http.url'], cursor: this.cursor }, committed ? 'resuming after the committed cursor' : 'starting');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => { const t = setTimeout(r, ms); this.wake = () => { clearTimeout(t); r(); }; });
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.caughtUp) { this.caughtUp = false; await this.sleep(this.c['poll.interval.ms']); }
    if (this.stopped) return null;
    const url = new URL(this.c['http.url']);
    if (this.cursor !== null) url.searchParams.set(this.c['cursor.param'], this.cursor);
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { headers: this.headers, signal: AbortSignal.timeout(this.c['http.timeout.ms']) });
      text = await res.text(); // a connection cut or timeout while the body streams is retriable too
    } catch (e) {
      return this.retryLater(`GET ${url} failed: ${(e as Error).message}`);
    }
    if (res.status === 429 || res.status >= 500) return this.retryLater(`GET ${url} answered ${res.status}`);
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status} ${res.statusText}: ${text.slice(0, 500)}`);
    let body: unknown;
    try { body = JSON.parse(text); } catch { throw new Error(`GET ${url} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`); }
    const items = pick(body, this.c['records.path']);
    if (!Array.isArray(items)) throw new Error(`GET ${url}: no array at "${this.c['records.path']}" in the response`);
    this.failures = 0;
    const next = pick(body, this.c['cursor.path']);
    const nextCursor = typeof next === 'string' || typeof next === 'number' ? String(next) : null;
    if (!items.length || nextCursor === null) this.caughtUp = true;
    // a page without a next cursor is the last one for now: it is asked for again (its cursor stays)
    // and only the items after those already sent become records, so a growing last page sends
    // each item once; the count sent is part of the offset so a restart skips them too
    const fresh = items.slice(this.skip);
    const pageCursor = this.cursor;
    const sentBefore = this.skip;
    if (nextCursor !== null) { this.cursor = nextCursor; this.skip = 0; } else this.skip = Math.max(this.skip, items.length);
    const keyPath = this.c['key.path'];
    return fresh.map((item, i) => {
      const key = keyPath === null ? null : pick(item, keyPath);
      return {
        sourcePartition: this.partition,
        sourceOffset: nextCursor !== null ? { cursor: nextCursor, skip: 0 } : { cursor: pageCursor, skip: sentBefore + i + 1 },
        topic: this.c.topic,
        ...(key === null || key === undefined ? {} : { key: String(key) }),
        value: item,
      } as SourceRecord;
    });
  }

  private async retryLater(why: string): Promise<null> {
    const delay = Math.min(this.c['retry.backoff.max.ms'], 100 * 2 ** this.failures++);
    this.log.warn({ attempt: this.failures, delayMs: delay }, `${why}; retrying in ${delay} ms`);
    await this.sleep(delay);
    return null;
  }

  stop() { this.stopped = true; this.wake?.(); }
}

export default definePlugin({
  name: 'http-source',
  version: VERSION,
  description: 'Example plugin: polls a JSON HTTP API with cursor pagination into a topic.',
  connectors: { 'com.example.http.HttpSourceConnector': HttpSourceConnector },
});
