import type { MiddlewareObj } from '@middy/core';
import { namedAwsError } from './aws.js';
import { logger } from './powertools.js';

/** Puts the drill's run id on every log line of the invocation. */
export function runIdOnLogs<TEvent>(runId: (event: TEvent) => string | undefined): MiddlewareObj<TEvent> {
  return {
    before: (request) => {
      const id = runId(request.event);
      if (id) logger.appendKeys({ runId: id });
    },
  };
}

/**
 * Logs a failure once and gives it the name the state machine acts on: throttling becomes
 * AwsThrottledError (retried); every other error keeps its own name (AWS fault or ours).
 */
export function namedErrors(): MiddlewareObj {
  return {
    onError: (request) => {
      request.error = namedAwsError(request.error) as Error;
      logger.error('step failed', { error: request.error });
    },
  };
}
