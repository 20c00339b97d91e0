import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Text objects of one bucket, as the report store and the figure store keep them: one implementation of
 * S3's put and get, so that a Lambda holding both stores bundles it once.
 */
export interface S3Objects {
  put(Key: string, Body: string, ContentType: string): Promise<void>;
  /** The object's text, or undefined when there is no such key. */
  get(Key: string): Promise<string | undefined>;
}

export function s3Objects(s3: S3Client, bucket: string): S3Objects {
  return {
    async put(Key, Body, ContentType) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body, ContentType }));
    },
    async get(Key) {
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
        return await out.Body?.transformToString('utf8');
      } catch (error) {
        if ((error as Error).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
  };
}
