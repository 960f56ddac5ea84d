// Turns record bytes into something a person can read: registry-decoded, pretty
// JSON, text, or a hex dump for binary.
import { wireSchemaId } from '../../../registry/serde.ts';
import type { RenderedBytes } from '../../shared/api-types.ts';
import type { SchemaDecoder } from './schema-decoder.ts';

const MAX_TEXT = 256 * 1024;
const MAX_HEX = 4096;

export function hexDump(buf: Buffer, max = MAX_HEX): string {
  const lines: string[] = [];
  const n = Math.min(buf.length, max);
  for (let i = 0; i < n; i += 16) {
    const chunk = buf.subarray(i, Math.min(i + 16, n));
    const hex = Array.from(chunk, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(chunk, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${i.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  if (buf.length > max) lines.push(`… ${buf.length - max} more bytes`);
  return lines.join('\n');
}

/** Valid UTF-8 without control characters other than tab, CR, LF. */
export function isText(buf: Buffer): boolean {
  let s: string;
  try { s = new TextDecoder('utf-8', { fatal: true }).decode(buf); } catch { return false; }
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s);
}

export function prettyJson(s: string): string | null {
  const t = s.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return null;
  try { return JSON.stringify(JSON.parse(t), null, 2); } catch { return null; }
}

export function renderPlain(buf: Buffer | null): RenderedBytes {
  if (buf === null) return { kind: 'null', text: '', size: 0 };
  if (isText(buf)) {
    const s = buf.toString('utf8');
    const json = prettyJson(s);
    if (json !== null) return { kind: 'json', text: json, size: buf.length };
    return { kind: 'text', text: s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s, size: buf.length };
  }
  return { kind: 'binary', text: hexDump(buf), size: buf.length };
}

// The schema id of a framed value: registry/serde.ts, the platform's one wire-format decoder.
export { wireSchemaId };

export async function render(buf: Buffer | null, decoder: SchemaDecoder | null): Promise<RenderedBytes> {
  const id = wireSchemaId(buf);
  if (id === null || !decoder || !buf) return renderPlain(buf);
  try {
    const d = await decoder.decode(id, buf);
    return { kind: d.kind, text: JSON.stringify(d.value, jsonReplacer, 2), schemaId: id, size: buf.length };
  } catch (e) {
    return { ...renderPlain(buf), schemaId: id, decodeError: (e as Error).message };
  }
}

function jsonReplacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (Buffer.isBuffer(v)) return v.toString('base64');
  if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
    return Buffer.from((v as { data: number[] }).data).toString('base64');
  }
  return v;
}

/** A header value as a person reads it: text, or 0x-hex for binary. */
export function headerValue(v: Buffer | null): string {
  if (v === null) return '';
  return isText(v) ? v.toString('utf8') : `0x${v.toString('hex')}`;
}
