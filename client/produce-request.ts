// The Produce request around record batches this module encodes itself
// (record-batch.ts), as one buffer; the library's connection sends it and the
// library's own response parser of the same version reads the answer.
//
//   Produce Request (v3-v8) => transactional_id acks timeout_ms [topic_data]
//     transactional_id => NULLABLE_STRING  acks => INT16  timeout_ms => INT32
//     topic_data => name [partition_data]   name => STRING
//       partition_data => index records     index => INT32  records => RECORDS
//   Produce Request (v9-v11): the same fields, flexible: COMPACT_ strings, arrays and
//   records, a TAG_BUFFER after each partition, each topic and the request.
import { writeUvarint } from './record-batch.ts';
import { Writer, createAPI, produceV7, produceV8, produceV9, produceV10, produceV11, type API } from '@platformatic/kafka';

export interface PartitionData { partition: number; batch: Buffer }
export interface TopicData { topic: string; partitions: PartitionData[] }

export interface ProducePartitionResponse { index: number; errorCode: number; baseOffset: bigint }
export interface ProduceResponse { responses: { name: string; partitionResponses: ProducePartitionResponse[] }[] }

/** The versions the library can parse the answer of (7-11); every Kafka since 2.1 speaks 7. */
const PARSERS = { 7: produceV7, 8: produceV8, 9: produceV9, 10: produceV10, 11: produceV11 } as const;
export const PRODUCE_MIN_VERSION = 7;
export const PRODUCE_MAX_VERSION = 11;

/**
 * The request body as a list of buffers: the framing around each batch and the batches
 * themselves, uncopied (the connection joins them into the frame it writes).
 */
export function encodeProduceRequest(version: number, transactionalId: string | null, acks: number, timeoutMs: number, topics: TopicData[]): Buffer[] {
  const flexible = version >= 9;
  const txn = transactionalId === null ? null : Buffer.from(transactionalId);
  // the framing's size: varints take at most 5 bytes; what was written is cut off at the end
  let size = 2 + 5 + (txn?.length ?? 0) + 2 + 4 + 5 + 1;
  for (const t of topics) size += 5 + 3 * t.topic.length + 5 + 1 + t.partitions.length * (4 + 5 + 1);
  const buf = Buffer.allocUnsafe(size);
  const parts: Buffer[] = [];
  let pos = 0, cut = 0;
  if (flexible) pos = writeUvarint(buf, pos, txn ? txn.length + 1 : 0);
  else pos = buf.writeInt16BE(txn ? txn.length : -1, pos);
  if (txn) pos += txn.copy(buf, pos);
  pos = buf.writeInt16BE(acks, pos);
  pos = buf.writeInt32BE(timeoutMs, pos);
  pos = flexible ? writeUvarint(buf, pos, topics.length + 1) : buf.writeInt32BE(topics.length, pos);
  for (const t of topics) {
    const name = Buffer.from(t.topic);
    pos = flexible ? writeUvarint(buf, pos, name.length + 1) : buf.writeInt16BE(name.length, pos);
    pos += name.copy(buf, pos);
    pos = flexible ? writeUvarint(buf, pos, t.partitions.length + 1) : buf.writeInt32BE(t.partitions.length, pos);
    for (const p of t.partitions) {
      pos = buf.writeInt32BE(p.partition, pos);
      pos = flexible ? writeUvarint(buf, pos, p.batch.length + 1) : buf.writeInt32BE(p.batch.length, pos);
      parts.push(buf.subarray(cut, pos), p.batch);
      cut = pos;
      if (flexible) buf[pos++] = 0;
    }
    if (flexible) buf[pos++] = 0;
  }
  if (flexible) buf[pos++] = 0;
  if (pos > cut) parts.push(buf.subarray(cut, pos));
  return parts;
}

type ProduceApi = API<[Buffer[], boolean], ProduceResponse>;
const apis = new Map<number, ProduceApi>();

/** The Produce API of `version` over a request body encoded above (acks=0: no answer is awaited). */
export function produceApi(version: number): ProduceApi {
  let api = apis.get(version);
  if (!api) {
    const parser = PARSERS[version as keyof typeof PARSERS];
    if (!parser) throw new Error(`Produce v${version} is not supported by the internal client`);
    const flexible = version >= 9;
    api = createAPI<[Buffer[], boolean], ProduceResponse>(0, version, (body: Buffer[], noResponse: boolean) => {
      const w = Writer.create();
      for (const b of body) w.append(b);
      if (noResponse) w.context.noResponse = true;
      return w;
    }, parser.parseResponse as never, flexible, flexible);
    apis.set(version, api);
  }
  return api;
}
