// Kafka's four codecs. The broker stores batches as produced and only
// decompresses where it must look inside (timestamp lookups, compaction).
import { gzipSync, gunzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import snappy from 'snappyjs';

const require = createRequire(import.meta.url);

export const enum Codec { None = 0, Gzip = 1, Snappy = 2, Lz4 = 3, Zstd = 4 }
export const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

let lz4: { compressFrameSync(b: Buffer): Buffer; decompressFrameSync(b: Buffer): Buffer } | undefined;
function getLz4() {
  // lz4-napi ships a prebuilt binary in its npm package; load it lazily so a broken
  // install only affects lz4 batches, with a clear message.
  if (!lz4) lz4 = require('lz4-napi');
  return lz4!;
}

let zstd: { compress(b: Uint8Array, level: number): Uint8Array; decompress(b: Uint8Array): Uint8Array } | undefined;
export async function initCodecs(): Promise<void> {
  if (zstd) return;
  const m = await import('@bokuweb/zstd-wasm');
  await m.init();
  zstd = m as any;
}

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

function snappyDecompress(b: Buffer): Buffer {
  // Java clients write xerial-framed snappy; librdkafka reads both, writes raw.
  if (b.length >= 16 && b.subarray(0, 8).equals(XERIAL_MAGIC)) {
    const parts: Buffer[] = [];
    let p = 16;
    while (p + 4 <= b.length) {
      const n = b.readInt32BE(p); p += 4;
      parts.push(Buffer.from(snappy.uncompress(b.subarray(p, p + n))));
      p += n;
    }
    return Buffer.concat(parts);
  }
  return Buffer.from(snappy.uncompress(b));
}

function snappyCompress(b: Buffer): Buffer {
  const body = Buffer.from(snappy.compress(b));
  const head = Buffer.alloc(20);
  XERIAL_MAGIC.copy(head, 0);
  head.writeInt32BE(1, 8); head.writeInt32BE(1, 12); head.writeInt32BE(body.length, 16);
  return Buffer.concat([head, body]);
}

export function decompress(codec: number, data: Buffer): Buffer {
  switch (codec) {
    case Codec.None: return data;
    case Codec.Gzip: return gunzipSync(data);
    case Codec.Snappy: return snappyDecompress(data);
    case Codec.Lz4: return getLz4().decompressFrameSync(data);
    case Codec.Zstd:
      if (!zstd) throw new Error('zstd codec not initialised: call initCodecs() first');
      return Buffer.from(zstd.decompress(data));
  }
  throw new Error(`unknown compression codec ${codec}`);
}

export function compress(codec: number, data: Buffer): Buffer {
  switch (codec) {
    case Codec.None: return data;
    case Codec.Gzip: return gzipSync(data, { level: 1 });
    case Codec.Snappy: return snappyCompress(data);
    case Codec.Lz4: return getLz4().compressFrameSync(data);
    case Codec.Zstd:
      if (!zstd) throw new Error('zstd codec not initialised: call initCodecs() first');
      return Buffer.from(zstd.compress(data, 3));
  }
  throw new Error(`unknown compression codec ${codec}`);
}
