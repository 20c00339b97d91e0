import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';

/**
 * The AWS clients a drill uses, built once per Lambda environment. Endpoints come from the
 * standard AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> variables, which is how the local cloud
 * is reached with the same code. The SDK's own retries stay on for control-plane calls.
 */
export interface AwsClients {
  elastiCache: ElastiCacheClient;
  sns: SNSClient;
  cloudWatch: CloudWatchClient;
  s3: S3Client;
}

let clients: AwsClients | undefined;

export function awsClients(): AwsClients {
  clients ??= {
    elastiCache: new ElastiCacheClient({}),
    sns: new SNSClient({}),
    cloudWatch: new CloudWatchClient({}),
    s3: new S3Client({}),
  };
  return clients;
}

/** Names the SDK gives to throttling, across the Query and JSON protocols. */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

/** Throttled by an AWS API: the only control-plane error the state machine retries. */
export class AwsThrottledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AwsThrottledError';
  }
}

/** Renames throttling to AwsThrottledError so ASL can retry it; other errors keep their AWS names. */
export function namedAwsError(error: unknown): unknown {
  if (error instanceof Error && THROTTLING.has(error.name)) return new AwsThrottledError(error.message);
  return error;
}
