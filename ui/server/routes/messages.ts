// Message browser (NDJSON stream), one message, produce, re-send.
import type { FastifyInstance } from 'fastify';
import type { BrowseEvent, BrowseQuery, ProduceRequest, ProduceResult, ResendRequest, SeekMode } from '../../shared/api-types.ts';
import type { UiContext } from '../context.ts';
import type { UiRecord } from '../kafka/partition-reader.ts';
import { summarizeKafkaError } from '../../../client/index.ts';
import { fromKafkaError, UiError } from '../errors.ts';
import { scan, toBrowsed } from '../messages/scan.ts';

const MODES: SeekMode[] = ['oldest', 'newest', 'offset', 'timestamp', 'group', 'tail'];
const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));

export function parseBrowseQuery(topic: string, q: Record<string, string | undefined>): BrowseQuery {
  const mode = (q.mode ?? 'newest') as SeekMode;
  if (!MODES.includes(mode)) throw new UiError('bad_request', `Unknown seek mode "${mode}"; use one of ${MODES.join(', ')}`);
  const partitions = (q.partitions ?? '').split(',').filter((s) => s.trim() !== '').map(Number);
  if (partitions.some((p) => !Number.isInteger(p) || p < 0)) throw new UiError('bad_request', `"partitions" must be a comma-separated list of partition numbers`);
  return {
    topic, mode, partitions, offset: q.offset || undefined, timestamp: num(q.timestamp), group: q.group || undefined,
    limit: num(q.limit) ?? 100, keyFilter: q.key || undefined, valueFilter: q.value || undefined, headerFilter: q.header || undefined,
    predicate: q.predicate || undefined, maxScan: num(q.maxScan), maxTimeMs: num(q.maxTimeMs),
  };
}

async function readOne(ctx: UiContext, topic: string, partition: number, offset: string): Promise<UiRecord> {
  if (!/^\d+$/.test(offset)) throw new UiError('bad_request', 'offset must be a whole number');
  let chunks;
  try {
    chunks = await ctx.reader.fetch(topic, new Map([[partition, BigInt(offset)]]), { maxWaitMs: 0 });
  } catch (e) {
    if (summarizeKafkaError(e).codes.includes('OFFSET_OUT_OF_RANGE')) throw new UiError('message_not_found', `No message at offset ${offset} of ${topic}-${partition} (out of range)`);
    throw fromKafkaError(e, `reading ${topic}-${partition} at offset ${offset}`, ctx.bootstrap);
  }
  // An offset outside the log answers no chunk for the partition.
  const m = chunks.find((c) => c.partition === partition)?.messages.find((x) => String(x.offset) === offset);
  if (!m) throw new UiError('message_not_found', `No message at offset ${offset} of ${topic}-${partition}`);
  return m;
}

export async function messageRoutes(app: FastifyInstance, { ctx }: { ctx: UiContext }): Promise<void> {
  app.get<{ Params: { topic: string }; Querystring: Record<string, string> }>('/api/topics/:topic/browse', async (req, reply) => {
    const q = parseBrowseQuery(req.params.topic, req.query);
    const abort = new AbortController();
    const it = scan(ctx, q, abort.signal);
    // Validate (predicate, topic, seek) before the stream starts, so those errors get a status code.
    let first: IteratorResult<BrowseEvent>;
    try {
      first = await it.next();
    } catch (e) {
      throw fromKafkaError(e, `reading "${q.topic}"`, ctx.bootstrap);
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    res.on('close', () => { if (!res.writableFinished) abort.abort(); });
    const write = async (ev: BrowseEvent) => {
      if (!res.write(`${JSON.stringify(ev)}\n`)) await new Promise<void>((r) => { res.once('drain', r); res.once('close', r); });
    };
    try {
      if (!first.done) await write(first.value);
      for (;;) {
        if (abort.signal.aborted) break;
        const n = await it.next();
        if (n.done) break;
        await write(n.value);
      }
    } catch (e) {
      const err = fromKafkaError(e, `reading "${q.topic}"`, ctx.bootstrap);
      ctx.logger.debug({ err: e }, 'browse failed');
      if (!abort.signal.aborted) await write({ type: 'error', error: err.body() }).catch(() => undefined);
    } finally {
      await it.return(undefined).catch(() => undefined);
      res.end();
    }
  });

  app.get<{ Params: { topic: string; partition: number; offset: string } }>('/api/topics/:topic/messages/:partition/:offset', {
    schema: { params: { type: 'object', properties: { topic: { type: 'string' }, partition: { type: 'integer', minimum: 0 }, offset: { type: 'string', pattern: '^\\d+$' } } } },
  }, async (req) => {
    const { topic, partition, offset } = req.params;
    return toBrowsed(topic, partition, await readOne(ctx, topic, partition, offset), ctx.decoder);
  });

  app.post<{ Params: { topic: string }; Body: ProduceRequest }>('/api/topics/:topic/messages', {
    schema: {
      body: {
        type: 'object', additionalProperties: false,
        properties: {
          key: { type: ['string', 'null'] }, value: { type: ['string', 'null'] }, valueEncoding: { enum: ['text', 'hex'] },
          partition: { type: 'integer', minimum: 0 },
          headers: { type: 'array', items: { type: 'object', required: ['key', 'value'], properties: { key: { type: 'string', minLength: 1 }, value: { type: 'string' } } }, default: [] },
        },
      },
    },
  }, async (req, reply): Promise<ProduceResult> => {
    const { topic } = req.params; const b = req.body;
    if (b.valueEncoding === 'hex' && b.value !== null && !/^([0-9a-fA-F]{2}|\s)*$/.test(b.value ?? '')) throw new UiError('bad_request', 'The value is not valid hex (pairs of 0-9, a-f)');
    const value = b.value === null || b.value === undefined ? null : b.valueEncoding === 'hex' ? Buffer.from(b.value.replace(/\s+/g, ''), 'hex') : Buffer.from(b.value, 'utf8');
    const headers = (b.headers ?? []).map((h) => ({ key: h.key, value: h.value }));
    const r = await ctx.gw.withProducer(`producing to "${topic}"`, (p) => p.send([
      { topic, key: b.key ?? null, value, headers, ...(b.partition !== undefined ? { partition: b.partition } : {}) },
    ]));
    reply.code(201);
    return { topic, partition: r[0].partition, offset: String(r[0].offset) };
  });

  app.post<{ Params: { topic: string }; Body: ResendRequest }>('/api/topics/:topic/resend', {
    schema: {
      body: {
        type: 'object', required: ['partition', 'offset', 'toTopic'], additionalProperties: false,
        properties: { partition: { type: 'integer', minimum: 0 }, offset: { type: 'string', pattern: '^\\d+$' }, toTopic: { type: 'string', minLength: 1 } },
      },
    },
  }, async (req, reply): Promise<ProduceResult> => {
    const { topic } = req.params; const { partition, offset, toTopic } = req.body;
    const m = await readOne(ctx, topic, partition, offset);
    // Bytes go out exactly as read: key, value and headers are not re-encoded.
    const r = await ctx.gw.withProducer(`re-sending ${topic}-${partition}@${offset} to "${toTopic}"`, (p) => p.send([
      { topic: toTopic, key: m.key, value: m.value, headers: m.headers },
    ]));
    reply.code(201);
    return { topic: toTopic, partition: r[0].partition, offset: String(r[0].offset) };
  });
}
