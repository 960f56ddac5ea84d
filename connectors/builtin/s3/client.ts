// One S3 client per task, configured for AWS or any S3-compatible store.
import { S3Client, PutObjectCommand, CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand, AbortMultipartUploadCommand } from '@aws-sdk/client-s3';

export function s3Client(c: Record<string, unknown>): S3Client {
  const id = c['aws.access.key.id'] as string;
  const secret = c['aws.secret.access.key'] as string;
  return new S3Client({
    region: c['s3.region'] as string,
    endpoint: (c['store.url'] as string) || undefined,
    forcePathStyle: c['s3.path.style.access.enabled'] as boolean,
    ...(id ? { credentials: { accessKeyId: id, secretAccessKey: secret } } : {}),
    // checksums only when required: S3-compatible stores (s3rver, older MinIO) reject the new CRC trailers
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** PutObject, or a multipart upload in partSize parts for larger bodies. Same key = overwrite. */
export async function upload(s3: S3Client, bucket: string, key: string, body: Buffer, partSize: number): Promise<void> {
  if (body.length <= partSize) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    return;
  }
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  try {
    const parts: { ETag: string; PartNumber: number }[] = [];
    for (let i = 0, n = 1; i < body.length; i += partSize, n++) {
      const r = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: n, Body: body.subarray(i, i + partSize) }));
      parts.push({ ETag: r.ETag!, PartNumber: n });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
  } catch (e) {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId })).catch(() => {});
    throw e;
  }
}
