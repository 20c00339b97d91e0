import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import * as z from 'zod';
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

/** What an execution's history says: the plan Preflight accepted, and whether its own clean-up completed. */
export async function executionFacts(
  sfn: SFNClient,
  executionArn: string,
): Promise<{ plan?: DrillPlan; cleanedUp: boolean }> {
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
      if (name === PREFLIGHT_STATE || name === RELEASE_LOCK_STATE) exited.set(name, event);
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
  return { plan: plan.success ? plan.data : undefined, cleanedUp };
}

export interface Reaped {
  executionArn: string;
  status: string;
  reaped: boolean;
  note: string;
  deleted?: number;
  lockReleased?: boolean;
}

export interface ReapDeps {
  sfn: SFNClient;
  /** Cleanup as the state machine runs it, on the plan alone: stop marker, wait out the writer, delete. */
  cleanup: (event: { execution: string; plan: DrillPlan }) => Promise<{ deleted: number }>;
  releaseLock: (plan: DrillPlan) => Promise<{ released: boolean; reason: string }>;
}

/**
 * Cleans up after an execution that ended, however it ended: the same Cleanup the state machine runs
 * (so the writer of an abandoned branch stops at the marker and the run's keys go), then the lock.
 * Idempotent: after the execution's own Cleanup there is nothing left to delete and no lock of this run.
 *
 * fis-az-power: an abandoned execution's FIS experiment is not stopped here. It ends by itself after its
 * duration, which the request bounds under recovery.maxWaitSeconds (at most an hour), and power returns;
 * stopping it would need FIS in this function, which has no FIS client (docs/drill.md, fault source
 * fis-az-power). The note says so.
 */
export async function reap(event: ExecutionStatusChange, deps: ReapDeps): Promise<Reaped> {
  const { executionArn, status, name } = event.detail;
  const base = { executionArn, status };
  if (!(REAPED_STATUSES as readonly string[]).includes(status))
    return { ...base, reaped: false, note: `nothing to reap: the execution ${status.toLowerCase()}` };
  const { plan, cleanedUp } = await executionFacts(deps.sfn, executionArn);
  if (!plan) return { ...base, reaped: false, note: 'nothing to reap: Preflight accepted no plan' };
  if (plan.dryRun) return { ...base, reaped: false, note: 'nothing to reap: a dry run touches nothing' };
  if (cleanedUp)
    return { ...base, reaped: false, note: 'nothing to reap: the execution cleaned up after itself' };
  const reaped = await reapPlan(name, plan, deps);
  const fault = plan.request.fault;
  if (typeof fault === 'object')
    reaped.note += `; the FIS experiment of ${plan.fis?.availabilityZone ?? 'its zone'} ends by itself within its duration ${fault.duration} (not stopped by the reaper)`;
  return { ...base, ...reaped };
}

/** Cleanup on the plan alone (the writer may still run: stop marker first), then the lock if still ours. */
export async function reapPlan(
  execution: string,
  plan: DrillPlan,
  deps: Pick<ReapDeps, 'cleanup' | 'releaseLock'>,
): Promise<Pick<Reaped, 'reaped' | 'note' | 'deleted' | 'lockReleased'>> {
  const { deleted } = await deps.cleanup({ execution, plan });
  const lock = await deps.releaseLock(plan);
  return { reaped: true, note: lock.reason, deleted, lockReleased: lock.released };
}
