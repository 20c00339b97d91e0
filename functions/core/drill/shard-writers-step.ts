/**
 * The Write step in the "shard-writers" role (issue 26's fan-out): one group of the blast radius's shard
 * writers in an invocation of its own, an item of the state machine's ShardWriterGroups Map. It starts
 * writing at the plan's moment for every group, stops with the probe (its stopped marker), with Cleanup
 * (the halt marker) or at its own deadline, and stores its records with its clock's offset. The probe's
 * invocation gathers every group's records into the run's one file of shard writers' records.
 */
import { DrillStoppedError } from '../../shared/errors.js';
import type { FigureStore } from '../../shared/figure-store.js';
import { closeClient } from '../../shared/redis-client.js';
import { type IsolatedProfiles, isolatedProfiles } from '../measure/clients/isolated.js';
import type { ProfileRun } from '../measure/clients/run.js';
import { type ClockReading, readClockOffset } from '../measure/clock-offset.js';
import { haltMarkerKey, haltRequested, probeStoppedKey, watchHaltMarker } from '../measure/halt-marker.js';
import type { DrillPlan } from './plan.js';
import { shardsOf, writersBesideSettings } from './profiles-beside.js';
import { groupShards, withShardMap } from './shard-map.js';
import { openWatcher, RETURN_MARGIN_MS, type WriteStepDeps } from './write-step.js';
import { groupRecordsName } from './writer-groups.js';

/** One Map item: a group's index; its shard ids come from the stored shard map (shard-map.ts). */
export interface ShardGroupItem {
  group: number;
  /** A state from before the map was stored named them inline. */
  shards?: string[];
}

/** What a group stores: its records, and its clock against the server the probe's invocation reads too. */
export interface GroupRecords {
  group: number;
  clock: ClockReading | null;
  records: ProfileRun[];
}

/** The Map iteration's output: a reference, never figures, so the state stays the same size. */
export interface GroupStored {
  group: number;
  stored: string;
  count: number;
}

/**
 * When every group starts writing: the latest moment the probe's own shard writers start (the probe
 * waits for their worker at most a quarter of the baseline past the acceptance, profiles-beside.ts), so
 * every group has the same baseline before T0, which comes a whole baseline after the acceptance.
 */
export function groupsStartAtEpochMs(plan: DrillPlan): number {
  return plan.acceptedAt + Math.round(plan.request.writer.baselineSeconds * 250);
}

export async function shardWritersStep(
  statePlan: DrillPlan,
  item: ShardGroupItem,
  deps: Omit<WriteStepDeps, 'figures'> & { figures: FigureStore; now?: () => number },
): Promise<GroupStored> {
  const now = deps.now ?? Date.now;
  const plan = await withShardMap(statePlan, deps.figures);
  const shards = item.shards ?? groupShards(plan, item.group);
  const prefix = plan.request.writer.keyPrefix;
  const halt = haltMarkerKey(prefix, plan.runId);
  const { plane, watcher } = await openWatcher(plan, deps.env);
  const controller = new AbortController();
  const unwatch: (() => void)[] = [];
  let deadline: NodeJS.Timeout | undefined;
  let writers: IsolatedProfiles | undefined;
  try {
    // Not one write once Cleanup has run (it deleted the run's keys by name), nor once the probe stopped.
    if (await haltRequested(watcher, halt))
      throw new DrillStoppedError(
        `run ${plan.runId} was stopped by Cleanup before group ${item.group} started`,
      );
    const clock = await readClockOffset(watcher, halt, now);
    unwatch.push(
      watchHaltMarker(watcher, halt, controller),
      watchHaltMarker(watcher, probeStoppedKey(prefix, plan.runId), controller, 'the probe stopped'),
    );
    deadline = setTimeout(() => controller.abort(), Math.max(0, deps.remainingMs() - RETURN_MARGIN_MS));
    // In a worker, as the probe's invocation runs its own: locally every invocation shares one process, and
    // the probe's event loop must share nothing; on Lambda it is the same code path either way.
    const settings = writersBesideSettings(plan);
    writers = isolatedProfiles(
      {
        profiles: { profiles: [], settings: { ...settings, cluster: true } },
        shards: { shards: shardsOf(plan, shards), settings },
      },
      plane.clientTarget,
    );
    const startAt = groupsStartAtEpochMs(plan);
    await writers.ready(startAt);
    await untilOrAborted(startAt - now(), controller.signal);
    if (!controller.signal.aborted) writers.start();
    await untilOrAborted(Number.POSITIVE_INFINITY, controller.signal);
    writers.stop();
    const records = await writers.shards();
    deps.log.info('shard writers done', { group: item.group, writers: records.length, clock });
    const stored = await deps.figures.put(plan.runId, groupRecordsName(item.group), {
      group: item.group,
      clock,
      records,
    } satisfies GroupRecords);
    return { group: item.group, stored, count: records.length };
  } finally {
    // Never left writing: a worker never started is terminated, one running is stopped.
    writers?.stop();
    clearTimeout(deadline);
    for (const stop of unwatch) stop();
    await closeClient(watcher);
  }
}

/** Waits `ms` (nothing when ≤ 0; until the abort when infinite), or less when `signal` aborts first. */
function untilOrAborted(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = Number.isFinite(ms) ? setTimeout(resolve, ms) : undefined;
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
