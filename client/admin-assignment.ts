// The consumer protocol's member assignment (what DescribeGroups returns for a
// group of protocol type "consumer"):
//   ConsumerProtocolAssignment => version [assigned_partitions] user_data
//     version => INT16
//     assigned_partitions => topic [partitions]
//       topic => STRING
//       partitions => INT32
//     user_data => BYTES
// Other protocol types (Connect workers, the registry's election) carry their own
// bytes; for those, and for anything truncated, the answer is null, never a throw.

export interface TopicAssignment { topic: string; partitions: number[] }

export function decodeConsumerAssignment(buf: Buffer | null | undefined): TopicAssignment[] | null {
  if (!buf || buf.length === 0) return [];
  let pos = 0;
  const need = (n: number) => { if (pos + n > buf.length) throw new RangeError('truncated assignment'); };
  const int16 = () => { need(2); const v = buf.readInt16BE(pos); pos += 2; return v; };
  const int32 = () => { need(4); const v = buf.readInt32BE(pos); pos += 4; return v; };
  try {
    int16(); // version: 0..3 share this prefix
    const topics = int32();
    if (topics < 0) return [];
    const out: TopicAssignment[] = [];
    for (let i = 0; i < topics; i++) {
      const len = int16();
      if (len < 0) throw new RangeError('null topic name');
      need(len);
      const topic = buf.toString('utf8', pos, pos + len); pos += len;
      const n = int32();
      const partitions: number[] = [];
      for (let j = 0; j < n; j++) partitions.push(int32());
      out.push({ topic, partitions: partitions.sort((a, b) => a - b) });
    }
    return out;
  } catch {
    return null;
  }
}
