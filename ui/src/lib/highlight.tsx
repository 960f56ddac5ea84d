// Syntax colouring for schema text: JSON (Avro, JSON Schema) and .proto.
import type { ReactNode } from 'react';

const JSON_TOKENS = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b/g;
const PROTO_TOKENS = /(\/\/[^\n]*|\/\*[\s\S]*?\*\/)|("(?:[^"\\]|\\.)*")|\b(syntax|package|import|option|message|enum|service|rpc|returns|oneof|map|repeated|optional|required|reserved|extend|stream|double|float|int32|int64|uint32|uint64|sint32|sint64|fixed32|fixed64|sfixed32|sfixed64|bool|string|bytes)\b|\b(\d+)\b/g;

export function Highlight({ text, type }: { text: string; type?: string }) {
  const proto = type === 'PROTOBUF';
  const re = new RegExp(proto ? PROTO_TOKENS : JSON_TOKENS);
  const out: ReactNode[] = [];
  let last = 0; let m: RegExpExecArray | null; let k = 0;
  while ((m = re.exec(text))) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (proto) {
      const cls = m[1] ? 'tok-com' : m[2] ? 'tok-str' : m[3] ? 'tok-kw' : 'tok-num';
      out.push(<span key={k++} className={cls}>{m[0]}</span>);
    } else if (m[1]) {
      out.push(<span key={k++} className={m[2] ? 'tok-key' : 'tok-str'}>{m[1]}</span>);
      if (m[2]) out.push(m[2]);
    } else {
      out.push(<span key={k++} className={m[3] ? 'tok-num' : 'tok-kw'}>{m[0]}</span>);
    }
    last = re.lastIndex;
  }
  if (last < text.length) out.push(text.slice(last));
  return <pre aria-label="Schema text">{out}</pre>;
}
