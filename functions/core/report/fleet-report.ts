/**
 * The fleet's summary: one row per target (from the target's own stored report), the fleet's verdict
 * (the worst of its targets), and the refusals the plan made up front.
 */
import * as z from 'zod';
import { errorInfo } from '../../shared/errors.js';
import type { ReportStore } from '../../shared/report-store.js';
import type { FleetPlan } from '../drill/fleet.js';
import type { WriteCounts } from '../measure/counts.js';
import { caughtError, type DrillReport } from './drill-report.js';
import type { Verdict } from './report.js';

const caughtSchema = z.object({ Error: z.string(), Cause: z.unknown().optional() });

/** One nested drill as the Map returns it: the execution's status, or the error the Map caught. */
const targetResultSchema = z
  .object({ runId: z.string(), status: z.string().optional(), error: caughtSchema.optional() })
  .loose();

/** The fleet state machine's state when it reaches FleetReport, on every path. */
export const fleetStateSchema = z
  .object({
    request: z.unknown(),
    execution: z.string(),
    plan: z.unknown().optional(),
    /** Per group, per node group: the Map's output. */
    results: z.array(z.array(targetResultSchema)).optional(),
    error: caughtSchema.optional(),
  })
  .loose();
export type FleetState = z.infer<typeof fleetStateSchema>;

export interface FleetTargetRow {
  replicationGroupId: string;
  nodeGroupId: string;
  runId: string;
  verdict: Verdict;
  writes: Pick<WriteCounts, 'acknowledged' | 'lost'>;
  downtime: { ms: number };
  error: { name: string; message: string } | null;
  /** The target's own report, where the report store keeps it (null when it has none). */
  report: { json: string; html: string } | null;
  trend: { previous: number; regression: boolean | null } | null;
  /** Refused by the plan (the TestFailover budget): never started. */
  refused: boolean;
  /** A durable group's mode, whether it kept its promise and what it cost a write: side by side across groups. */
  durability?: FleetDurability;
  /** Every drilled group's durability mode beside its write latency before the fault (absent: no report). */
  writeLatency?: FleetWriteLatency;
}

/**
 * The mode and what a write cost under it. A fleet's drills read the group's Durability in preflight, so a
 * report without durability is a group without it: `disabled`.
 */
export interface FleetWriteLatency {
  durability: string;
  p50: number | null;
  p99: number | null;
}

export interface FleetDurability {
  mode: string | null;
  kept: boolean | null;
  rejectedWrites: number;
  writeLatency: { p50: number | null; p99: number | null; p999: number | null };
}

/** The row's mode and write latency before the fault; absent when the report has no latency (an old one). */
export function fleetWriteLatencyOf(
  report: Pick<DrillReport, 'durability'> & { latency?: Pick<DrillReport['latency'], 'before'> },
): { writeLatency?: FleetWriteLatency } {
  const before = report.latency?.before;
  if (!before) return {};
  const d = report.durability;
  const durability = d ? (d.effective ?? d.configured ?? 'unknown') : 'disabled';
  return { writeLatency: { durability, p50: before.p50, p99: before.p99 } };
}

/** The row's durability from the drill's report (absent: the group is not durable, or its mode unknown). */
export function fleetDurabilityOf(durability: DrillReport['durability']): { durability?: FleetDurability } {
  if (!durability) return {};
  const { p50, p99, p999 } = durability.writeLatency;
  return {
    durability: {
      mode: durability.effective ?? durability.configured,
      kept: durability.kept,
      rejectedWrites: durability.rejectedWrites.count,
      writeLatency: { p50, p99, p999 },
    },
  };
}

export interface FleetReport {
  version: 1;
  kind: 'fleet';
  verdict: Verdict;
  runId: string;
  headline: string;
  targets: FleetTargetRow[];
  counts: Record<Verdict, number>;
  budget: FleetPlan['budget'];
  maxConcurrency: number | null;
  /** The fleet itself was refused or failed (bad input, the plan, the Map). */
  error: { name: string; message: string } | null;
  files?: { json: string; html: string };
}

const RANK: Record<Verdict, number> = { pass: 0, fail: 1, error: 2 };
export const worstVerdict = (verdicts: Verdict[]): Verdict =>
  verdicts.reduce<Verdict>((worst, v) => (RANK[v] > RANK[worst] ? v : worst), 'pass');

function rowOf(
  planned: { replicationGroupId: string; nodeGroupId: string; runId: string },
  report: DrillReport | undefined,
  caught: { Error: string; Cause?: unknown } | undefined,
): FleetTargetRow {
  const { replicationGroupId, nodeGroupId, runId } = planned;
  const target = { replicationGroupId, nodeGroupId, runId };
  if (report) {
    return {
      ...target,
      verdict: report.verdict,
      writes: { acknowledged: report.writes.acknowledged, lost: report.writes.lost },
      downtime: { ms: report.downtime.ms },
      error: report.error ?? null,
      report: report.files ?? null,
      trend: report.trend ? { previous: report.trend.previous, regression: report.trend.regression } : null,
      refused: false,
      ...fleetDurabilityOf(report.durability),
      ...fleetWriteLatencyOf(report),
    };
  }
  // No report stored: the nested execution failed before its Report step, or never started.
  const error = caught
    ? errorInfo(caughtError(nestedCause(caught)))
    : { name: 'FleetReportError', message: `no report stored for ${target.runId}` };
  return {
    ...target,
    verdict: 'error',
    writes: { acknowledged: 0, lost: 0 },
    downtime: { ms: 0 },
    error,
    report: null,
    trend: null,
    refused: false,
  };
}

/** A failed `.sync` task's Cause is the nested execution described as JSON: its own error comes first. */
function nestedCause(caught: { Error: string; Cause?: unknown }): { Error: string; Cause?: unknown } {
  if (typeof caught.Cause !== 'string') return caught;
  try {
    const described = JSON.parse(caught.Cause) as { Error?: unknown; Cause?: unknown };
    if (typeof described.Error === 'string') return { Error: described.Error, Cause: described.Cause };
  } catch {
    // a plain-text cause
  }
  return caught;
}

function headline(report: Omit<FleetReport, 'headline'>): string {
  const n = report.targets.length;
  if (report.error) return `ERROR fleet ${report.runId}: ${report.error.name}: ${report.error.message}`;
  const { pass, fail, error } = report.counts;
  const lost = report.targets.reduce((sum, t) => sum + t.writes.lost, 0);
  const tally = `${pass} of ${n} targets passed, ${fail} failed, ${error} errored; ${lost} acknowledged writes lost`;
  return `${report.verdict.toUpperCase()} fleet ${report.runId}: ${tally}`;
}

/**
 * The fleet's summary from its state: each planned target's row from the report its drill stored
 * (or from the error the Map caught), each refused target as an error row, and the fleet's verdict.
 */
export async function fleetReport(state: FleetState, store: ReportStore): Promise<FleetReport> {
  const plan = state.plan as FleetPlan | undefined;
  const runId = plan?.runId ?? state.execution;
  const results = new Map((state.results ?? []).flat().map((r) => [r.runId, r]));
  const planned = (plan?.groups ?? []).flatMap((g) => g.targets);
  const rows = await Promise.all(
    planned.map(async (t) => {
      const result = results.get(t.runId);
      const report = (await store.load(t.runId)) as DrillReport | undefined;
      return rowOf(t, report, result?.error ?? (result ? undefined : state.error));
    }),
  );
  for (const refused of plan?.refused ?? []) {
    rows.push({
      replicationGroupId: refused.replicationGroupId,
      nodeGroupId: refused.nodeGroupId,
      runId: refused.runId,
      verdict: 'error',
      writes: { acknowledged: 0, lost: 0 },
      downtime: { ms: 0 },
      error: { name: refused.error.name, message: `${refused.error.guardrail}: ${refused.error.message}` },
      report: null,
      trend: null,
      refused: true,
    });
  }
  const error = state.error && !plan ? errorInfo(caughtError(state.error)) : null;
  const counts: Record<Verdict, number> = { pass: 0, fail: 0, error: 0 };
  for (const row of rows) counts[row.verdict]++;
  const verdict: Verdict = error || rows.length === 0 ? 'error' : worstVerdict(rows.map((r) => r.verdict));
  const report = {
    version: 1 as const,
    kind: 'fleet' as const,
    verdict,
    runId,
    targets: rows,
    counts,
    budget: plan?.budget ?? null,
    maxConcurrency: plan?.maxConcurrency ?? null,
    error,
  };
  return { ...report, headline: headline(report) };
}

/** A row's mode beside its write p50/p99: its own figures, or a durable row's (rows built before either). */
export function writeCostOf(
  t: Pick<FleetTargetRow, 'durability' | 'writeLatency'>,
): FleetWriteLatency | null {
  if (t.writeLatency) return t.writeLatency;
  const d = t.durability;
  return d ? { durability: d.mode ?? 'unknown', p50: d.writeLatency.p50, p99: d.writeLatency.p99 } : null;
}

const ms = (value: number | null) => (value === null ? 'n/a' : String(value));

/** A target's mode, write p50/p99 and, if durable, its promise, so that groups of different modes read side by side. */
function durabilityText(t: FleetTargetRow): string {
  const cost = writeCostOf(t);
  if (!cost) return '';
  const write = `write p50 ${ms(cost.p50)} / p99 ${ms(cost.p99)} ms`;
  const d = t.durability;
  if (!d) return `; durability ${cost.durability}, ${write}`;
  const promise = d.kept === null ? 'promise not judged' : d.kept ? 'promise kept' : 'PROMISE BROKEN';
  return `; durability ${cost.durability}, ${write}, ${promise}, ${d.rejectedWrites} rejected`;
}

/** The fleet summary as text: the headline, then one line per target. */
export function formatFleetReport(report: FleetReport, title: string): string {
  const lines = [`${title}: ${report.verdict.toUpperCase()}`, `  ${report.headline}`];
  if (report.budget) {
    lines.push(
      `  budget           TestFailover used ${report.budget.usedLast24h} of ${report.budget.limit} in the last 24 h; this fleet planned ${report.budget.planned}`,
    );
  }
  for (const t of report.targets) {
    const what = t.error
      ? `${t.error.name}: ${t.error.message}`
      : `lost ${t.writes.lost} of ${t.writes.acknowledged}, downtime ${Math.round(t.downtime.ms)} ms${durabilityText(t)}`;
    lines.push(
      `  ${t.verdict.toUpperCase().padEnd(5)} ${`${t.replicationGroupId}/${t.nodeGroupId}`.padEnd(28)} ${what}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
