// All four Kafka codecs for every internal reader and writer. @platformatic/kafka
// compresses zstd with node:zlib's zstd, which Node 20 lacks; its codec table
// (`compressionsAlgorithms`, exported from the package root) is the one both its
// batch writer and reader look up, so on such a Node the zstd entry is filled with
// @bokuweb/zstd-wasm (WebAssembly, the codec the broker itself uses).
import { compressionsAlgorithms } from '@platformatic/kafka';

export const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Codec = (typeof CODECS)[number];

type Zstd = { init(): Promise<void>; compress(b: Uint8Array, level?: number): Uint8Array; decompress(b: Uint8Array, opts?: { defaultHeapSize: number }): Uint8Array };

/** The library hands its codecs a Buffer or its own appendable buffer, whose `.buffer` is the bytes. */
function bytesOf(data: unknown): Buffer {
  return Buffer.isBuffer(data) ? data : (data as { buffer: Buffer }).buffer;
}

let ready: Promise<void> | null = null;

/** Resolves once every codec works; idempotent. Clients of this module call it before their first request. */
export function ensureCodecs(): Promise<void> {
  if (ready) return ready;
  if (compressionsAlgorithms.zstd.available) return (ready = Promise.resolve());
  ready = (async () => {
    const m = (await import('@bokuweb/zstd-wasm')) as unknown as Zstd;
    await m.init();
    Object.assign(compressionsAlgorithms.zstd, {
      compressSync: (data: unknown) => Buffer.from(m.compress(bytesOf(data), 3)),
      decompressSync: (data: unknown) => {
        const b = bytesOf(data);
        // frames without a content size (streaming writers) need a guess of the output size: grow until it fits
        for (let heap = Math.max(1 << 20, b.length * 8); ; heap *= 4) {
          try { return Buffer.from(m.decompress(b, { defaultHeapSize: heap })); } catch (e) { if (heap >= 256 << 20) throw e; }
        }
      },
      available: true,
    });
  })();
  return ready;
}
