// Buffers that segment reads for fetches are read into, used again once the fetch's
// reply has been written. A fresh 1 MiB buffer per follower fetch kept V8's major GC
// busy: a leader serving a catching-up follower ran ~80 mark-compacts per 500 MB and
// spent more CPU per byte in GC than in reading and sending (perf: V8 marking and
// sweeping threads ~35% of its CPU; --cpu-prof, which samples the main thread only,
// does not show it). Only a caller that knows when the bytes are no longer used takes
// buffers from here (the Fetch handler, released after the socket write); every other
// reader gets fresh buffers as before. A buffer never handed back is simply collected.

const MIN_CLASS = 64 * 1024;
const MAX_CLASS = 16 * 1024 * 1024;

export class ReadBufferPool {
  private readonly free = new Map<number, Buffer[]>();
  private freeBytes = 0;
  /** buffers handed out and not released: a buffer must never be in two places at once */
  private readonly out = new WeakSet<Buffer>();

  constructor(private readonly maxFreeBytes = 64 * 1024 * 1024) {}

  /** A buffer of at least `size` bytes, or null when the size is not pooled (use a fresh one). */
  acquire(size: number): Buffer | null {
    if (size < MIN_CLASS || size > MAX_CLASS) return null;
    let cls = MIN_CLASS;
    while (cls < size) cls *= 2;
    let buf = this.free.get(cls)?.pop();
    if (buf) this.freeBytes -= cls; else buf = Buffer.allocUnsafe(cls);
    this.out.add(buf);
    return buf;
  }

  /** Hands back a buffer from acquire() whose bytes nobody reads any more (not a slice of it). */
  release(buf: Buffer): void {
    if (!this.out.has(buf)) return; // not ours, or released already
    this.out.delete(buf);
    if (this.freeBytes + buf.length > this.maxFreeBytes) return;
    let list = this.free.get(buf.length);
    if (!list) { list = []; this.free.set(buf.length, list); }
    list.push(buf);
    this.freeBytes += buf.length;
  }

  /** bytes held for reuse (tests, metrics) */
  get idleBytes(): number { return this.freeBytes; }
}

/** The broker's pool for fetch reads. */
export const fetchReadBuffers = new ReadBufferPool();

/**
 * A pooled buffer with several holders, back in its pool when the last one lets go: a large
 * Produce request's frame is held by the request until its reply is written, by the tail
 * cache while it keeps the batches appended from it, and by each fetch reply that sends
 * them from there. Before, each such request was joined into a fresh buffer that outlived
 * the young generation (acks=all waits, the tail cache) and died in the old one: an RF=3
 * leader ran a major GC every ~15 MB produced (--trace-gc: 40 per 600 MB) for a 14 MB heap,
 * and V8's marking threads took a third of its CPU (perf).
 */
export class SharedBuffer {
  private refs = 1;
  /** `used`: how many of the buffer's bytes the frame fills (a pooled buffer is rounded up to its size class) */
  constructor(readonly buf: Buffer, private readonly pool: ReadBufferPool, readonly used = buf.length) {}
  get holders(): number { return this.refs; }
  retain(): this { if (this.refs <= 0) throw new Error('retain of a released buffer'); this.refs++; return this; }
  release(): void {
    if (this.refs <= 0) return;
    if (--this.refs === 0) this.pool.release(this.buf);
  }
}

/** The socket server's pool for large Produce requests' frames. */
export const requestFrames = new ReadBufferPool(64 * 1024 * 1024);

/** What a fetch's reads hold until its reply is written: pooled read buffers, or a share of a cached frame. */
export type ReadLease = Buffer | SharedBuffer;

export function releaseLease(x: ReadLease): void {
  if (x instanceof SharedBuffer) x.release(); else fetchReadBuffers.release(x);
}
