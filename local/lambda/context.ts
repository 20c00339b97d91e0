import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { localArn } from '../account.js';

/** A Lambda-like context: the remaining time counts down from the function's configured timeout. */
export function lambdaContext(
  functionName: string,
  timeoutMs: number,
  now: () => number = Date.now,
  memoryMb = 256,
): Context {
  const deadline = now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: localArn.lambda(functionName),
    memoryLimitInMB: String(memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
