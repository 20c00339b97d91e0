/** The ChangeFinished step's Lambda: middy wiring around `changeFinishedStep` (core/drill/change-finished-step.ts). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import {
  type ChangeFinishedEvent,
  changeFinishedEventSchema,
  changeFinishedStep,
} from '../core/drill/change-finished-step.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger } from '../shared/powertools.js';

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parser({ schema: changeFinishedEventSchema }))
  .use(runIdOnLogs((event: ChangeFinishedEvent) => event.plan.runId))
  .use(namedErrors())
  .handler((event) => changeFinishedStep(event, { log: logger }));
