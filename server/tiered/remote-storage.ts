// Where tiered segments live: an object store addressed by key. The S3
// implementation works with AWS S3, MinIO, R2 and s3rver; the in-memory one is
// for unit tests of the layers above. Shaped after Kafka's RemoteStorageManager
// (copy, fetch a range, delete), reduced to plain objects.
import type { FileHandle } from 'node:fs/promises';
import { S3Client, PutObjectCommand, GetObjectCommand, DeleteObjectsCommand } from '@aws-sdk/client-s3';

export interface RemoteStorage {
  /** a human-readable location for log lines, e.g. `s3://bucket/prefix at http://host:port` */
  readonly describe: string;
  put(key: string, body: Buffer): Promise<void>;
  /** uploads bytes [0, length) of an open file, streamed (segments can be large) */
  putFile(key: string, fh: FileHandle, length: number): Promise<void>;
  /** bytes [from, to) of an object */
  getRange(key: string, from: number, to: number): Promise<Buffer>;
  get(key: string): Promise<Buffer>;
  delete(keys: string[]): Promise<void>;
  close(): void;
}

export interface S3Options {
  endpoint: string | null;
  region: string;
  bucket: string;
  prefix: string;
  forcePathStyle: boolean;
}

export class S3RemoteStorage implements RemoteStorage {
  private readonly client: S3Client;
  readonly describe: string;

  constructor(readonly o: S3Options) {
    // Credentials come from the standard AWS chain (env vars, ~/.aws, instance role).
    // Checksums only when required: recent SDKs otherwise send CRC trailers that
    // S3-compatible servers (s3rver, older MinIO) reject.
    this.client = new S3Client({
      region: o.region,
      endpoint: o.endpoint || undefined,
      forcePathStyle: o.forcePathStyle,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 2,
      // A hung endpoint must fail the upload (and back off), not stall the task forever.
      requestHandler: { connectionTimeout: 5000, requestTimeout: 120000 },
    });
    this.describe = `s3://${o.bucket}/${o.prefix} at ${o.endpoint || `AWS (${o.region})`}`;
  }

  private k(key: string): string { return this.o.prefix + key; }

  async put(key: string, body: Buffer): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.o.bucket, Key: this.k(key), Body: body, ContentLength: body.length }));
  }

  async putFile(key: string, fh: FileHandle, length: number): Promise<void> {
    if (length === 0) return this.put(key, Buffer.alloc(0));
    const body = fh.createReadStream({ start: 0, end: length - 1, autoClose: false });
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.o.bucket, Key: this.k(key), Body: body, ContentLength: length }));
    } finally { body.destroy(); }
  }

  async getRange(key: string, from: number, to: number): Promise<Buffer> {
    if (to <= from) return Buffer.alloc(0);
    const r = await this.client.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: this.k(key), Range: `bytes=${from}-${to - 1}` }));
    return Buffer.from(await r.Body!.transformToByteArray());
  }

  async get(key: string): Promise<Buffer> {
    const r = await this.client.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: this.k(key) }));
    return Buffer.from(await r.Body!.transformToByteArray());
  }

  async delete(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      const r = await this.client.send(new DeleteObjectsCommand({ Bucket: this.o.bucket, Delete: { Objects: chunk.map((Key) => ({ Key: this.k(Key) })), Quiet: true } }));
      if (r.Errors?.length) throw new Error(`S3 delete failed for ${r.Errors.length} objects: ${r.Errors[0].Key}: ${r.Errors[0].Code} ${r.Errors[0].Message}`);
    }
  }

  close(): void { this.client.destroy(); }
}

/** Objects in a Map: unit tests of the manifest, cache and reader logic. */
export class InMemoryRemoteStorage implements RemoteStorage {
  readonly objects = new Map<string, Buffer>();
  readonly describe = 'memory';
  puts = 0;
  gets = 0;
  down = false;

  private check(): void { if (this.down) throw new Error('remote storage is down'); }
  async put(key: string, body: Buffer): Promise<void> { this.check(); this.puts++; this.objects.set(key, Buffer.from(body)); }
  async putFile(key: string, fh: FileHandle, length: number): Promise<void> {
    const b = Buffer.alloc(length);
    if (length) await fh.read(b, 0, length, 0);
    return this.put(key, b);
  }
  async getRange(key: string, from: number, to: number): Promise<Buffer> {
    this.check(); this.gets++;
    const o = this.objects.get(key);
    if (!o) throw new Error(`NoSuchKey: ${key}`);
    return o.subarray(from, Math.min(to, o.length));
  }
  async get(key: string): Promise<Buffer> { const o = this.objects.get(key); return this.getRange(key, 0, o ? o.length : 0); }
  async delete(keys: string[]): Promise<void> { this.check(); for (const k of keys) this.objects.delete(k); }
  close(): void { /* nothing */ }
}
