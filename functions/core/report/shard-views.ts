/**
 * The shards checker (cluster mode): every shard's writes during the drill, the blast radius of one node
 * group's failover, and which shards are collateral. `isCollateral` is the one definition of collateral:
 * the report's list and the findings both ask it.
 */
import type { ClientFigures } from '../measure/clients/figures.js';
import { nodeGroupOf } from '../measure/clients/profile-keys.js';
import { nonOkOf, type WriteCounts } from '../measure/counts.js';
import { laneTimelineOf, type ReportTimeline } from './chart-data.js';
import { type ProfileRuns, profileFiguresOf } from './client-views.js';

/** One shard's writes during the drill (cluster mode): the blast radius of one node group's failover. */
export interface ShardView {
  nodeGroupId: string;
  /** The node group that was failed over. */
  target: boolean;
  writes: ClientFigures['writes'];
  downtime: ClientFigures['downtime'];
  errors: ClientFigures['errors'];
  verified: boolean;
  error?: { name: string; message: string };
  /** Its lane in the charts: its whole run, on the probe's time axis. */
  timeline: ReportTimeline | null;
}

/** A writer on every shard, and which node group was failed over. */
export interface ShardRuns extends ProfileRuns {
  failedOver: string | null;
}

/** What collateral is judged on: a shard's role in the drill and its writes. */
export interface CollateralInput {
  target: boolean;
  writes: Pick<WriteCounts, 'failed' | 'indeterminate'>;
}

/**
 * Collateral: a shard that was not failed over but saw non-ok writes (failed or indeterminate). A long
 * wait alone is not collateral: the shard writer fails fast, so a shard the fault touched shows non-ok
 * writes.
 */
export function isCollateral(shard: CollateralInput): boolean {
  return !shard.target && nonOkOf(shard.writes) > 0;
}

/** The collateral shards' node groups, in the shards' order. */
export function collateralOf(shards: readonly (CollateralInput & { nodeGroupId: string })[]): string[] {
  return shards.filter(isCollateral).map((shard) => shard.nodeGroupId);
}

/** `t0EpochMs`: TestFailover requested (null: none); `probeStartedAtEpochMs`: the probe's time axis. */
export function shardViewsOf(
  input: ShardRuns | undefined,
  t0EpochMs: number | null,
  probeStartedAtEpochMs: number | null,
): ShardView[] {
  const runs = input?.runs ?? [];
  return profileFiguresOf(input, t0EpochMs).map((f, i) => {
    const run = runs[i]!;
    const nodeGroupId = nodeGroupOf(run);
    // A shard writer fails fast: its downtime is its failed-write window, 0 when every write succeeded.
    const nonOk = nonOkOf(f.writes) > 0;
    return {
      nodeGroupId,
      target: nodeGroupId === input?.failedOver,
      writes: f.writes,
      downtime: nonOk ? f.downtime : { ms: 0, startMs: null, endMs: null, complete: true },
      errors: f.errors,
      verified: f.verified,
      ...(f.error ? { error: f.error } : {}),
      timeline: laneTimelineOf(run, probeStartedAtEpochMs),
    };
  });
}
