// Export what the browser shows, as JSON or CSV, through a download link.
import type { BrowsedMessage } from '../../../shared/api-types.ts';
import { fmtTime } from '../../lib/format.ts';

function download(name: string, type: string, body: string) {
  const url = URL.createObjectURL(new Blob([body], { type }));
  const a = document.createElement('a');
  a.href = url; a.download = name;
  document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const plain = (m: BrowsedMessage, part: 'key' | 'value') => (m[part].kind === 'null' ? null : m[part].text);

export function exportJson(topic: string, ms: BrowsedMessage[]) {
  const rows = ms.map((m) => ({
    topic: m.topic, partition: m.partition, offset: m.offset, timestamp: m.timestamp, key: plain(m, 'key'),
    value: (() => { const v = plain(m, 'value'); if (v === null || m.value.kind === 'binary' || m.value.kind === 'text') return v; try { return JSON.parse(v); } catch { return v; } })(),
    valueFormat: m.value.kind, headers: m.headers,
  }));
  download(`${topic}-messages.json`, 'application/json', JSON.stringify(rows, null, 2));
}

const csvCell = (s: string | number | null) => {
  if (s === null) return '';
  const t = String(s);
  return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
};

export function exportCsv(topic: string, ms: BrowsedMessage[], timeZone: string) {
  const lines = [['topic', 'partition', 'offset', 'timestamp', 'time', 'key', 'value', 'headers'].join(',')];
  for (const m of ms) {
    const value = m.value.kind === 'json' ? (() => { try { return JSON.stringify(JSON.parse(m.value.text)); } catch { return m.value.text; } })() : plain(m, 'value');
    lines.push([m.topic, m.partition, m.offset, m.timestamp, fmtTime(m.timestamp, timeZone), plain(m, 'key'), value, JSON.stringify(m.headers)].map(csvCell).join(','));
  }
  download(`${topic}-messages.csv`, 'text/csv', `${lines.join('\n')}\n`);
}
