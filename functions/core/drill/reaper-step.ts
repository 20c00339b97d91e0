/**
 * The reaper's step: EventBridge's target for drill executions that were stopped, timed out or failed.
 * It wires `reap` (reap.ts) to AWS: Cleanup invoked as a Lambda function (in the VPC, where the data
 * plane is), the lock, and the stop-fault state machine. The Reaper handler is middy wiring around
 * `reaperStep`.
 */
import type { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { StepLog } from '../../shared/powertools.js';
import type { ElastiCacheIn } from './global-preflight.js';
import { type ExecutionStatusChange, type Reaped, reap, stopFault } from './reap.js';
import { releaseLock } from './release-lock.js';

export interface ReaperStepDeps {
  sfn: SFNClient;
  lambda: () => LambdaClient;
  elastiCache: () => ElastiCacheClient;
  /** A client signing for another region: a region failover's lock is on its secondary member too. */
  elastiCacheIn?: ElastiCacheIn;
  /** CLEANUP_FUNCTION_NAME and FAULT_STOP_STATE_MACHINE_ARN, read when first needed. */
  env: NodeJS.ProcessEnv;
  /** Where the step's log lines go (the handler's logger). */
  log: StepLog;
}

export async function reaperStep(event: ExecutionStatusChange, deps: ReaperStepDeps): Promise<Reaped> {
  const reaped = await reap(event, {
    sfn: deps.sfn,
    cleanup: (payload) => invokeCleanup(deps.lambda(), required(deps.env, 'CLEANUP_FUNCTION_NAME'), payload),
    releaseLock: (plan) => releaseLock(plan, deps.elastiCache(), deps.elastiCacheIn),
    stopFault: (templateId) =>
      stopFault(deps.sfn, required(deps.env, 'FAULT_STOP_STATE_MACHINE_ARN'), templateId),
  });
  deps.log.info('reaped', { ...reaped });
  return reaped;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Invokes the Cleanup function and returns what it returned; its error keeps its name. */
async function invokeCleanup(
  lambda: LambdaClient,
  FunctionName: string,
  event: unknown,
): Promise<{ deleted: number }> {
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
