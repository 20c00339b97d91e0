import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { AwsThrottledError } from './errors.js';

/**
 * The AWS clients a drill uses, each built once per Lambda environment and only when first asked for:
 * a handler imports the getters of the clients it uses, and esbuild leaves the other SDK clients out
 * of its bundle (~0.1–0.2 MB each). Endpoints come from the standard AWS_ENDPOINT_URL /
 * AWS_ENDPOINT_URL_<SERVICE> variables, which is how the local cloud is reached with the same code.
 * The SDK's own retries stay on for control-plane calls.
 */
let elastiCache: ElastiCacheClient | undefined;
let sns: SNSClient | undefined;
let cloudWatch: CloudWatchClient | undefined;
let s3: S3Client | undefined;
let sfn: SFNClient | undefined;

export function elastiCacheClient(): ElastiCacheClient {
  elastiCache ??= new ElastiCacheClient({});
  return elastiCache;
}

/**
 * One client per region, built when first asked for. Its callers mark the call `@__PURE__`: a top-level
 * call is kept by esbuild as a possible side effect, with the SDK client it names, in every bundle that
 * imports this module.
 */
function perRegion<C>(make: (region: string) => C): (region: string) => C {
  const clients = new Map<string, C>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = make(region);
      clients.set(region, client);
    }
    return client;
  };
}

/**
 * An ElastiCache client signing for another region (a Global Datastore's members): a Lambda's SDK reaches
 * any region's API, which a Step Functions SDK integration does not.
 */
export const elastiCacheClientIn = /* @__PURE__ */ perRegion((region) => new ElastiCacheClient({ region }));

export function snsClient(): SNSClient {
  sns ??= new SNSClient({});
  return sns;
}

export function cloudWatchClient(): CloudWatchClient {
  cloudWatch ??= new CloudWatchClient({});
  return cloudWatch;
}

/** A CloudWatch client in another region (a Global Datastore's secondary publishes its lag there). */
export const cloudWatchClientIn = /* @__PURE__ */ perRegion((region) => new CloudWatchClient({ region }));

export function s3Client(): S3Client {
  s3 ??= new S3Client({});
  return s3;
}

/**
 * StartSyncExecution goes to `sync-states.<region>.amazonaws.com` (the model's host prefix `sync-`). A
 * configured endpoint (the local cloud) is an address to use as given: the SDK would prefix its host too.
 */
export function sfnClient(): SFNClient {
  const configured = Boolean(process.env.AWS_ENDPOINT_URL_SFN ?? process.env.AWS_ENDPOINT_URL);
  sfn ??= new SFNClient({ disableHostPrefix: configured });
  return sfn;
}

/** Names the SDK gives to throttling, across the Query and JSON protocols. */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

/** Renames throttling to AwsThrottledError so ASL can retry it; other errors keep their AWS names. */
export function namedAwsError(error: unknown): unknown {
  if (error instanceof Error && THROTTLING.has(error.name)) return new AwsThrottledError(error.message);
  return error;
}
