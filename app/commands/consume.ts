// tributary consume TOPIC — kafka-console-consumer's flags: --from-beginning,
// --max-messages, --group; from/to offsets or timestamps; keys, headers, JSON lines;
// Confluent wire-format Avro / Protobuf / JSON Schema decoded through the registry.
import { HttpRegistryClient, RegistryHttpError } from '../../registry/client.ts';
import { RegistrySerde, wireSchemaId } from '../../registry/serde.ts';
import { GroupConsumer, PartitionReader, KafkaAdmin, type ConsumedRecord, type PartitionBatch } from '../../client/index.ts';
import { UsageError } from '../errors.ts';
import { CommandError, EXIT, clientConfig, parse, progress, progressDone, runCommand } from './common.ts';

const HELP = `usage: tributary consume TOPIC [options]

Prints each record's value, one per line (with --output json: one JSON object per
line with topic, partition, offset, timestamp, key, value, headers).
  --from-beginning        start at the earliest offset (default: only new records)
  --offset N              start at offset N (with --partition: that partition only)
  --from-time ISO|MS      start at the first record at or after a time
  --partition N           only this partition
  --max-messages N        stop after N records
  --to-end                stop at the end of each partition (as it was at start)
  --timeout-ms N          stop after N ms without a new record
  --group NAME            consume as a member of group NAME and commit offsets
  --print-key --print-headers --print-offset   add them to each line (KEY<TAB>VALUE…)
  --isolation read_committed|read_uncommitted
  --value-format F        string (default), registry (Confluent wire format: Avro,
                          Protobuf or JSON Schema, by the schema id's type, printed
                          as JSON), avro, protobuf, json-schema (registry, and the
                          schema must be of that type), hex, base64
                          with --registry given: auto (registry-decoded when framed, else string)
  --key-format F          the same for keys (default string, or auto with --registry)

examples:
  tributary consume orders --from-beginning --max-messages 10 --print-key
  tributary consume payments --from-beginning --registry http://localhost:8081 --output json`;

const FORMATS = ['string', 'auto', 'registry', 'avro', 'protobuf', 'json-schema', 'hex', 'base64'] as const;
type Format = typeof FORMATS[number];
const SCHEMA_TYPE: Partial<Record<Format, string>> = { avro: 'AVRO', protobuf: 'PROTOBUF', 'json-schema': 'JSON' };

/**
 * Turns a key or value into what is printed. Registry formats decode to a JS value
 * (printed as JSON); a record that does not decode under an explicit format ends the
 * command naming its position (as kafka-avro-console-consumer does), under `auto` it
 * prints as a string.
 */
class Decoder {
  private serde: RegistrySerde | null = null;
  constructor(private readonly registryUrl: string) {}

  async decode(buf: Buffer | null, format: Format, where: string): Promise<{ text: string | null; json: unknown; schemaId?: number }> {
    if (buf === null) return { text: null, json: null };
    if (format === 'string') return { text: buf.toString('utf8'), json: buf.toString('utf8') };
    if (format === 'hex') return { text: buf.toString('hex'), json: buf.toString('hex') };
    if (format === 'base64') return { text: buf.toString('base64'), json: buf.toString('base64') };
    const id = wireSchemaId(buf);
    if (id === null) {
      if (format === 'auto') return { text: buf.toString('utf8'), json: buf.toString('utf8') };
      throw new CommandError(`${where} is not in Confluent wire format (${buf.length < 5 ? `${buf.length} bytes` : `first byte 0x${buf[0].toString(16).padStart(2, '0')}`}, expected magic byte 0 and a schema id); read it with --value-format string or hex`);
    }
    this.serde ??= new RegistrySerde(new HttpRegistryClient(this.registryUrl, 10000));
    let d: Awaited<ReturnType<RegistrySerde['decodeWithSchema']>>;
    try {
      d = await this.serde.decodeWithSchema(buf);
    } catch (e) {
      if (e instanceof RegistryHttpError) {
        if (format === 'auto' && e.status === 404) return { text: buf.toString('utf8'), json: buf.toString('utf8') };
        throw new CommandError(`schema id ${id} of ${where}: the registry at ${this.registryUrl} answered ${e.status}: ${e.message}`, e.status === 404 ? EXIT.NOT_FOUND : EXIT.FAILED);
      }
      const cause = (e as Error & { cause?: { code?: string } }).cause?.code;
      if ((e as Error).name === 'TypeError' || (e as Error).name === 'TimeoutError' || cause) {
        throw new CommandError(`cannot reach the schema registry at ${this.registryUrl} for schema id ${id} of ${where}: ${cause ?? (e as Error).message}`, EXIT.UNREACHABLE);
      }
      if (format === 'auto') return { text: buf.toString('utf8'), json: buf.toString('utf8') };
      throw new CommandError(`${where} does not decode with schema id ${id}: ${(e as Error).message}`);
    }
    const want = SCHEMA_TYPE[format];
    if (want && d.schemaType !== want) throw new CommandError(`${where} uses schema id ${d.id} of type ${d.schemaType}, not ${want}; use --value-format registry to take any type`);
    // bigint (Avro long beyond 2^53 via a logical type) and Buffers print as JSON can
    const json = JSON.parse(JSON.stringify(d.value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    return { text: JSON.stringify(json), json, schemaId: d.id };
  }
}

const FLAGS = {
  '--from-beginning': {}, '--offset': { value: true }, '--from-time': { value: true }, '--partition': { value: true },
  '--max-messages': { value: true }, '--to-end': {}, '--timeout-ms': { value: true }, '--group': { value: true }, '-g': { value: true },
  '--print-key': {}, '--print-headers': {}, '--print-offset': {}, '--isolation': { value: true },
  '--value-format': { value: true }, '--key-format': { value: true },
};

function formatFlag(p: ReturnType<typeof parse>, flag: string): Format {
  const v = p.get(flag) ?? (p.get('--registry') !== undefined ? 'auto' : 'string');
  if (!(FORMATS as readonly string[]).includes(v)) throw new UsageError(`${flag} expects one of ${FORMATS.join(', ')}, got ${JSON.stringify(v)}`);
  return v as Format;
}

export async function run(argv: string[]): Promise<void> {
  await runCommand(argv, async () => {
    const p = parse(argv, FLAGS, HELP);
    if (p.positional.length !== 1) throw new UsageError(p.positional.length ? `expected one topic, got ${p.positional.join(' ')}` : 'missing TOPIC');
    const topic = p.positional[0];
    const max = p.int('--max-messages');
    const timeoutMs = p.int('--timeout-ms');
    const partition = p.int('--partition');
    const offset = p.int('--offset');
    const group = p.get('--group') ?? p.get('-g');
    const iso = p.get('--isolation') ?? 'read_uncommitted';
    if (iso !== 'read_committed' && iso !== 'read_uncommitted') throw new UsageError('--isolation expects read_committed or read_uncommitted');
    let fromTime: number | undefined;
    const ft = p.get('--from-time');
    if (ft !== undefined) { fromTime = /^\d+$/.test(ft) ? Number(ft) : Date.parse(ft); if (Number.isNaN(fromTime)) throw new UsageError(`--from-time expects an ISO time or ms, got ${JSON.stringify(ft)}`); }
    const valueFormat = formatFlag(p, '--value-format');
    const keyFormat = formatFlag(p, '--key-format');
    const decoder = new Decoder(p.registry);
    if (group && (offset !== undefined || fromTime !== undefined || partition !== undefined)) throw new UsageError('--group takes its positions from the group: drop --offset, --from-time and --partition');

    const cfg = clientConfig(p, 'tributary-consume');
    const admin = new KafkaAdmin(cfg);
    let parts: { partition: number; earliest: number; latest: number }[];
    try {
      if (!(await admin.listTopics(true)).includes(topic)) throw new CommandError(`topic ${topic} does not exist`, EXIT.NOT_FOUND);
      parts = (await admin.topicOffsets([topic])).filter((o) => partition === undefined || o.partition === partition);
      if (!parts.length) throw new CommandError(`${topic} has no partition ${partition}`, EXIT.NOT_FOUND);
      if (fromTime !== undefined) {
        const at = await admin.offsetsForTimes(topic, fromTime);
        parts = parts.map((x) => ({ ...x, start: at.find((a) => a.partition === x.partition)?.offset ?? -1 }));
      }
    } finally {
      await admin.close();
    }
    const endAt = new Map(parts.map((x) => [x.partition, x.latest]));
    let source: { poll(): Promise<PartitionBatch[]>; close(): Promise<void>; commit?(o: { topic: string; partition: number; offset: number }[]): Promise<void> };
    if (group) {
      const c = new GroupConsumer({ ...cfg, groupId: group, topics: [topic], autoOffsetReset: p.has('--from-beginning') ? 'earliest' : 'latest', isolation: iso, maxWaitMs: 200 });
      await c.start();
      source = c;
    } else {
      const r = new PartitionReader({ ...cfg, isolation: iso, maxWaitMs: 200 });
      await r.assign(parts.map((x) => {
        const start = (x as { start?: number }).start;
        const from: number | 'earliest' | 'latest' = start !== undefined ? (start < 0 ? 'latest' : start) : offset !== undefined ? offset : p.has('--from-beginning') ? 'earliest' : 'latest';
        return { topic, partition: x.partition, offset: from };
      }));
      source = r;
    }
    let n = 0;
    let lastRecordAt = Date.now();
    let stop = false;
    const onSignal = () => { stop = true; };
    process.once('SIGINT', onSignal); process.once('SIGTERM', onSignal);
    const done = new Set<number>();
    const out: string[] = [];
    const line = async (r: ConsumedRecord) => {
      const where = `${topic}-${r.partition} offset ${r.offset}`;
      const value = await decoder.decode(r.value, valueFormat, `the value at ${where}`);
      const key = await decoder.decode(r.key, keyFormat, `the key at ${where}`);
      if (p.json) {
        return JSON.stringify({
          topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp, key: key.json, value: value.json,
          ...(key.schemaId !== undefined ? { keySchemaId: key.schemaId } : {}), ...(value.schemaId !== undefined ? { valueSchemaId: value.schemaId } : {}),
          headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString('utf8') ?? null])),
        });
      }
      const cols: string[] = [];
      if (p.has('--print-offset')) cols.push(`${r.partition}:${r.offset}`);
      if (p.has('--print-key')) cols.push(key.text ?? 'null');
      if (p.has('--print-headers')) cols.push(r.headers.map((h) => `${h.key}=${h.value?.toString('utf8') ?? ''}`).join(',') || 'NO_HEADERS');
      cols.push(value.text ?? 'null');
      return cols.join('\t');
    };
    try {
      while (!stop) {
        const batches = await source.poll();
        const commits: { topic: string; partition: number; offset: number }[] = [];
        for (const b of batches) {
          for (const r of b.records) {
            if (max !== undefined && n >= max) break;
            if (p.has('--to-end') && r.offset >= (endAt.get(r.partition) ?? Infinity)) continue;
            out.push(await line(r)); n++; lastRecordAt = Date.now();
            commits.push({ topic, partition: r.partition, offset: r.offset + 1 });
          }
          if (p.has('--to-end') && b.nextOffset >= (endAt.get(b.partition) ?? 0)) done.add(b.partition);
        }
        if (out.length) { process.stdout.write(out.join('\n') + '\n'); out.length = 0; }
        if (source.commit && commits.length) {
          const last = new Map<number, number>();
          for (const c of commits) last.set(c.partition, c.offset);
          await source.commit([...last].map(([partition, offset]) => ({ topic, partition, offset })));
        }
        if (n) progress('consumed', n, max);
        if (max !== undefined && n >= max) break;
        if (p.has('--to-end') && parts.every((x) => done.has(x.partition) || x.latest <= x.earliest)) break;
        if (timeoutMs !== undefined && Date.now() - lastRecordAt >= timeoutMs) break;
      }
    } finally {
      // what decoded before a record that did not is still printed
      if (out.length) process.stdout.write(out.join('\n') + '\n');
      progressDone();
      process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal);
      await source.close().catch(() => undefined);
    }
  });
}
