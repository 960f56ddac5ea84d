// A small LRU of remote byte ranges (fixed-size chunks of segment objects and
// whole index objects), bounded by total bytes. Concurrent misses for the same
// key share one GET, so many consumers of a cold segment cost one download.
export class RangeCache {
  private entries = new Map<string, Buffer>();
  private inflight = new Map<string, Promise<Buffer>>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(readonly maxBytes: number) {}

  get size(): number { return this.bytes; }

  async get(key: string, load: () => Promise<Buffer>): Promise<Buffer> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key); this.entries.set(key, hit); // most recently used last
      this.hits++;
      return hit;
    }
    const running = this.inflight.get(key);
    if (running) return running;
    this.misses++;
    const p = load().then((buf) => { this.put(key, buf); return buf; }).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  put(key: string, buf: Buffer): void {
    const old = this.entries.get(key);
    if (old) { this.bytes -= old.length; this.entries.delete(key); }
    if (buf.length > this.maxBytes) return;
    this.entries.set(key, buf); this.bytes += buf.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k); this.bytes -= v.length;
    }
  }

  /** Drops every entry whose key starts with `prefix` (a deleted or replaced object). */
  invalidate(prefix: string): void {
    for (const [k, v] of this.entries) if (k.startsWith(prefix)) { this.entries.delete(k); this.bytes -= v.length; }
  }
}
