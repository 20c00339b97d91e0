import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import middy from '@middy/core';
import type * as z from 'zod';
import { executionStatusChangeSchema, reap, stopFault } from '../core/drill/reap.js';
import { releaseLock } from '../core/drill/release-lock.js';
import { elastiCacheClient, sfnClient } from '../shared/aws.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger } from '../shared/powertools.js';

let lambda: LambdaClient | undefined;

/** Lambda, built once per environment. */
function lambdaClient(): LambdaClient {
  lambda ??= new LambdaClient({});
  return lambda;
}

function faultStopStateMachineArn(): string {
  const arn = process.env.FAULT_STOP_STATE_MACHINE_ARN;
  if (!arn) throw new Error('FAULT_STOP_STATE_MACHINE_ARN is not set');
  return arn;
}

/** Invokes the Cleanup function (in the VPC, where the data plane is) and returns what it returned. */
async function invokeCleanup(lambda: LambdaClient, event: unknown): Promise<{ deleted: number }> {
  const FunctionName = process.env.CLEANUP_FUNCTION_NAME;
  if (!FunctionName) throw new Error('CLEANUP_FUNCTION_NAME is not set');
  const out = await lambda.send(
    new InvokeCommand({ FunctionName, Payload: new TextEncoder().encode(JSON.stringify(event)) }),
  );
  const payload = JSON.parse(new TextDecoder().decode(out.Payload ?? new Uint8Array())) as {
    deleted?: number;
    errorType?: string;
    errorMessage?: string;
  };
  if (out.FunctionError) {
    throw Object.assign(new Error(payload.errorMessage ?? 'Cleanup failed'), {
      name: payload.errorType ?? 'CleanupError',
    });
  }
  return { deleted: payload.deleted ?? 0 };
}

/** EventBridge's target for drill executions that were stopped, timed out or failed. */
export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parser({ schema: executionStatusChangeSchema }))
  .use(runIdOnLogs((event: z.infer<typeof executionStatusChangeSchema>) => event.detail.name))
  .use(namedErrors())
  .handler(async (event) => {
    const sfn = sfnClient();
    const reaped = await reap(event, {
      sfn,
      cleanup: (payload) => invokeCleanup(lambdaClient(), payload),
      releaseLock: (plan) => releaseLock(plan, elastiCacheClient()),
      stopFault: (templateId) => stopFault(sfn, faultStopStateMachineArn(), templateId),
    });
    logger.info('reaped', { ...reaped });
    return reaped;
  });
