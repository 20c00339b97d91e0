/**
 * The report: one definition of what every command prints, stores and gates on. Built from plain data
 * (the writer's summary, the verification, the control plane's failover events), so that a Lambda, the
 * CLI and the local cloud all produce the same thing. After Jepsen's checkers: `buildReport` composes
 * small pure checkers, each of which returns one part — the figures, the clients, the shards, the charts'
 * data, the violations and the verdict.
 */

import type { Change } from '../drill/change.js';
import type { WriterSummary } from '../measure/summary.js';
import { type Thresholds, type ThresholdsInput, thresholdsSchema } from '../measure/thresholds.js';
import type { Verification } from '../measure/verify.js';
import { type ChangeView, changeViewOf } from './change-view.js';
import { type ChartData, chartDataOf } from './chart-data.js';
import { type ClientView, clientViewsOf, type ProfileRuns } from './client-views.js';
import {
  type DurabilityInput,
  type DurabilityReport,
  durabilityOf,
  durabilityViolationsOf,
} from './durability.js';
import { type GlobalView, globalViolationsOf } from './global-view.js';
import { type FailoverInput, type ProbeFigures, probeFiguresOf, t0EpochMsOf } from './probe-figures.js';
import { changeRedirectionsOf } from './redirection-view.js';
import { collateralOf, type ShardRuns, type ShardView, shardViewsOf } from './shard-views.js';
import { type ReportError, reportErrorOf, type Verdict, verdictOf } from './verdict.js';
import { reportViolationsOf, type Violation } from './violations.js';

export type { ReportTimeline } from './chart-data.js';
export type { ClientView } from './client-views.js';
export type { DurabilityInput, DurabilityMetrics, DurabilityReport } from './durability.js';
export type { FailoverEvent, FailoverInput } from './probe-figures.js';
export type { ShardView } from './shard-views.js';
export type { Verdict } from './verdict.js';

export interface BuildReportInput {
  summary?: WriterSummary;
  verification?: Verification;
  thresholds?: ThresholdsInput;
  failover?: FailoverInput;
  /** Client profiles that ran beside the probe, and their read-back (absent: not verified). */
  clients?: ProfileRuns;
  /** Cluster mode: a writer on every shard, and which node group was failed over. */
  shards?: ShardRuns;
  /** A planned change (faults/reshard.ts): its request, progress and the group before and after. */
  change?: Change;
  /** A durable group's mode (read in Preflight, or declared) and CloudWatch's metrics: its promise is judged. */
  durability?: DurabilityInput;
  error?: unknown;
  /** global-failover: the RegionFailover step's figures (report.global). */
  global?: GlobalView;
}

/** Each part is one checker's: the probe's figures, the charts' data, and the parts below. */
export interface Report extends ProbeFigures, ChartData {
  version: 1;
  verdict: Verdict;
  thresholds: Thresholds;
  violations: Violation[];
  /** What each client profile saw, beside the probe (times from T0 when there was one). */
  clients: ClientView[];
  /** Cluster mode: every shard's view (the blast radius); empty with one shard or cluster mode disabled. */
  shards: ShardView[];
  /** Shards that were not failed over but saw non-ok writes (`isCollateral`). */
  collateral: string[];
  /** A planned change: what was asked, its progress, the group before and after (absent for other faults). */
  change?: ChangeView;
  /** The group's durability and whether it kept its promise (absent: the mode is not known). */
  durability?: DurabilityReport;
  error?: ReportError;
  /** global-failover: the cross-region RPO and RTO, and the failback's with failBack. */
  global?: GlobalView;
}

export function buildReport(input: BuildReportInput): Report {
  const thresholds = thresholdsSchema.parse(input.thresholds ?? {});
  const { summary, verification } = input;
  const probe = probeFiguresOf(summary, verification, input.failover);
  const t0 = t0EpochMsOf(input.failover);
  const probeStart = summary?.startedAtEpochMs ?? null;
  const clients = clientViewsOf(input.clients, t0, probeStart);
  const shards = shardViewsOf(input.shards, t0, probeStart);
  const error = reportErrorOf(input.error, summary !== undefined, verification);
  const judged = summary !== undefined && verification !== undefined;
  const durability = durabilityOf(input.durability, probe, summary, clients, judged && !error, t0);
  const violations = [
    ...reportViolationsOf(judged ? probe : null, clients, thresholds),
    ...durabilityViolationsOf(durability),
    ...globalViolationsOf(input.global, thresholds),
  ];
  const charts = chartDataOf(summary, input.change ? { change: input.change, t0EpochMs: t0 } : undefined);

  // Field by field, so that the JSON keeps the order it has always had.
  return {
    version: 1,
    verdict: verdictOf(error, violations),
    runId: probe.runId,
    endpoint: probe.endpoint,
    failoverTriggered: probe.failoverTriggered,
    disruption: probe.disruption,
    writes: probe.writes,
    errors: probe.errors,
    downtime: probe.downtime,
    probe: probe.probe,
    dataLossWindow: probe.dataLossWindow,
    failover: probe.failover,
    latency: probe.latency,
    timeline: charts.timeline,
    writeSample: charts.writeSample,
    ...(charts.changeTimeline ? { changeTimeline: charts.changeTimeline } : {}),
    thresholds,
    violations,
    lostRanges: probe.lostRanges,
    failedButPresentRanges: probe.failedButPresentRanges,
    unexpectedSamples: probe.unexpectedSamples,
    clients,
    shards,
    collateral: collateralOf(shards),
    run: probe.run,
    ...(input.change
      ? { change: changeViewOf(input.change, t0, changeRedirectionsOf(summary, clients, t0)) }
      : {}),
    ...(durability ? { durability } : {}),
    ...(error ? { error } : {}),
    ...(input.global ? { global: input.global } : {}),
  };
}
