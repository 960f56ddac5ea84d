// Encoded partitions (the folder between topics.dir/<topic>/ and the object name), as
// Confluent's storage partitioners name them.
import type { SinkRecord } from '../../../plugins/sdk/index.ts';

export type PartitionerKind = 'default' | 'field' | 'time' | 'daily' | 'hourly';

export interface PartitionerOptions {
  kind: PartitionerKind;
  fields: string[];
  pathFormat: string;
  durationMs: number;
  timezone: string;
  locale: string;
  extractor: 'Record' | 'RecordField' | 'Wallclock';
  timestampField: string;
}

export function recordTime(r: SinkRecord, o: Pick<PartitionerOptions, 'extractor' | 'timestampField'>): number {
  if (o.extractor === 'Wallclock') return Date.now();
  if (o.extractor === 'RecordField') {
    const v = (r.value as Record<string, unknown> | null)?.[o.timestampField];
    if (v instanceof Date) return v.getTime();
    if (typeof v === 'number' || typeof v === 'bigint') return Number(v);
    if (typeof v === 'string') { const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v); if (!Number.isNaN(t)) return t; }
    throw new Error(`timestamp.field ${o.timestampField} of ${r.topic}-${r.kafkaPartition}@${r.kafkaOffset} is not a time: ${String(v)}`);
  }
  return r.timestamp;
}

/** Wall-clock fields of an instant in a time zone. */
function zoned(ts: number, timeZone: string): { Y: number; M: number; d: number; H: number; m: number; s: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' }).formatToParts(new Date(ts));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { Y: get('year'), M: get('month'), d: get('day'), H: get('hour'), m: get('minute'), s: get('second') };
}

function tzOffset(ts: number, timeZone: string): number {
  const z = zoned(ts, timeZone);
  return Date.UTC(z.Y, z.M - 1, z.d, z.H, z.m, z.s) - Math.floor(ts / 1000) * 1000;
}

/** Joda-style pattern: quoted literals and YYYY/yyyy, MM, dd, HH, mm, ss. */
export function formatPath(pattern: string, ts: number, timeZone: string): string {
  const z = zoned(ts, timeZone);
  return pattern.replace(/'([^']*)'|([YyMdHms])\2*/g, (all, lit: string | undefined, ch: string | undefined) => {
    if (lit !== undefined) return lit;
    const v = ({ Y: z.Y, y: z.Y, M: z.M, d: z.d, H: z.H, m: z.m, s: z.s } as Record<string, number>)[ch!];
    return String(v).padStart(all.length, '0');
  });
}

export class Partitioner {
  constructor(readonly o: PartitionerOptions) {
    if (o.kind === 'daily') { this.o = { ...o, pathFormat: "'year'=YYYY/'month'=MM/'day'=dd", durationMs: 86_400_000 }; }
    if (o.kind === 'hourly') { this.o = { ...o, pathFormat: "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", durationMs: 3_600_000 }; }
    if (this.o.kind === 'field' && !this.o.fields.length) throw new Error('FieldPartitioner needs partition.field.name');
    if (['time', 'daily', 'hourly'].includes(this.o.kind) && (!this.o.pathFormat || this.o.durationMs <= 0)) throw new Error('TimeBasedPartitioner needs path.format and partition.duration.ms');
  }

  encode(r: SinkRecord): string {
    switch (this.o.kind) {
      case 'default': return `partition=${r.kafkaPartition}`;
      case 'field': {
        const v = r.value as Record<string, unknown> | null;
        return this.o.fields.map((f) => {
          const x = v?.[f];
          if (x === undefined || (typeof x === 'object' && x !== null)) throw new Error(`FieldPartitioner: field ${f} of ${r.topic}-${r.kafkaPartition}@${r.kafkaOffset} is missing or not a primitive`);
          return `${f}=${String(x)}`;
        }).join('/');
      }
      default: {
        const ts = recordTime(r, this.o);
        const off = tzOffset(ts, this.o.timezone);
        const bucket = Math.floor((ts + off) / this.o.durationMs) * this.o.durationMs - off;
        return formatPath(this.o.pathFormat, bucket, this.o.timezone);
      }
    }
  }
}
