// tributary consume TOPIC — kafka-console-consumer's flags: --from-beginning,
// --max-messages, --group; from/to offsets or timestamps; keys, headers, JSON lines.
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

example:
  tributary consume orders --from-beginning --max-messages 10 --print-key`;

const FLAGS = {
  '--from-beginning': {}, '--offset': { value: true }, '--from-time': { value: true }, '--partition': { value: true },
  '--max-messages': { value: true }, '--to-end': {}, '--timeout-ms': { value: true }, '--group': { value: true }, '-g': { value: true },
  '--print-key': {}, '--print-headers': {}, '--print-offset': {}, '--isolation': { value: true },
};

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
    const line = (r: ConsumedRecord) => {
      if (p.json) {
        return JSON.stringify({ topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp, key: r.key?.toString('utf8') ?? null, value: r.value?.toString('utf8') ?? null, headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString('utf8') ?? null])) });
      }
      const cols: string[] = [];
      if (p.has('--print-offset')) cols.push(`${r.partition}:${r.offset}`);
      if (p.has('--print-key')) cols.push(r.key?.toString('utf8') ?? 'null');
      if (p.has('--print-headers')) cols.push(r.headers.map((h) => `${h.key}=${h.value?.toString('utf8') ?? ''}`).join(',') || 'NO_HEADERS');
      cols.push(r.value?.toString('utf8') ?? 'null');
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
            out.push(line(r)); n++; lastRecordAt = Date.now();
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
      progressDone();
      process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal);
      await source.close().catch(() => undefined);
    }
  });
}
