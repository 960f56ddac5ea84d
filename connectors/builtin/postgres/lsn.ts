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
