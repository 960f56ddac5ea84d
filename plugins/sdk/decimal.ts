// Kafka Connect's logical types on the wire, for connectors and converters: Decimal
// is a big-endian two's-complement unscaled integer with the scale in the schema's
// parameters; Date/Time/Timestamp travel as epoch days / ms of day / epoch ms.
// Values in the SDK's data model are exact decimal strings ("12.30") and Dates.

/** Kafka Connect's DataException: a value that does not fit its schema or format. */
export class DataException extends Error {
  constructor(message: string, options?: { cause?: unknown }) { super(message, options); this.name = 'DataException'; }
}

const DECIMAL = /^([-+]?)(\d*)(?:\.(\d*))?$/;

/**
 * Decimal text (or a number / bigint) → its unscaled integer at `scale`
 * ("12.340", 3 → 12340n). `scale` null keeps the text's own scale. More fraction
 * digits than the scale are an error, or cut off with `truncate` (for sources that
 * already rounded to the column's scale).
 */
export function parseDecimal(v: unknown, scale: number | null, opts: { truncate?: boolean } = {}): { unscaled: bigint; scale: number } {
  const s = typeof v === 'bigint' ? v.toString() : typeof v === 'number' && scale !== null ? v.toFixed(scale) : String(v);
  const m = s.trim().match(DECIMAL);
  if (!m) throw new DataException(`Invalid decimal value ${s}`);
  const sc = scale ?? (m[3] ?? '').length;
  const frac = (m[3] ?? '').padEnd(sc, '0');
  if (frac.length > sc && !opts.truncate && /[1-9]/.test(frac.slice(sc))) throw new DataException(`Decimal ${s} has more than ${sc} fraction digits`);
  const n = BigInt((m[2] || '0') + frac.slice(0, sc));
  return { unscaled: m[1] === '-' ? -n : n, scale: sc };
}

/** "12.340" at scale 3 → 12340n; more fraction digits than the scale throw a DataException. */
export function decimalToUnscaled(v: unknown, scale: number): bigint {
  return parseDecimal(v, scale).unscaled;
}

/** 12340n at scale 3 → "12.340". */
export function unscaledToDecimal(n: bigint, scale: number): string {
  const neg = n < 0n;
  let s = (neg ? -n : n).toString();
  if (scale > 0) {
    s = s.padStart(scale + 1, '0');
    s = `${s.slice(0, -scale)}.${s.slice(-scale)}`;
  }
  return neg ? `-${s}` : s;
}

/** The shortest big-endian two's-complement bytes of an integer (Connect's Decimal, Avro's decimal). */
export function bigintToBytes(n: bigint): Buffer {
  const out: number[] = [];
  let x = n;
  for (;;) {
    const b = Number(x & 0xffn);
    out.unshift(b);
    x >>= 8n;
    if ((x === 0n && (b & 0x80) === 0) || (x === -1n && (b & 0x80) !== 0)) break;
  }
  return Buffer.from(out);
}

/** Big-endian two's-complement bytes → integer (empty = 0). */
export function bytesToBigint(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  if (b[0] & 0x80) n -= 1n << BigInt(b.length * 8);
  return n;
}

/** A Decimal schema's scale (its `scale` parameter). */
export const scaleOf = (s: { parameters?: Record<string, string> }): number => Number(s.parameters?.scale ?? 0);

/** Date | number | bigint | date string → epoch ms. */
export function toMillis(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') { const t = Date.parse(v); if (!Number.isNaN(t)) return t; }
  throw new DataException(`Cannot convert ${String(v)} to a timestamp`);
}
