// tributary produce TOPIC — values from stdin, one per line (kafka-console-producer).
import readline from 'node:readline';
import { KafkaProducer, CODECS, type Codec, type OutgoingRecord } from '../../client/index.ts';
import { UsageError } from '../errors.ts';
import { clientConfig, pairs, parse, print, progress, progressDone, runCommand } from './common.ts';

const HELP = `usage: tributary produce TOPIC [options] < values.txt

Sends each line of stdin as one record's value.
  --key K                 the same key for every record
  --key-separator SEP     each line is KEY<SEP>VALUE (e.g. --key-separator :)
  --header name=value     a header on every record (repeatable)
  --partition N           this partition (default: by key, else spread)
  --compression none|gzip|snappy|lz4|zstd
  --acks all|1|0          (default all)

example:
  printf 'hello\\nworld\\n' | tributary produce demo --key greeting`;

const FLAGS = {
  '--key': { value: true }, '-k': { value: true }, '--key-separator': { value: true }, '--header': { value: true, repeat: true },
  '--partition': { value: true }, '--compression': { value: true }, '--acks': { value: true },
};

export async function run(argv: string[]): Promise<void> {
  await runCommand(argv, async () => {
    const p = parse(argv, FLAGS, HELP);
    if (p.positional.length !== 1) throw new UsageError(p.positional.length ? `expected one topic, got ${p.positional.join(' ')}` : 'missing TOPIC');
    const topic = p.positional[0];
    const compression = (p.get('--compression') ?? 'none') as Codec;
    if (!CODECS.includes(compression)) throw new UsageError(`--compression expects one of ${CODECS.join(', ')}`);
    const acksFlag = p.get('--acks') ?? 'all';
    const acks = ({ all: -1, '-1': -1, '1': 1, '0': 0 } as Record<string, -1 | 0 | 1>)[acksFlag];
    if (acks === undefined) throw new UsageError('--acks expects all, 1 or 0');
    const key = p.get('--key') ?? p.get('-k');
    const sep = p.get('--key-separator');
    const headers = pairs(p, '--header');
    const partition = p.int('--partition');
    const producer = new KafkaProducer({ ...clientConfig(p, 'tributary-produce'), acks, compression, idempotent: acks === -1, autoCreateTopics: true });
    let sent = 0;
    let failed: unknown = null;
    let batch: OutgoingRecord[] = [];
    const flush = async () => {
      if (!batch.length) return;
      const b = batch; batch = [];
      await producer.send(b);
      sent += b.length;
      progress('produced', sent);
    };
    try {
      const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
      for await (const line of rl) {
        let k: string | undefined = key; let v = line;
        if (sep) { const i = line.indexOf(sep); if (i >= 0) { k = line.slice(0, i); v = line.slice(i + sep.length); } }
        batch.push({ topic, value: v, ...(k !== undefined ? { key: k } : {}), ...(partition !== undefined ? { partition } : {}), ...(Object.keys(headers).length ? { headers } : {}) });
        if (batch.length >= 1000) await flush();
      }
      await flush();
    } catch (e) {
      failed = e;
    } finally {
      progressDone();
      await producer.close().catch(() => undefined);
    }
    if (failed) throw failed;
    if (p.json) print(p, [], undefined, { topic, records: sent });
    else process.stderr.write(`produced ${sent} record(s) to ${topic}\n`);
  });
}
