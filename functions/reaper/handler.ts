/** The Reaper's Lambda: middy wiring around `reaperStep` (core/drill/reaper-step.ts). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { LambdaClient } from '@aws-sdk/client-lambda';
import middy from '@middy/core';
import type * as z from 'zod';
import { executionStatusChangeSchema } from '../core/drill/reap.js';
import { reaperStep } from '../core/drill/reaper-step.js';
import { elastiCacheClient, elastiCacheClientIn, sfnClient } from '../shared/aws.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger } from '../shared/powertools.js';

let lambda: LambdaClient | undefined;

/** Lambda, built once per environment. */
function lambdaClient(): LambdaClient {
  lambda ??= new LambdaClient({});
  return lambda;
}

/** EventBridge's target for drill executions that were stopped, timed out or failed. */
export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parser({ schema: executionStatusChangeSchema }))
  .use(runIdOnLogs((event: z.infer<typeof executionStatusChangeSchema>) => event.detail.name))
  .use(namedErrors())
  .handler((event) =>
    reaperStep(event, {
      sfn: sfnClient(),
      lambda: lambdaClient,
      elastiCache: elastiCacheClient,
      elastiCacheIn: elastiCacheClientIn,
      env: process.env,
      log: logger,
    }),
  );
