// Produce, Fetch, ListOffsets, DeleteRecords, OffsetForLeaderEpoch: the data path.
import type { Broker } from '../broker.ts';
import { CloseConnection, NO_RESPONSE, type RequestContext } from '../network/socket-server.ts';
import { ERRORS, KafkaError, code } from '../errors.ts';

const ERROR_NAME_BY_CODE = new Map<number, string>(Object.entries(ERRORS).map(([name, e]) => [e.code, name]));
import { InvalidRecordError, validateBatches } from '../log/record-batch.ts';
import { OffsetOutOfRangeError, RecordTooLargeError } from '../log/partition-log.ts';
import { ReplicaManager, type Partition } from '../replica-manager.ts';

function errorOf(e: unknown, b: Broker): { code: number; message: string | null } {
  if (e instanceof KafkaError) return { code: e.code, message: e.message };
  if (e instanceof InvalidRecordError) return { code: code(e.code), message: e.message };
  if (e instanceof RecordTooLargeError) return { code: code('MESSAGE_TOO_LARGE'), message: e.message };
  if (e instanceof OffsetOutOfRangeError) return { code: code('OFFSET_OUT_OF_RANGE'), message: e.message };
  b.logger.error({ err: e }, 'unexpected error on the data path');
  return { code: -1, message: (e as Error).message };
}

export function produceHandler(b: Broker) {
  return async (ctx: RequestContext, req: any) => {
    const acks: number = req.acks;
    if (acks !== 0 && acks !== 1 && acks !== -1) {
      return { responses: (req.topicData ?? []).map((t: any) => ({ name: t.name, partitionResponses: t.partitionData.map((p: any) => ({ index: p.index, errorCode: code('INVALID_REQUIRED_ACKS'), baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n })) })) };
    }
    const responses = [];
    for (const t of req.topicData ?? []) {
      let topic = b.topics.get(t.name);
      let topicErr = 0;
      if (!topic && !t.name.startsWith('__')) {
        try { topic = b.topics.autoCreate(t.name); } catch (e) { topicErr = errorOf(e, b).code; }
      }
      const partitionResponses = [];
      for (const p of t.partitionData ?? []) {
        const part = topic ? b.replicas.get(t.name, p.index) : undefined;
        if (!part) {
          partitionResponses.push({ index: p.index, errorCode: topicErr || code('UNKNOWN_TOPIC_OR_PARTITION'), baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n });
          continue;
        }
        try {
          if (!p.records || p.records.length === 0) throw new InvalidRecordError('produce request has no records', 'INVALID_RECORD');
          const batches = validateBatches(p.records);
          const txn = b.producers ? b.producers.checkAppend(part, batches, req.transactionalId ?? null) : null;
          if (txn && txn.duplicate) {
            partitionResponses.push({ index: p.index, errorCode: 0, baseOffset: txn.duplicate.baseOffset, logAppendTimeMs: -1n, logStartOffset: part.log.logStartOffset });
            continue;
          }
          const r = b.replicas.append(part, p.records, { validated: batches });
          b.producers?.onAppended(part, r);
          partitionResponses.push({ index: p.index, errorCode: 0, baseOffset: r.baseOffset, logAppendTimeMs: r.logAppendTime, logStartOffset: part.log.logStartOffset });
        } catch (e) {
          const err = errorOf(e, b);
          partitionResponses.push({ index: p.index, errorCode: err.code, errorMessage: err.message, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n });
        }
      }
      responses.push({ name: t.name, partitionResponses });
    }
    if (acks === -1) b.flushIfRequired();
    // acks=0: the client expects no response at all; an error closes the connection
    // (as Kafka does), so the client notices on its next request and reconnects.
    if (acks === 0) {
      const failed = responses.flatMap((t) => t.partitionResponses.filter((p: any) => p.errorCode !== 0).map((p: any) => `${t.name}-${p.index}: ${ERROR_NAME_BY_CODE.get(p.errorCode) ?? p.errorCode}`));
      return failed.length ? new CloseConnection(`acks=0 produce failed (${failed.join(', ')})`) : NO_RESPONSE;
    }
    return { responses, throttleTimeMs: 0 };
  };
}

interface FetchPart { topic: string; topicId: string; partition: number; fetchOffset: bigint; maxBytes: number; currentLeaderEpoch: number }

export function fetchHandler(b: Broker) {
  return async (ctx: RequestContext, req: any) => {
    const v = ctx.apiVersion;
    const readCommitted = req.isolationLevel === 1;
    const parts: FetchPart[] = [];
    for (const t of req.topics ?? []) {
      let name: string = t.topic;
      const id: string = t.topicId ?? '';
      if (v >= 13) name = b.metadata.getById(id)?.name ?? '';
      for (const p of t.partitions ?? []) parts.push({ topic: name, topicId: id, partition: p.partition, fetchOffset: p.fetchOffset, maxBytes: p.partitionMaxBytes, currentLeaderEpoch: p.currentLeaderEpoch ?? -1 });
    }
    const maxBytes: number = req.maxBytes ?? 0x7fffffff;
    const deadline = Date.now() + Math.max(0, req.maxWaitMs ?? 0);
    const keys = parts.map((p) => ReplicaManager.key(p.topic, p.partition));
    for (;;) {
      const pending = b.tiered && readRemote(b, parts, maxBytes, readCommitted);
      const remote = pending ? await pending : undefined;
      const { responses, bytes, anyError } = collect(b, parts, maxBytes, readCommitted, v, remote);
      const remaining = deadline - Date.now();
      if (bytes >= (req.minBytes ?? 1) || anyError || remaining <= 0 || b.closing || parts.length === 0) {
        return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses };
      }
      await b.replicas.waitForData(keys, remaining);
    }
  };
}

type RemoteResult = { data: Buffer } | { error: unknown };

/**
 * Tiered storage: partitions fetched below their local log start read from remote
 * storage, all of them concurrently, before the synchronous collect pass.
 * Undefined (no promise, nothing to await) when no partition reads remotely: the
 * common fetch stays synchronous.
 */
function readRemote(b: Broker, parts: FetchPart[], maxBytes: number, readCommitted: boolean): Promise<Map<FetchPart, RemoteResult>> | undefined {
  let out: Map<FetchPart, RemoteResult> | undefined;
  const pending: Promise<void>[] = [];
  for (const fp of parts) {
    const part = fp.topic ? b.replicas.get(fp.topic, fp.partition) : undefined;
    if (!part || !b.tiered!.isRemoteOffset(part, fp.fetchOffset)) continue;
    out ??= new Map();
    const m = out;
    const upTo = readCommitted && b.producers ? b.producers.lastStableOffset(part) : part.log.highWatermark;
    pending.push(b.tiered!.read(part, fp.fetchOffset, Math.max(1, Math.min(fp.maxBytes, maxBytes)), upTo)
      .then((data) => { m.set(fp, { data }); }, (error) => { m.set(fp, { error }); }));
  }
  return out && Promise.all(pending).then(() => out);
}

/** The log start offset clients see: the remote start while tiered data lies below the local one. */
function logStartOffset(b: Broker, part: Partition): bigint {
  return b.tiered ? b.tiered.logStartOffset(part) : part.log.logStartOffset;
}

/** Whole batches of `data` within `limit` bytes (at least the first batch). */
function trimBatches(data: Buffer, limit: number): Buffer {
  let end = 0;
  while (end + 12 <= data.length) {
    const size = data.readInt32BE(end + 8) + 12;
    if (end > 0 && end + size > limit) break;
    end += size;
  }
  return end === data.length ? data : data.subarray(0, end);
}

function collect(b: Broker, parts: FetchPart[], maxBytes: number, readCommitted: boolean, v: number, remote?: Map<FetchPart, RemoteResult>) {
  let budget = maxBytes;
  let bytes = 0;
  let anyError = false;
  const byTopic = new Map<string, any>();
  for (const fp of parts) {
    const key = v >= 13 ? fp.topicId : fp.topic;
    let tr = byTopic.get(key);
    if (!tr) { tr = { topic: fp.topic, topicId: fp.topicId, partitions: [] }; byTopic.set(key, tr); }
    const part = fp.topic ? b.replicas.get(fp.topic, fp.partition) : undefined;
    const base = { partitionIndex: fp.partition, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, abortedTransactions: readCommitted ? [] : null, preferredReadReplica: -1, records: Buffer.alloc(0) };
    if (!part) {
      tr.partitions.push({ ...base, errorCode: code(v >= 13 && !fp.topic ? 'UNKNOWN_TOPIC_ID' : 'UNKNOWN_TOPIC_OR_PARTITION') });
      anyError = true;
      continue;
    }
    if (fp.currentLeaderEpoch >= 0 && fp.currentLeaderEpoch !== part.leaderEpoch) {
      tr.partitions.push({ ...base, errorCode: code(fp.currentLeaderEpoch < part.leaderEpoch ? 'FENCED_LEADER_EPOCH' : 'UNKNOWN_LEADER_EPOCH') });
      anyError = true;
      continue;
    }
    const log = part.log;
    const hw = log.highWatermark;
    const lso = b.producers ? b.producers.lastStableOffset(part) : hw;
    const common = { ...base, highWatermark: hw, lastStableOffset: lso, logStartOffset: logStartOffset(b, part) };
    try {
      const upTo = readCommitted ? lso : hw;
      const limit = Math.min(fp.maxBytes, budget);
      const r = remote?.get(fp);
      if (r && 'error' in r) throw r.error;
      let data = limit <= 0 && bytes > 0 ? [] : r ? (r.data.length ? [trimBatches(r.data, limit)] : []) : log.read(fp.fetchOffset, Math.max(limit, 1), upTo);
      let n = 0; for (const d of data) n += d.length;
      // KIP-74: only the first batch of the first partition with data may exceed
      // max_bytes / partition_max_bytes (progress); later partitions wait for the next fetch.
      if (bytes > 0 && n > limit) { data = []; n = 0; }
      bytes += n; budget -= n;
      let aborted = readCommitted && b.producers ? b.producers.abortedTransactions(part, fp.fetchOffset, upTo) : (readCommitted ? [] : null);
      if (r && aborted) aborted = mergeAborted(aborted, b.tiered!.abortedTransactions(part, fp.fetchOffset, upTo));
      tr.partitions.push({ ...common, errorCode: 0, abortedTransactions: aborted, records: data.length === 1 ? data[0] : data });
    } catch (e) {
      // Tiered storage trimmed the local copy while this fetch waited on S3: the next fetch reads it remotely.
      if (e instanceof OffsetOutOfRangeError && b.tiered?.isRemoteOffset(part, fp.fetchOffset)) {
        tr.partitions.push({ ...common, errorCode: 0 });
        continue;
      }
      const err = errorOf(e, b);
      anyError = true;
      tr.partitions.push({ ...common, errorCode: err.code });
    }
  }
  return { responses: [...byTopic.values()], bytes, anyError };
}

function mergeAborted(a: { producerId: bigint; firstOffset: bigint }[], c: { producerId: bigint; firstOffset: bigint }[]) {
  const seen = new Set(a.map((x) => `${x.producerId}:${x.firstOffset}`));
  const out = [...a];
  for (const x of c) if (!seen.has(`${x.producerId}:${x.firstOffset}`)) { seen.add(`${x.producerId}:${x.firstOffset}`); out.push(x); }
  return out.sort((x, y) => (x.firstOffset < y.firstOffset ? -1 : x.firstOffset > y.firstOffset ? 1 : 0));
}

const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;
const EARLIEST_LOCAL = -4n;
const LATEST_TIERED = -5n;

export function listOffsetsHandler(b: Broker) {
  return async (ctx: RequestContext, req: any) => {
    const readCommitted = req.isolationLevel === 1;
    // Timestamp lookups in remote storage are asynchronous; everything else answers at once.
    const topics = await Promise.all((req.topics ?? []).map(async (t: any) => ({
      name: t.name,
      partitions: await Promise.all((t.partitions ?? []).map(async (p: any) => {
        const part = b.replicas.get(t.name, p.partitionIndex);
        const none = { partitionIndex: p.partitionIndex, timestamp: -1n, offset: -1n, leaderEpoch: -1, oldStyleOffsets: [] as bigint[] };
        if (!part) return { ...none, errorCode: code('UNKNOWN_TOPIC_OR_PARTITION') };
        if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch !== part.leaderEpoch) {
          return { ...none, errorCode: code(p.currentLeaderEpoch < part.leaderEpoch ? 'FENCED_LEADER_EPOCH' : 'UNKNOWN_LEADER_EPOCH') };
        }
        const log = part.log;
        const ts: bigint = p.timestamp;
        let offset = -1n; let timestamp = -1n;
        if (ts === LATEST || (ts === LATEST_TIERED && !b.tiered)) offset = readCommitted && b.producers ? b.producers.lastStableOffset(part) : log.highWatermark;
        else if (ts === LATEST_TIERED) offset = b.tiered!.latestTieredOffset(part);
        else if (ts === EARLIEST) offset = logStartOffset(b, part);
        else if (ts === EARLIEST_LOCAL) offset = log.logStartOffset;
        else if (ts === MAX_TIMESTAMP) {
          const hit = log.maxTimestamp();
          if (hit) { offset = hit.offset; timestamp = hit.timestamp; }
        } else {
          const remote = b.tiered?.offsetForTimestamp(part, ts);
          const hit = remote ? await remote : log.offsetForTimestamp(ts);
          if (hit && hit.offset < log.highWatermark) { offset = hit.offset; timestamp = hit.timestamp; }
        }
        return { ...none, errorCode: 0, offset, timestamp, leaderEpoch: offset >= 0n ? part.leaderEpoch : -1, oldStyleOffsets: offset >= 0n ? [offset] : [] };
      })),
    })));
    return { throttleTimeMs: 0, topics };
  };
}

export function deleteRecordsHandler(b: Broker) {
  return (ctx: RequestContext, req: any) => ({
    throttleTimeMs: 0,
    topics: (req.topics ?? []).map((t: any) => ({
      name: t.name,
      partitions: (t.partitions ?? []).map((p: any) => {
        const part = b.replicas.get(t.name, p.partitionIndex);
        if (!part) return { partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: code('UNKNOWN_TOPIC_OR_PARTITION') };
        try {
          const target: bigint = p.offset === -1n ? part.log.highWatermark : p.offset;
          // As Kafka: -1 means the high watermark; any other negative offset is out of range.
          if (target < 0n) throw new OffsetOutOfRangeError(`offset ${p.offset} is below 0 (only -1, the high watermark, is special)`);
          part.log.advanceLogStart(target);
          b.tiered?.advanceLogStart(part, target);
          return { partitionIndex: p.partitionIndex, lowWatermark: logStartOffset(b, part), errorCode: 0 };
        } catch (e) {
          return { partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: errorOf(e, b).code };
        }
      }),
    })),
  });
}

export function offsetForLeaderEpochHandler(b: Broker) {
  return (ctx: RequestContext, req: any) => ({
    throttleTimeMs: 0,
    topics: (req.topics ?? []).map((t: any) => ({
      topic: t.topic,
      partitions: (t.partitions ?? []).map((p: any) => {
        const part: Partition | undefined = b.replicas.get(t.topic, p.partition);
        if (!part) return { errorCode: code('UNKNOWN_TOPIC_OR_PARTITION'), partition: p.partition, leaderEpoch: -1, endOffset: -1n };
        // One leader epoch so far (single node): its end is the log end.
        if (p.leaderEpoch > part.leaderEpoch) return { errorCode: 0, partition: p.partition, leaderEpoch: -1, endOffset: -1n };
        return { errorCode: 0, partition: p.partition, leaderEpoch: part.leaderEpoch, endOffset: part.log.logEndOffset };
      }),
    })),
  });
}
