// Kafka's default partitioner: murmur2 (seed 0x9747b28c) of the key bytes, made positive
// (& 0x7fffffff), modulo the partition count — so a key lands on the partition Java
// producers, Kafka Connect and Kafka Streams choose. 32-bit integer math (Math.imul);
// the library's own murmur2 works in BigInt (~10% of a CDC run's CPU) and keeps the
// hash unsigned (>>> 0), which picks another partition for about half of the keys.
/** murmur2 of data[start..end) (default: all of it). */
export function murmur2(data: Buffer, start = 0, end = data.length): number {
  const len = end - start, m = 0x5bd1e995, r = 24;
  let h = 0x9747b28c ^ len;
  const len4 = len >> 2;
  for (let i = 0; i < len4; i++) {
    const o = start + (i << 2);
    let k = data[o] | (data[o + 1] << 8) | (data[o + 2] << 16) | (data[o + 3] << 24);
    k = Math.imul(k, m); k ^= k >>> r; k = Math.imul(k, m);
    h = Math.imul(h, m); h ^= k;
  }
  const tail = start + (len & ~3);
  switch (len & 3) {
    case 3: h ^= data[tail + 2] << 16; // falls through
    case 2: h ^= data[tail + 1] << 8; // falls through
    case 1: h ^= data[tail]; h = Math.imul(h, m);
  }
  h ^= h >>> 13; h = Math.imul(h, m); h ^= h >>> 15;
  return h | 0;
}

export function partitionFor(key: Buffer, numPartitions: number): number {
  return (murmur2(key) & 0x7fffffff) % numPartitions;
}
