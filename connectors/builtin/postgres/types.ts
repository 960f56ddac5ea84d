// Postgres column types -> Connect schemas and values, with Debezium's semantics
// (time.precision.mode=adaptive, decimal.handling.mode, io.debezium.* logical names).
// Values arrive as Postgres text output (pgoutput proto 1 and the snapshot both use
// text), with the session settings TimeZone=UTC, DateStyle=ISO, IntervalStyle=postgres.
import { S, Logical, bigintToBytes, parseDecimal, unscaledToDecimal, type Schema } from '../../../plugins/sdk/index.ts';

export const UNAVAILABLE_VALUE = '__debezium_unavailable_value';

export type DecimalMode = 'precise' | 'double' | 'string';

export interface ColumnType {
  schema: Schema;
  /** text output -> Connect value */
  convert: (text: string) => unknown;
  /** what an unchanged TOAST value becomes */
  unavailable: unknown;
}

export const Oid = {
  bool: 16, bytea: 17, char: 18, name: 19, int8: 20, int2: 21, int4: 23, text: 25, oid: 26,
  json: 114, xml: 142, float4: 700, float8: 701, money: 790, bpchar: 1042, varchar: 1043,
  date: 1082, time: 1083, timestamp: 1114, timestamptz: 1184, interval: 1186, timetz: 1266,
  numeric: 1700, uuid: 2950, jsonb: 3802,
} as const;

/** array type oid -> element type oid */
export const ArrayElement: Record<number, number> = {
  1000: Oid.bool, 1001: Oid.bytea, 1005: Oid.int2, 1007: Oid.int4, 1009: Oid.text, 1014: Oid.bpchar,
  1015: Oid.varchar, 1016: Oid.int8, 1021: Oid.float4, 1022: Oid.float8, 1115: Oid.timestamp,
  1182: Oid.date, 1183: Oid.time, 1185: Oid.timestamptz, 1231: Oid.numeric, 2951: Oid.uuid,
  199: Oid.json, 3807: Oid.jsonb, 1003: Oid.name,
};

const named = (s: Schema, name: string, parameters?: Record<string, string>): Schema => ({ ...s, name, version: 1, ...(parameters ? { parameters } : {}) });

const parseIntText = (t: string): number | bigint => {
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : BigInt(t);
};

const parseFloatText = (t: string): number => (t === 'NaN' ? NaN : t === 'Infinity' ? Infinity : t === '-Infinity' ? -Infinity : Number(t));

export { bigintToBytes, bytesToBigint } from '../../../plugins/sdk/index.ts';

/** '123.4500' -> unscaled 1234500n at the given scale (or the text's own scale when scale is null); Postgres already rounded to the column scale. */
export const decimalUnscaled = (text: string, scale: number | null) => parseDecimal(text, scale, { truncate: true });

/** '1.5' at scale 2 -> '1.50' */
export const decimalString = (text: string, scale: number): string => unscaledToDecimal(decimalUnscaled(text, scale).unscaled, scale);

/** What Debezium puts in a required column missing from a key-only before image. */
export function fallbackValue(s: Schema): unknown {
  if (s.name === Logical.Decimal) return '0';
  switch (s.type) {
    case 'boolean': return false;
    case 'string': return '';
    case 'bytes': return Buffer.alloc(0);
    case 'array': return [];
    case 'map': return {};
    case 'struct': return null;
    default: return 0;
  }
}

const DAY_MS = 86_400_000;

/** 'YYYY-MM-DD[ BC]' -> days since epoch */
export function parseDateDays(t: string): number {
  const m = /^(\d+)-(\d\d)-(\d\d)( BC)?$/.exec(t);
  if (!m) throw new Error(`bad date ${t}`);
  let y = Number(m[1]);
  if (m[4]) y = 1 - y;
  const d = new Date(0);
  d.setUTCFullYear(y, Number(m[2]) - 1, Number(m[3]));
  return Math.round(d.getTime() / DAY_MS);
}

/** 'HH:MM:SS[.ffffff]' -> microseconds of day */
export function parseTimeMicros(t: string): number {
  const m = /^(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?/.exec(t);
  if (!m) throw new Error(`bad time ${t}`);
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1_000_000 + Number((m[4] ?? '').padEnd(6, '0'));
}

/** 'YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM]][ BC]' -> microseconds since epoch (UTC) */
export function parseTimestampMicros(t: string): number {
  if (t === 'infinity') return Number.MAX_SAFE_INTEGER;
  if (t === '-infinity') return Number.MIN_SAFE_INTEGER;
  const m = /^(\d+)-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?:([+-])(\d\d)(?::?(\d\d))?(?::(\d\d))?)?( BC)?$/.exec(t);
  if (!m) throw new Error(`bad timestamp ${t}`);
  let y = Number(m[1]);
  if (m[12]) y = 1 - y;
  const d = new Date(0);
  d.setUTCFullYear(y, Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), 0);
  let us = d.getTime() * 1000 + Number((m[7] ?? '').padEnd(6, '0'));
  if (m[8]) {
    const off = (Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0)) * 1_000_000;
    us += m[8] === '+' ? -off : off;
  }
  return us;
}

/** io.debezium.time.ZonedTimestamp text: ISO-8601 in UTC, e.g. 2024-01-02T03:04:05.123456Z */
export function zonedTimestamp(t: string): string {
  const us = parseTimestampMicros(t);
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString().slice(0, 19);
  const frac = String(((us % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0').replace(/0+$/, '');
  return `${iso}${frac ? '.' + frac : ''}Z`;
}

/** io.debezium.time.MicroDuration: Postgres interval text (IntervalStyle=postgres) -> microseconds, 30.4375-day months */
export function parseIntervalMicros(t: string): number {
  let us = 0;
  const unit: Record<string, number> = { year: 365.25 * 86400e6, mon: 30.4375 * 86400e6, day: 86400e6 };
  for (const m of t.matchAll(/(-?\d+) (year|mon|day)s?/g)) us += Number(m[1]) * unit[m[2]];
  const tm = /(-)?(\d+):(\d\d):(\d\d)(?:\.(\d{1,6}))?/.exec(t);
  if (tm) {
    const v = ((Number(tm[2]) * 60 + Number(tm[3])) * 60 + Number(tm[4])) * 1e6 + Number((tm[5] ?? '').padEnd(6, '0'));
    us += tm[1] ? -v : v;
  }
  return Math.round(us);
}

/** Postgres array text '{a,"b c",NULL}' -> element texts (null for NULL); nested arrays give nested lists. */
export function parseArrayText(t: string): unknown[] {
  let i = 0;
  if (t[0] === '[') i = t.indexOf('=') + 1; // explicit bounds '[0:1]={...}'
  const parse = (): unknown[] => {
    if (t[i] !== '{') throw new Error(`bad array ${t}`);
    i++;
    const out: unknown[] = [];
    if (t[i] === '}') { i++; return out; }
    for (;;) {
      if (t[i] === '{') out.push(parse());
      else if (t[i] === '"') {
        i++;
        let s = '';
        while (t[i] !== '"') {
          if (t[i] === '\\') i++;
          s += t[i++];
        }
        i++;
        out.push(s);
      } else {
        let j = i;
        while (t[j] !== ',' && t[j] !== '}') j++;
        const s = t.slice(i, j);
        out.push(s === 'NULL' ? null : s);
        i = j;
      }
      if (t[i] === ',') { i++; continue; }
      if (t[i] === '}') { i++; return out; }
      throw new Error(`bad array ${t}`);
    }
  };
  return parse();
}

export interface TypeOptions { decimalMode: DecimalMode }

/** Schema + converter for one column. `optional` from the column's nullability. */
export function columnType(typeOid: number, typmod: number, optional: boolean, opts: TypeOptions): ColumnType {
  const elem = ArrayElement[typeOid];
  if (elem !== undefined) {
    const et = columnType(elem, -1, true, opts);
    const conv = (x: unknown): unknown => (x === null ? null : Array.isArray(x) ? x.map(conv) : et.convert(x as string));
    return {
      schema: S.array(et.schema, optional),
      convert: (t) => parseArrayText(t).map(conv),
      unavailable: et.schema.type === 'string' ? [UNAVAILABLE_VALUE] : null,
    };
  }
  const str = (name?: string): ColumnType => ({ schema: name ? named(S.string(optional), name) : S.string(optional), convert: (t) => t, unavailable: UNAVAILABLE_VALUE });
  switch (typeOid) {
    case Oid.bool: return { schema: S.boolean(optional), convert: (t) => t === 't' || t === 'true', unavailable: null };
    case Oid.int2: return { schema: S.int16(optional), convert: (t) => Number(t), unavailable: null };
    case Oid.int4: return { schema: S.int32(optional), convert: (t) => Number(t), unavailable: null };
    case Oid.oid: return { schema: S.int64(optional), convert: (t) => Number(t), unavailable: null };
    case Oid.int8: return { schema: S.int64(optional), convert: parseIntText, unavailable: null };
    case Oid.float4: return { schema: S.float32(optional), convert: parseFloatText, unavailable: null };
    case Oid.float8: return { schema: S.float64(optional), convert: parseFloatText, unavailable: null };
    case Oid.numeric: {
      if (opts.decimalMode === 'double') return { schema: S.float64(optional), convert: parseFloatText, unavailable: null };
      if (opts.decimalMode === 'string') return str();
      if (typmod >= 4) {
        const precision = ((typmod - 4) >> 16) & 0xffff;
        const scale = (typmod - 4) & 0xffff;
        return {
          schema: named(S.bytes(optional), Logical.Decimal, { scale: String(scale), 'connect.decimal.precision': String(precision) }),
          // the SDK carries Decimal values as exact decimal strings at the column's scale; converters encode the bytes
          convert: (t) => (t === 'NaN' ? null : decimalString(t, scale)),
          unavailable: null,
        };
      }
      // numeric without precision/scale: Debezium's VariableScaleDecimal struct
      return {
        schema: { ...S.struct('io.debezium.data.VariableScaleDecimal', { scale: S.int32(), value: S.bytes() }, optional), version: 1, doc: 'Variable scaled decimal' },
        convert: (t) => {
          if (t === 'NaN') return null;
          const d = decimalUnscaled(t, null);
          return { scale: d.scale, value: bigintToBytes(d.unscaled) };
        },
        unavailable: null,
      };
    }
    case Oid.text: case Oid.varchar: case Oid.bpchar: case Oid.char: case Oid.name: return str();
    case Oid.json: case Oid.jsonb: return str('io.debezium.data.Json');
    case Oid.xml: return str('io.debezium.data.Xml');
    case Oid.uuid: return str('io.debezium.data.Uuid');
    case Oid.bytea: return {
      schema: S.bytes(optional),
      convert: (t) => (t.startsWith('\\x') ? Buffer.from(t.slice(2), 'hex') : Buffer.from(t, 'latin1')),
      unavailable: Buffer.from(UNAVAILABLE_VALUE),
    };
    case Oid.date: return { schema: named(S.int32(optional), 'io.debezium.time.Date'), convert: parseDateDays, unavailable: null };
    case Oid.time: {
      if (typmod >= 0 && typmod <= 3) return { schema: named(S.int32(optional), 'io.debezium.time.Time'), convert: (t) => Math.floor(parseTimeMicros(t) / 1000), unavailable: null };
      return { schema: named(S.int64(optional), 'io.debezium.time.MicroTime'), convert: parseTimeMicros, unavailable: null };
    }
    case Oid.timestamp: {
      if (typmod >= 0 && typmod <= 3) return { schema: named(S.int64(optional), 'io.debezium.time.Timestamp'), convert: (t) => Math.floor(parseTimestampMicros(t) / 1000), unavailable: null };
      return { schema: named(S.int64(optional), 'io.debezium.time.MicroTimestamp'), convert: parseTimestampMicros, unavailable: null };
    }
    case Oid.timestamptz: return { schema: named(S.string(optional), 'io.debezium.time.ZonedTimestamp'), convert: zonedTimestamp, unavailable: UNAVAILABLE_VALUE };
    case Oid.timetz: return str('io.debezium.time.ZonedTime');
    case Oid.interval: return { schema: named(S.int64(optional), 'io.debezium.time.MicroDuration'), convert: parseIntervalMicros, unavailable: null };
    default:
      // enums, domains, network types, geometry, money: their text form
      return str();
  }
}
