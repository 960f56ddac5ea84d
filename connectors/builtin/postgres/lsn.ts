// Postgres log sequence numbers: 'X/Y' text (two 32-bit hex halves) <-> bigint.

export type Lsn = bigint;

export function parseLsn(s: string): Lsn {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(s.trim());
  if (!m) throw new Error(`invalid LSN ${s}`);
  return (BigInt('0x' + m[1]) << 32n) | BigInt('0x' + m[2]);
}

export function formatLsn(l: Lsn): string {
  return `${(l >> 32n).toString(16).toUpperCase()}/${(l & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** The LSN at buf[at..at+8): a number where it is exact (below 2^53), else a bigint. No BigInt per streamed message. */
export function readLsn(buf: Buffer, at: number): number | bigint {
  // the bytes read directly (readUInt32BE checks its argument on every call); the caller checked the frame's length
  const hi = buf[at] * 0x1000000 + ((buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]);
  return hi < 0x200000 ? hi * 0x100000000 + buf[at + 4] * 0x1000000 + ((buf[at + 5] << 16) | (buf[at + 6] << 8) | buf[at + 7]) : buf.readBigUInt64BE(at);
}

/** The decimal digits of a safe integer (an LSN read by readLsn) written into buf at `at`; returns where they end. */
export function writeDigits(buf: Buffer, at: number, v: number): number {
  let n = 1;
  for (let p = 10; v >= p && n < 16; p *= 10) n++;
  let end = at + n;
  let x = v;
  while (end > at) { const q = Math.floor(x / 10); buf[--end] = 0x30 + (x - q * 10); x = q; }
  return at + n;
}

/** Offsets store LSNs as numbers (Debezium does); they stay below 2^53 for petabytes of WAL. */
export function lsnToNumber(l: Lsn): number {
  return Number(l);
}

export function lsnFrom(v: unknown): Lsn | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'string') return v.includes('/') ? parseLsn(v) : BigInt(v);
  return null;
}
