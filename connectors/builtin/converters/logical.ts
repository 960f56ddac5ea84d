// Kafka Connect's logical types on the wire: Decimal = big-endian two's complement
// unscaled integer (scale in schema parameters), Date = int32 days since epoch,
// Time = int32 ms of day, Timestamp = int64 ms since epoch.
import { Logical, type Schema } from '../../../plugins/sdk/index.ts';

export class DataException extends Error {
  constructor(message: string, options?: { cause?: unknown }) { super(message, options); this.name = 'DataException'; }
}

/** "12.340" with scale 3 → unscaled bigint 12340. */
export function decimalToUnscaled(v: unknown, scale: number): bigint {
  const s = typeof v === 'bigint' ? v.toString() : typeof v === 'number' ? v.toFixed(scale) : String(v);
  const m = s.trim().match(/^([-+]?)(\d*)(?:\.(\d*))?$/);
  if (!m) throw new DataException(`Invalid decimal value ${s}`);
  const frac = (m[3] ?? '').padEnd(scale, '0');
  if (frac.length > scale && /[1-9]/.test(frac.slice(scale))) throw new DataException(`Decimal ${s} has more than ${scale} fraction digits`);
  const digits = (m[2] || '0') + frac.slice(0, scale);
  const n = BigInt(digits);
  return m[1] === '-' ? -n : n;
}

export function unscaledToDecimal(n: bigint, scale: number): string {
  const neg = n < 0n;
  let s = (neg ? -n : n).toString();
  if (scale > 0) {
    s = s.padStart(scale + 1, '0');
    s = `${s.slice(0, -scale)}.${s.slice(-scale)}`;
  }
  return neg ? `-${s}` : s;
}

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

export function bytesToBigint(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  if (b[0] & 0x80) n -= 1n << BigInt(b.length * 8);
  return n;
}

export const scaleOf = (s: Schema): number => Number(s.parameters?.scale ?? 0);

/** Date | number | string → epoch ms. */
export function toMillis(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') { const t = Date.parse(v); if (!Number.isNaN(t)) return t; }
  throw new DataException(`Cannot convert ${String(v)} to a timestamp`);
}

export const isLogical = (s: Schema | null | undefined, name: string) => !!s && s.name === name;
export { Logical };
