// The message browser's scan: seek, read, filter on the server, report progress,
// stop on the limit, a budget, the end of the range, or the caller's abort.
import type { BrowseEvent, BrowseQuery, BrowsedMessage, ScanProgress } from '../../shared/api-types.ts';
import type { KafkaGateway } from '../kafka/gateway.ts';
import type { RecordReader, UiRecord } from '../kafka/partition-reader.ts';
import { offsetsAt, topicOffsets } from '../services/cluster.ts';
import { UiError } from '../errors.ts';
import { compilePredicate, type Predicate } from './predicate.ts';
import { headerValue, render } from './render.ts';
import type { SchemaDecoder } from './schema-decoder.ts';

export interface ScanDeps { gw: KafkaGateway; reader: RecordReader; decoder: SchemaDecoder | null }

export const SCAN_DEFAULTS = { limit: 100, maxLimit: 5000, maxScan: 200_000, maxTimeMs: 30_000, progressEveryMs: 250, tailWaitMs: 500, retryMs: 100 };

const lc = (s: string | undefined) => (s ? s.toLowerCase() : '');

export async function toBrowsed(topic: string, partition: number, m: UiRecord, decoder: SchemaDecoder | null): Promise<BrowsedMessage> {
  const headers = m.headers.map((h) => ({ key: h.key, value: headerValue(h.value) }));
  return {
    topic, partition, offset: String(m.offset), timestamp: m.timestamp,
    key: await render(m.key, decoder), value: await render(m.value, decoder), headers,
  };
}

interface PartitionState { partition: number; position: bigint; start: bigint; end: bigint; low: bigint; done: boolean }

export async function* scan(deps: ScanDeps, q: BrowseQuery, signal: AbortSignal): AsyncGenerator<BrowseEvent> {
  const { gw } = deps;
  const t0 = Date.now();
  const limit = Math.max(1, Math.min(q.limit || SCAN_DEFAULTS.limit, SCAN_DEFAULTS.maxLimit));
  const maxScan = q.maxScan && q.maxScan > 0 ? q.maxScan : SCAN_DEFAULTS.maxScan;
  const maxTimeMs = q.maxTimeMs && q.maxTimeMs > 0 ? q.maxTimeMs : SCAN_DEFAULTS.maxTimeMs;
  const predicate: Predicate | null = q.predicate?.trim() ? compilePredicate(q.predicate) : null;
  const keyF = lc(q.keyFilter); const valueF = lc(q.valueFilter); const headerF = lc(q.headerFilter);

  const offsets = await topicOffsets(gw, q.topic);
  if (!offsets.length) throw new UiError('topic_not_found', `Topic "${q.topic}" does not exist`);
  const wanted = q.partitions.length ? offsets.filter((o) => q.partitions.includes(o.partition)) : offsets;
  const starts = await startOffsets(gw, q, wanted);
  const parts: PartitionState[] = wanted.map((o) => {
    const low = BigInt(o.low); const high = BigInt(o.high);
    let start = starts.get(o.partition) ?? low;
    if (start < low) start = low;
    if (start > high) start = high;
    return { partition: o.partition, position: start, start, end: q.mode === 'tail' ? -1n : high, low, done: q.mode !== 'tail' && start >= high };
  });

  let scanned = 0; let matched = 0; let lastProgress = 0;
  const progress = (): ScanProgress => ({
    scanned, matched, elapsedMs: Date.now() - t0,
    partitions: parts.map((p) => ({ partition: p.partition, start: p.start.toString(), position: p.position.toString(), end: p.end < 0n ? '' : p.end.toString() })),
  });

  const matches = async (partition: number, m: UiRecord): Promise<BrowsedMessage | null> => {
    const b = await toBrowsed(q.topic, partition, m, deps.decoder);
    if (keyF && !lc(b.key.text).includes(keyF)) return null;
    if (valueF && !lc(b.value.text).includes(valueF)) return null;
    if (headerF && !b.headers.some((h) => lc(`${h.key}: ${h.value}`).includes(headerF))) return null;
    if (predicate) {
      const headers: Record<string, string> = {};
      for (const h of b.headers) headers[h.key] = h.value;
      const asText = (r: BrowsedMessage['key']) => (r.kind === 'null' ? null : r.kind === 'binary' ? null : r.text);
      if (!predicate({ key: asText(b.key), value: asText(b.value), headers, partition, offset: b.offset, timestamp: b.timestamp })) return null;
    }
    return b;
  };

  const budget = (): 'budget-records' | 'budget-time' | null =>
    (q.mode !== 'tail' && scanned >= maxScan ? 'budget-records' : q.mode !== 'tail' && Date.now() - t0 >= maxTimeMs ? 'budget-time' : null);

  if (q.mode === 'newest') {
    yield* newest();
    return;
  }

  // Forward: oldest, offset, timestamp, group position, and live tail.
  while (true) {
    if (signal.aborted) { yield { type: 'done', reason: 'stopped', progress: progress() }; return; }
    const active = parts.filter((p) => !p.done);
    if (!active.length) { yield { type: 'done', reason: 'end', progress: progress() }; return; }
    const chunks = await deps.reader.fetch(q.topic, new Map(active.map((p) => [p.partition, p.position])), { maxWaitMs: q.mode === 'tail' ? SCAN_DEFAULTS.tailWaitMs : 0 });
    // No partition answered (no leader while one is elected): back off instead of spinning.
    if (!chunks.length) await new Promise((r) => setTimeout(r, SCAN_DEFAULTS.retryMs));
    for (const c of chunks) {
      const st = parts.find((p) => p.partition === c.partition)!;
      for (const m of c.messages) {
        const o = BigInt(m.offset);
        if (st.end >= 0n && o >= st.end) break;
        scanned++;
        const hit = await matches(c.partition, m);
        if (hit) {
          matched++;
          yield { type: 'message', message: hit };
          if (matched >= limit && q.mode !== 'tail') {
            st.position = o + 1n;
            yield { type: 'done', reason: 'limit', progress: progress() };
            return;
          }
        }
        const b = budget();
        if (b) { st.position = o + 1n; yield { type: 'done', reason: b, progress: progress() }; return; }
      }
      if (c.next > st.position) st.position = c.next;
      // Nothing more is visible (end of range, or an open transaction holds the stable offset).
      else if (q.mode !== 'tail') st.done = true;
      if (st.end >= 0n && st.position >= st.end) st.done = true;
    }
    if (Date.now() - lastProgress >= SCAN_DEFAULTS.progressEveryMs) { lastProgress = Date.now(); yield { type: 'progress', progress: progress() }; }
    const b = budget();
    if (b) { yield { type: 'done', reason: b, progress: progress() }; return; }
  }

  // Newest: read windows backwards from the end of each partition until each has
  // `limit` matches or its start is reached; then the newest `limit` overall.
  async function* newest(): AsyncGenerator<BrowseEvent> {
    const found: BrowsedMessage[] = [];
    let reason: 'end' | 'budget-records' | 'budget-time' | 'stopped' = 'end';
    const perPartition = new Map<number, number>();
    for (const p of parts) { p.position = p.end; p.done = p.end <= p.low; }
    let window = BigInt(predicate || keyF || valueF || headerF ? Math.max(limit, 500) : limit);
    outer: while (parts.some((p) => !p.done)) {
      for (const p of parts.filter((x) => !x.done)) {
        const to = p.position; const from = to - window > p.low ? to - window : p.low;
        const inWindow: BrowsedMessage[] = [];
        let pos = from;
        while (pos < to) {
          if (signal.aborted) { reason = 'stopped'; break outer; }
          const [c] = await deps.reader.fetch(q.topic, new Map([[p.partition, pos]]), { maxWaitMs: 0 });
          if (!c) break;
          for (const m of c.messages) {
            const o = BigInt(m.offset);
            if (o >= to) break;
            scanned++;
            const hit = await matches(p.partition, m);
            if (hit) inWindow.push(hit);
          }
          if (c.next <= pos) break;
          pos = c.next;
          const b = budget();
          if (b) { reason = b; found.push(...inWindow); break outer; }
          if (Date.now() - lastProgress >= SCAN_DEFAULTS.progressEveryMs) { lastProgress = Date.now(); yield { type: 'progress', progress: progress() }; }
        }
        found.push(...inWindow);
        const n = (perPartition.get(p.partition) ?? 0) + inWindow.length;
        perPartition.set(p.partition, n);
        p.position = from;
        matched = found.length;
        if (from <= p.low || n >= limit) p.done = true;
      }
      window *= 2n;
    }
    found.sort((a, b) => b.timestamp - a.timestamp || (BigInt(b.offset) > BigInt(a.offset) ? 1 : -1));
    const top = found.slice(0, limit);
    matched = top.length;
    for (const m of top) yield { type: 'message', message: m };
    yield { type: 'done', reason: reason === 'end' && top.length >= limit ? 'limit' : reason, progress: progress() };
  }
}

async function startOffsets(gw: KafkaGateway, q: BrowseQuery, wanted: { partition: number; low: string; high: string }[]): Promise<Map<number, bigint>> {
  const m = new Map<number, bigint>();
  switch (q.mode) {
    case 'oldest':
      for (const o of wanted) m.set(o.partition, BigInt(o.low));
      break;
    case 'newest': case 'tail':
      for (const o of wanted) m.set(o.partition, BigInt(o.high));
      break;
    case 'offset': {
      if (q.offset === undefined || !/^\d+$/.test(q.offset)) throw new UiError('bad_request', 'Seeking by offset needs a whole number "offset"');
      for (const o of wanted) m.set(o.partition, BigInt(q.offset));
      break;
    }
    case 'timestamp': {
      if (q.timestamp === undefined || !Number.isFinite(q.timestamp)) throw new UiError('bad_request', 'Seeking by timestamp needs "timestamp" (ms since epoch)');
      const r = await offsetsAt(gw, q.topic, q.timestamp);
      // A partition with no record that late starts at its end.
      for (const o of wanted) m.set(o.partition, r.get(o.partition) ?? BigInt(o.high));
      break;
    }
    case 'group': {
      if (!q.group) throw new UiError('bad_request', 'Seeking to a consumer group position needs "group"');
      const group = q.group;
      const r = await gw.withAdmin(`reading offsets of group "${group}"`, (a) => a.groupOffsets(group));
      for (const p of r) {
        if (p.topic !== q.topic) continue;
        const lo = wanted.find((w) => w.partition === p.partition)?.low ?? '0';
        m.set(p.partition, p.offset >= 0 ? BigInt(p.offset) : BigInt(lo));
      }
      break;
    }
    default:
      throw new UiError('bad_request', `Unknown seek mode "${String(q.mode)}"`);
  }
  return m;
}
