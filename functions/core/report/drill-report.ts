import * as z from 'zod';
import type { WatchedShards } from '../drill/blast-radius.js';
import { costOf, type DrillCost } from '../drill/cost.js';
import { EVENT_TEXT } from '../drill/event-text.js';
import { FAULT_SOURCES, type FaultSourceName, sourceOf } from '../drill/faults/index.js';
import type { GroupClock } from '../drill/gather-groups.js';
import type { DrillPlan, DryRunPreview } from '../drill/plan.js';
import type { Recovery } from '../drill/recovery.js';
import type { ProfileVerification } from '../measure/clients/profile-verify.js';
import type { ProfileRun } from '../measure/clients/run.js';
import type { WriterSummary } from '../measure/summary.js';
import type { Verification } from '../measure/verify.js';
import type { DurabilityMetricData } from './durability-metrics.js';
import { globalViewOf } from './global-view.js';
import { buildReport, type DurabilityMetrics, type FailoverEvent, type Report } from './report.js';
import type { Trend } from './trend.js';

/** A Catch clause's output: `{ Error, Cause }`; Lambda puts a JSON document in Cause. */
const caughtSchema = z.object({ Error: z.string(), Cause: z.unknown().optional() });
type Caught = z.infer<typeof caughtSchema>;

/** The state machine's state when it reaches Report, on the success path and on every failure path. */
export const drillStateSchema = z
  .object({
    request: z.unknown(),
    execution: z.string(),
    plan: z.unknown().optional(),
    // The third: the fan-out's group references (issue 26), when the shard writers fanned out.
    results: z.tuple([z.unknown(), z.unknown()], z.unknown()).optional(),
    verification: z.unknown().optional(),
    cleanup: z.object({ deleted: z.number(), note: z.string().optional() }).optional(),
    lockReleased: z.object({ released: z.boolean(), reason: z.string() }).optional(),
    error: caughtSchema.optional(),
    /** fis-az-power: stopping the experiment or deleting its template failed on a failure path. */
    faultStopError: caughtSchema.optional(),
    cleanupError: caughtSchema.optional(),
    releaseLockError: caughtSchema.optional(),
    /** A durable group: GetMetricData's results for the drill's window (ReadDurabilityMetrics). */
    durabilityMetrics: z.unknown().optional(),
    durabilityMetricsError: caughtSchema.optional(),
  })
  .loose();
export type DrillState = z.infer<typeof drillStateSchema>;

export interface DrillReport extends Report {
  /** A dry run: Preflight judged every guardrail, nothing was touched; `preview` is what would happen. */
  dryRun: boolean;
  preview?: DryRunPreview;
  /** One line a person reads first; also the Step Functions Cause of a failed execution. */
  headline: string;
  drill: {
    executionName: string;
    replicationGroupId: string | null;
    nodeGroupId: string | null;
    fault: FaultSourceName | null;
  };
  cleanup: {
    deleted: number | null;
    lockReleased: boolean | null;
    note: string | null;
    errors: { name: string; message: string }[];
  };
  /** Where the JSON and HTML reports were stored. */
  files?: { json: string; html: string };
  /** This drill against the previous drills of the same node group in the report store. */
  trend?: Trend;
  /** Cluster mode: how many shards were watched (`shards[]` holds only those), how many not, and which. */
  blastRadius?: {
    chosen: WatchedShards['chosen'];
    watched: number;
    unwatched: number;
    shards: string[];
    /**
     * The writers' fan-out (issue 26), when they did not fit the probe's invocation: group 0 is the
     * probe's, each other group one invocation, with its clock's offset to the probe's.
     */
    fanOut?: { perInvocation: number; groups: GroupClock[] };
  };
  /** What this drill costs on AWS at list price for the blast radius it watched. */
  cost?: DrillCost;
}

/** `{ Error, Cause }` as a named error; Lambda's Cause is `{"errorType","errorMessage",…}` as JSON. */
export function caughtError(caught: Caught): Error {
  let message = typeof caught.Cause === 'string' ? caught.Cause : JSON.stringify(caught.Cause ?? '');
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // a plain-text cause
  }
  return Object.assign(new Error(message), { name: caught.Error });
}

/** The failover's control-plane events as the report's timeline takes them (T0 first). */
export function failoverEvents(
  recovery: Recovery,
  source: ReturnType<typeof sourceOf> | undefined,
): FailoverEvent[] {
  const events: FailoverEvent[] = [];
  const add = (kind: FailoverEvent['kind'], at: number | undefined, message?: string) => {
    if (at) events.push({ kind, atEpochMs: at, ...(message ? { message } : {}) });
  };
  add('requested', recovery.requestedAt, source?.report.requested ?? 'TestFailover requested');
  const kinds: [RegExp, FailoverEvent['kind']][] = [
    [EVENT_TEXT.failoverCompleted, 'completed'],
    [EVENT_TEXT.recovering, 'recovering'],
    [EVENT_TEXT.finishedRecovery, 'recoveryFinished'],
  ];
  for (const event of recovery.events) {
    const kind = kinds.find(([pattern]) => pattern.test(event.message))?.[1] ?? 'other';
    add(kind, event.at, `${event.source}: ${event.message}`);
  }
  // A planned change's progress goes on the timeline beside the writes.
  for (const reading of recovery.change?.progress ?? [])
    add('other', reading.at, `${recovery.change!.source}: ${reading.percent} %`);
  return events;
}

function dryRunHeadline(preview: DryRunPreview, where: string): string {
  const { expected } = preview;
  const fault = FAULT_SOURCES.find((s) => s.name === preview.fault)!.report.dryRun(preview);
  return (
    `DRY RUN ${where}: every guardrail holds; ${fault}; ` +
    `${expected.writes.atLeast}–${expected.writes.atMost} writes over ${expected.durationSeconds.atLeast}–${expected.durationSeconds.atMost} s`
  );
}

function headline(report: Report, where: string): string {
  const g = report.global;
  const lost = g
    ? `${g.rpo.lost} acknowledged writes lost from ${g.before.primaryRegion} to ${g.after.primaryRegion} (window ${Math.round(g.rpo.dataLossWindowMs)} ms)`
    : `${report.writes.lost} of ${report.writes.acknowledged} acknowledged writes lost`;
  const downtime = g
    ? `first write in ${g.after.primaryRegion} ${g.rto.firstWriteOkMs === null ? 'never acknowledged' : `${Math.round(g.rto.firstWriteOkMs)} ms after the request`}`
    : `downtime ${Math.round(report.downtime.ms)} ms`;
  switch (report.verdict) {
    case 'pass':
      return `PASS ${where}: ${lost}; ${downtime}`;
    case 'fail':
      return `FAIL ${where}: ${report.violations.map((v) => v.message).join('; ')} (${lost}; ${downtime})`;
    default:
      return `ERROR ${where}: ${report.error?.name}: ${report.error?.message}`;
  }
}

/** What the Report step learnt from the control plane beside the state. */
export interface ReportFacts {
  /** TestFailover's event for the plan's node group (epoch ms), when the fault branch's output was lost. */
  failoverCalledAt?: number;
  /** CloudWatch's durability metrics over the drill's window (a durable group only). */
  durabilityMetrics?: DurabilityMetrics | null;
}

/** The drill's report from the state machine's state. Pure: the Report step stores and sends it. */
export function drillReport(state: DrillState, facts: ReportFacts = {}): DrillReport {
  const plan = state.plan as DrillPlan | undefined;
  const source = plan ? sourceOf(plan.request.fault) : undefined;
  const [written, branch] = (state.results ?? []) as [WriterSummary?, Recovery?];
  // A region failover is measured by RegionFailover's own probe: the probe writer and Verify stood aside.
  const global = globalViewOf(branch);
  const summary = plan?.global ? undefined : written;
  const recovery = plan?.global ? undefined : branch;
  const request = (plan?.request ?? state.request) as { replicationGroupId?: unknown; thresholds?: unknown };
  const verification = (plan?.global ? undefined : state.verification) as
    | (Verification & { clients?: ProfileVerification[]; shards?: ProfileVerification[] })
    | undefined;
  const runs = (summary as { clients?: ProfileRun[] } | undefined)?.clients;
  const shardRuns = (summary as { shards?: ProfileRun[] } | undefined)?.shards;
  const report = buildReport({
    summary,
    verification,
    clients: runs ? { runs, verifications: verification?.clients } : undefined,
    shards: shardRuns
      ? {
          runs: shardRuns,
          verifications: verification?.shards,
          failedOver: plan?.target.nodeGroupId ?? null,
        }
      : undefined,
    // An invalid request has no usable thresholds; the verdict is then 'error' anyway.
    thresholds: plan?.request.thresholds,
    failover: recovery
      ? {
          triggered: source?.report.injects === true && recovery.requestedAt > 0,
          from: recovery.from,
          to: recovery.to,
          events: failoverEvents(recovery, source),
        }
      : facts.failoverCalledAt !== undefined
        ? {
            triggered: true,
            events: [
              {
                kind: 'requested',
                atEpochMs: facts.failoverCalledAt,
                message: `${plan?.target.replicationGroupId}: Test Failover API called for node group ${plan?.target.nodeGroupId}`,
              },
            ],
          }
        : { triggered: global !== undefined },
    change: recovery?.change,
    ...(plan?.durability
      ? {
          durability: {
            setting: plan.durability,
            metrics: facts.durabilityMetrics,
            metricData: (state.durabilityMetrics as DurabilityMetricData | undefined)?.MetricDataResults,
          },
        }
      : {}),
    error: state.error ? caughtError(state.error) : undefined,
    ...(global ? { global } : {}),
  });
  const groupId =
    plan?.target.replicationGroupId ??
    (typeof request.replicationGroupId === 'string' ? request.replicationGroupId : null);
  const nodeGroupId = plan?.target.nodeGroupId ?? null;
  const where = [groupId ?? 'unknown group', nodeGroupId].filter(Boolean).join('/');
  const preview = report.verdict === 'error' ? undefined : plan?.dryRun;
  const deleted = state.cleanup?.deleted ?? 0;
  // The writer ran, but its summary went with the failed Parallel: say so, not "no writes were made".
  // A region failover measures with its own cross-region probe: its figures are report.global's.
  if (!summary && deleted > 0 && global)
    report.disruption.note = `a region failover, measured by the cross-region probe (below); Cleanup deleted the ${deleted} keys it wrote`;
  else if (!summary && deleted > 0)
    report.disruption.note = `the writer's summary was lost with the failed drill; Cleanup deleted the ${deleted} keys it wrote`;
  return {
    ...report,
    runId: report.runId ?? plan?.runId ?? state.execution,
    headline: preview ? dryRunHeadline(preview, where) : headline(report, where),
    dryRun: plan?.request.dryRun ?? false,
    ...(preview ? { preview } : {}),
    ...(plan?.watched
      ? {
          blastRadius: {
            chosen: plan.watched.chosen,
            watched: plan.watched.watched.length,
            unwatched: plan.watched.unwatched,
            shards: plan.watched.watched,
            ...fanOutOf(plan, summary),
          },
        }
      : {}),
    ...(plan?.request ? { cost: costOf(plan.request, plan.watched) } : {}),
    drill: {
      executionName: state.execution,
      replicationGroupId: groupId,
      nodeGroupId,
      fault: source?.name ?? null,
    },
    cleanup: {
      deleted: state.cleanup?.deleted ?? null,
      lockReleased: state.lockReleased?.released ?? null,
      note: state.cleanup?.note ?? state.lockReleased?.reason ?? null,
      errors: [state.faultStopError, state.cleanupError, state.releaseLockError]
        .filter((e): e is Caught => e !== undefined)
        .map((e) => {
          const error = caughtError(e);
          return { name: error.name, message: error.message };
        }),
    },
  };
}

/** The fan-out's groups as the Write step stated them (the probe's own first); none without a fan-out. */
function fanOutOf(
  plan: DrillPlan,
  summary: unknown,
): { fanOut?: { perInvocation: number; groups: GroupClock[] } } {
  if (!plan.shardGroups) return {};
  const stated = (summary as { shardGroups?: GroupClock[] } | undefined)?.shardGroups ?? [];
  const probe: GroupClock = {
    group: 0,
    writers: plan.shardGroups.probe?.length ?? 0,
    clockOffsetMs: 0,
    withinMs: 0,
  };
  return { fanOut: { perInvocation: plan.shardGroups.perInvocation, groups: [probe, ...stated] } };
}
