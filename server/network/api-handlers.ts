// What a request handler is, and the table the socket server dispatches on. A handler
// registers against the API's declaration — `handlers.handle(Produce, fn)` — so the
// key comes from the declaration and the request/response types are derived from it.
import type { ApiCodec, ApiDecl, RequestOf, ResponseOf } from '../protocol/schema.ts';
import type { Session } from '../security/principal.ts';
import type { SharedBuffer } from '../log/read-buffers.ts';

export interface RequestContext {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  clientHost: string;
  connectionId: number;
  api: ApiCodec;
  /** performance.now() when the request was decoded (request latency metrics) */
  receivedAt: number;
  /** who sent it, over which listener (absent for requests made inside the broker) */
  session?: Session;
  /**
   * Run once the reply has been handed to the socket (or the connection is gone), never
   * before: a handler gives back the pooled buffers its reply referenced. Requests made
   * inside the broker never run them (the buffers are then just collected).
   */
  afterReply?: (() => void)[];
  /**
   * The pooled buffer a large Produce request was read into (the request's byte fields lie
   * in it); the request holds it until its reply is written. Whatever keeps those bytes
   * longer (the tail cache) takes a share (retain) and gives it back (release).
   */
  frame?: SharedBuffer;
}

/** Returned by a handler when Kafka sends no response (Produce with acks=0). */
export const NO_RESPONSE = Symbol('no-response');

/**
 * Returned by a handler to answer by closing the connection, as Kafka does for an
 * acks=0 produce that failed: the client has no response to read the error from.
 */
export class CloseConnection {
  constructor(readonly reason: string) {}
}

export type Reply<D extends ApiDecl> = ResponseOf<D> | typeof NO_RESPONSE | CloseConnection;
export type ApiHandler<D extends ApiDecl> = (ctx: RequestContext, request: RequestOf<D>) => Reply<D> | Promise<Reply<D>>;
/** A handler as the dispatcher sees it: the request decoded, the response to encode. */
export type Handler = (ctx: RequestContext, request: any) => unknown;

export class ApiHandlers {
  private readonly byKey = new Map<number, Handler>();

  /** Registers the handler of one API; ApiVersions advertises exactly what is registered. */
  handle<D extends ApiDecl>(api: D, fn: ApiHandler<D>): void {
    if (this.byKey.has(api.key)) throw new Error(`a handler for ${api.name} is already registered`);
    this.byKey.set(api.key, fn as Handler);
  }

  /** Replaces every registered handler by `fn(key, handler)` (the authorizer's checks go around them). */
  wrap(fn: (key: number, handler: Handler) => Handler): void {
    for (const [k, h] of this.byKey) this.byKey.set(k, fn(k, h));
  }

  get(key: number): Handler | undefined { return this.byKey.get(key); }
  has(key: number): boolean { return this.byKey.has(key); }
}
