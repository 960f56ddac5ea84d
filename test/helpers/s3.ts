// s3rver on a free port with a temp directory, for the S3 connector tests and bench:
// the broker's tiered-storage test server (test-only import), plus the connector props that point at it.
import { startTestS3 } from './s3-server.ts';

export interface LocalS3 { endpoint: string; bucket: string; props: Record<string, string>; close(): Promise<void>; stop(): Promise<void>; start(): Promise<void> }

export async function startLocalS3(bucket = 'sink'): Promise<LocalS3> {
  const s = await startTestS3(bucket);
  return {
    endpoint: s.endpoint, bucket, start: s.start, stop: s.stop, close: s.close,
    props: { 's3.bucket.name': bucket, 's3.region': 'us-east-1', 'store.url': s.endpoint, 's3.path.style.access.enabled': 'true', 'aws.access.key.id': 'S3RVER', 'aws.secret.access.key': 'S3RVER' },
  };
}
