import {
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import * as z from 'zod';
import { FaultStopError } from '../../shared/errors.js';
import { FAULT_SOURCES, faultSource } from './faults/index.js';
import { type DrillPlan, drillPlanSchema } from './plan.js';

/** The statuses of an execution that may have ended without its own Cleanup. */
export const REAPED_STATUSES = ['ABORTED', 'TIMED_OUT', 'FAILED'] as const;

/** EventBridge's "Step Functions Execution Status Change" event, the fields the reaper reads. */
export const executionStatusChangeSchema = z.looseObject({
  source: z.literal('aws.states'),
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.looseObject({
    executionArn: z.string().min(1),
    stateMachineArn: z.string().min(1),
    name: z.string().min(1),
    status: z.string(),
  }),
});
export type ExecutionStatusChange = z.infer<typeof executionStatusChangeSchema>;

/** The state whose output carries the plan (ResultPath `$.plan`). */
const PREFLIGHT_STATE = 'Preflight';
/** A drill's history is under 200 events; Step Functions caps one at 25,000. */
const HISTORY_PAGES_MAX = 25;

/** The state that ends the execution's own clean-up path (it follows Cleanup on every path). */
const RELEASE_LOCK_STATE = 'ReleaseLock';
/** The fault sources that may leave something to undo, each with the state whose output names it. */
const UNDOS = FAULT_SOURCES.flatMap((s) => (s.undo ? [s.undo] : []));
const STATES_READ = new Set([PREFLIGHT_STATE, RELEASE_LOCK_STATE, ...UNDOS.map((u) => u.state)]);

export interface ExecutionFacts {
  plan?: DrillPlan;
  /** Its own clean-up completed: past ReleaseLock with no error caught by Cleanup or by itself. */
  cleanedUp: boolean;
  /**
   * fis-az-power: the run's experiment template, when one was created and the execution did not itself
   * get past stopping its experiments (ReleaseLock reached with no `faultStopError`).
   */
  faultTemplateLeft?: string;
}

/** What an execution's history says: the plan Preflight accepted, its own clean-up, its fault's. */
export async function executionFacts(sfn: SFNClient, executionArn: string): Promise<ExecutionFacts> {
  let nextToken: string | undefined;
  const exited = new Map<string, HistoryEvent>();
  for (let page = 0; page < HISTORY_PAGES_MAX; page++) {
    const out = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        maxResults: 1000,
        nextToken,
        includeExecutionData: true,
      }),
    );
    for (const event of out.events ?? []) {
      const name = event.stateExitedEventDetails?.name;
      if (name && STATES_READ.has(name)) exited.set(name, event);
    }
    nextToken = out.nextToken;
    if (!nextToken) break;
  }
  const output = (state: string) => {
    const text = exited.get(state)?.stateExitedEventDetails?.output;
    return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  };
  const plan = drillPlanSchema.safeParse(output(PREFLIGHT_STATE)?.plan);
  const released = output(RELEASE_LOCK_STATE);
  // Past ReleaseLock with no error caught by Cleanup or by itself, nothing is left to do.
  const cleanedUp =
    released !== undefined && released.cleanupError === undefined && released.releaseLockError === undefined;
  const faultTemplateLeft = faultLeft(output, released);
  return { plan: plan.success ? plan.data : undefined, cleanedUp, faultTemplateLeft };
}

/**
 * What a run's fault source left to undo, read from the outputs of the states the sources name (`output`)
 * and ReleaseLock's (`released`, absent when the execution never reached it). A run has one source: at most
 * one of them finds something.
 */
export function faultLeft(
  output: (state: string) => Record<string, unknown> | undefined,
  released?: Record<string, unknown>,
): string | undefined {
  return UNDOS.map((u) => u.left(output(u.state), released)).find(Boolean);
}

/** What the stop-fault state machine found: each experiment of the template, as it was (`stopping`: stopped). */
export interface FaultStopped {
  templateId: string;
  experiments: { id: string; status: string }[];
}

/**
 * fis-az-power, power back for an execution that ended without it: the stop-fault state machine
 * (statemachines/failover-drill-stop-fault.asl.json, EXPRESS), run to its end with StartSyncExecution —
 * the one copy of "stop the run's experiments, delete its template", which the drill runs on its own
 * failure paths. Anything but SUCCEEDED is FaultStopError.
 */
export async function stopFault(
  sfn: SFNClient,
  stateMachineArn: string,
  templateId: string,
): Promise<FaultStopped> {
  const out = await sfn.send(
    new StartSyncExecutionCommand({ stateMachineArn, input: JSON.stringify({ templateId }) }),
  );
  if (out.status !== 'SUCCEEDED')
    throw new FaultStopError(
      `the experiments of template ${templateId} were not stopped (${out.status}): ${out.error}: ${out.cause}`,
    );
  return JSON.parse(out.output ?? '{}') as FaultStopped;
}

export interface Reaped {
  executionArn: string;
  status: string;
  reaped: boolean;
  note: string;
  deleted?: number;
  lockReleased?: boolean;
  /** fis-az-power: the experiments it stopped (`stopping`) or found ended. */
  fault?: FaultStopped;
}

export interface ReapDeps {
  sfn: SFNClient;
  /** Cleanup as the state machine runs it, on the plan alone: halt marker, wait out the writer, delete. */
  cleanup: (event: { execution: string; plan: DrillPlan }) => Promise<{ deleted: number }>;
  releaseLock: (plan: DrillPlan) => Promise<{ released: boolean; reason: string }>;
  /** fis-az-power: stops the template's experiments still running and deletes it (`stopFault`). */
  stopFault: (templateId: string) => Promise<FaultStopped>;
}

/**
 * Cleans up after an execution that ended, however it ended: fis-az-power's experiment stopped first (power
 * back before anything else), then the same Cleanup the state machine runs (so the writer of an abandoned
 * branch stops at the marker and the run's keys go), then the lock. Idempotent with the execution's own.
 * When the experiment could not be stopped, the rest is still cleaned up and the reaper then fails with
 * FaultStopError, so that it is invoked again (Lambda retries a failed asynchronous invocation, twice by default).
 */
export async function reap(event: ExecutionStatusChange, deps: ReapDeps): Promise<Reaped> {
  const { executionArn, status, name } = event.detail;
  const base = { executionArn, status };
  if (!(REAPED_STATUSES as readonly string[]).includes(status))
    return { ...base, reaped: false, note: `nothing to reap: the execution ${status.toLowerCase()}` };
  const { plan, cleanedUp, faultTemplateLeft } = await executionFacts(deps.sfn, executionArn);
  if (!plan) return { ...base, reaped: false, note: 'nothing to reap: Preflight accepted no plan' };
  if (plan.dryRun) return { ...base, reaped: false, note: 'nothing to reap: a dry run touches nothing' };
  if (cleanedUp && !faultTemplateLeft)
    return { ...base, reaped: false, note: 'nothing to reap: the execution cleaned up after itself' };
  return { ...base, ...(await reapRun(name, { plan, cleanedUp, faultTemplateLeft }, deps)) };
}

/**
 * What is left of a run, cleaned up: its experiment stopped (power back before anything else), then its
 * keys and lock unless it had cleaned them up itself. When the experiment could not be stopped the rest is
 * still done, then the error is thrown.
 */
export async function reapRun(
  execution: string,
  facts: Required<Pick<ExecutionFacts, 'plan'>> & Omit<ExecutionFacts, 'plan'>,
  deps: Pick<ReapDeps, 'cleanup' | 'releaseLock' | 'stopFault'>,
): Promise<Pick<Reaped, 'reaped' | 'note' | 'deleted' | 'lockReleased' | 'fault'>> {
  const { plan, cleanedUp, faultTemplateLeft } = facts;
  let fault: FaultStopped | undefined;
  let faultError: unknown;
  if (faultTemplateLeft) {
    try {
      fault = await deps.stopFault(faultTemplateLeft);
    } catch (error) {
      faultError = error;
    }
  }
  const reaped = cleanedUp
    ? { reaped: true, note: 'the execution had cleaned up its keys and lock' }
    : await reapPlan(execution, plan, deps);
  if (faultError) throw faultError;
  const undo = FAULT_SOURCES.find((s) => s.name === faultSource(plan.request.fault))?.undo;
  if (fault && undo) reaped.note += `; ${undo.note(fault, plan)}`;
  return { ...reaped, fault };
}

/** Cleanup on the plan alone (the writer may still run: halt marker first), then the lock if still ours. */
export async function reapPlan(
  execution: string,
  plan: DrillPlan,
  deps: Pick<ReapDeps, 'cleanup' | 'releaseLock'>,
): Promise<Pick<Reaped, 'reaped' | 'note' | 'deleted' | 'lockReleased'>> {
  const { deleted } = await deps.cleanup({ execution, plan });
  const lock = await deps.releaseLock(plan);
  return { reaped: true, note: lock.reason, deleted, lockReleased: lock.released };
}
