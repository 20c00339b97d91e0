/**
 * What a local execution stopped midway (Ctrl-C) had measured, for its report: the writer's summary so far
 * and whether the fault had been called. The summary is the writer's own, exact: the Write state's output
 * when it had ended, otherwise what its invocation returns once Cleanup's halt marker has stopped it (the
 * execution stopped, the invocation runs on in this process, as it would in Lambda).
 */
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { failoverCalledAt } from '../functions/core/drill/events.js';
import type { DrillPlan } from '../functions/core/drill/plan.js';
import type { DrillState, ReportFacts } from '../functions/core/report/drill-report.js';
import type { LocalCloud } from './cloud.js';
import type { ExecutionOutcome, LocalStateMachine } from './stepfunctions/runner.js';

/** The Task state whose output is the writer's summary. */
const WRITE_STATE = 'Write';
/** How long a stopped writer is given to return its summary after Cleanup (it stops within a poll). */
const WRITER_RETURN_MS = 10_000;

/** A stopped run's state as the Report step would see it (no error: the caller names the interruption). */
export interface StoppedRun {
  state: DrillState;
  facts: ReportFacts;
}

/**
 * Keeps the Write Task's latest invocation of `machine` (call before the execution starts); the function
 * returned resolves to what it returned, or undefined when it failed, was never made or took too long.
 */
export function keepWriterInvocation(machine: LocalStateMachine): () => Promise<unknown> {
  const write = machine.handlers[WRITE_STATE];
  let writing: Promise<unknown> | undefined;
  if (write)
    machine.handlers[WRITE_STATE] = (event) => {
      const invocation = write(event);
      writing = invocation;
      return invocation;
    };
  return async () => {
    if (!writing) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, WRITER_RETURN_MS, undefined);
    });
    try {
      return await Promise.race([writing.catch(() => undefined), late]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * The state of an execution stopped after Preflight and reaped: its plan, the writer's summary so far (no
 * recovery, no verification), what Cleanup did; and, from the control plane, whether TestFailover was called.
 */
export async function stoppedRun(
  runId: string,
  input: unknown,
  outcome: ExecutionOutcome,
  reaped: { deleted?: number; lockReleased?: boolean; note: string },
  writer: () => Promise<unknown>,
  cloud: LocalCloud,
): Promise<StoppedRun> {
  const plan = (outcome.outputs.Preflight as { plan?: DrillPlan } | undefined)?.plan;
  const summary = outcome.outputs[WRITE_STATE] ?? (await writer());
  let facts: ReportFacts = {};
  if (plan?.request.fault === 'test-failover') {
    const elastiCache = new ElastiCacheClient({
      endpoint: cloud.endpoint,
      region: cloud.region,
      credentials: cloud.credentials,
    });
    try {
      facts = { failoverCalledAt: await failoverCalledAt(plan, elastiCache) };
    } catch {
      // Not known: the report says what the writer saw.
    } finally {
      elastiCache.destroy();
    }
  }
  return {
    state: {
      request: input,
      execution: runId,
      plan,
      ...(summary ? { results: [summary, undefined] as [unknown, unknown] } : {}),
      cleanup: { deleted: reaped.deleted ?? 0, note: reaped.note },
      ...(reaped.lockReleased !== undefined
        ? { lockReleased: { released: reaped.lockReleased, reason: reaped.note } }
        : {}),
    },
    facts,
  };
}
