/**
 * The drill's Write step: the probe writer, with the client profiles and shard writers beside it, halted
 * by the run's halt marker when Cleanup sets it, and told by the change-finished marker when a planned
 * change is applied. The Write handler is middy wiring around `writeStep`.
 */
import { DrillStoppedError } from '../../shared/errors.js';
import type { FigureStore } from '../../shared/figure-store.js';
import type { StepLog } from '../../shared/powertools.js';
import { closeClient, type RedisClient, waitUntilReady } from '../../shared/redis-client.js';
import { changeMarkerKey, watchChangeMarker } from '../measure/change-marker.js';
import type { ProfileRun } from '../measure/clients/run.js';
import { type StoredRecords, storeRecords } from '../measure/clients/stored.js';
import { readClockOffset } from '../measure/clock-offset.js';
import {
  haltMarkerKey,
  haltRequested,
  probeStoppedKey,
  requestHalt,
  watchHaltMarker,
} from '../measure/halt-marker.js';
import { measuringMarkerKey, publishMeasuring } from '../measure/measuring-marker.js';
import type { WriterSummary } from '../measure/summary.js';
import { runWriter } from '../measure/writer.js';
import { type DataPlane, withDataPlane } from './data-plane.js';
import { type GroupClock, gatherGroups } from './gather-groups.js';
import { writeStoodAside } from './global-steps.js';
import type { DrillPlan } from './plan.js';
import { runProfilesBeside } from './profiles-beside.js';
import { withShardMap } from './shard-map.js';
import { groupRecordsName } from './writer-groups.js';
import { writerOptions } from './writer-options.js';

/** Time kept back from the Lambda's limit to drain in-flight writes and return the summary. */
export const RETURN_MARGIN_MS = 15_000;

export interface WriteStepDeps {
  /** The time left before the step must have returned (a Lambda's remaining time). */
  remainingMs: () => number;
  /** Where the step's log lines go (the handler's logger). */
  log: StepLog;
  /** The environment the data plane's credentials and CA are read from. */
  env?: NodeJS.ProcessEnv;
  /** Where the shard writers' records go: the state carries only where they are and their totals. */
  figures: FigureStore;
}

/** The figure store's name of the shard writers' records. */
export const SHARD_WRITERS = 'shard-writers';

/**
 * The writer's summary, with the profiles' records and the shard writers' (in the figure store: one
 * record per shard would make the state grow with the shard count) when the drill had any.
 */
export type WriteStepResult = WriterSummary & {
  clients?: ProfileRun[];
  shards?: StoredRecords;
  /** The fan-out's groups beside the probe's: each one's writers and clock offset (small, per group). */
  shardGroups?: GroupClock[];
};

/**
 * How long the probe's invocation waits for the groups' records after its own writers drained: a group
 * sees the probe's stop within HALT_POLL_MS, then drains (2 s at most) and stores its records.
 */
const GATHER_WAIT_MS = 10_000;
/** Kept back from the Lambda's limit after the gathering, to store the records and return. */
const GATHER_RETURN_MS = 3000;

/** `f` called once; later calls return the first call's promise. */
function once(f: () => Promise<void>): () => Promise<void> {
  let called: Promise<void> | undefined;
  return () => {
    called ??= f();
    return called;
  };
}

/**
 * The data plane and a first client of it, ready. The first connection proves the credentials (a rotated
 * secret is read again) before anything is written.
 */
export function openWatcher(
  plan: DrillPlan,
  env?: NodeJS.ProcessEnv,
): Promise<{ plane: DataPlane; watcher: RedisClient }> {
  return withDataPlane(
    plan.target,
    async (plane) => {
      const watcher = plane.createClient();
      await waitUntilReady(watcher, 5000).catch(async (error: unknown) => {
        await closeClient(watcher);
        throw error;
      });
      return { plane, watcher };
    },
    env,
  );
}

export async function writeStep(statePlan: DrillPlan, deps: WriteStepDeps): Promise<WriteStepResult> {
  // The shard map is read before the watcher opens: every shard writer is in place before the probe starts.
  const plan = await withShardMap(statePlan, deps.figures);
  // A region failover is written and read back by the RegionFailover step's own cross-region probe.
  if (plan.global) return writeStoodAside(plan) as unknown as WriteStepResult;
  const controller = new AbortController();
  const key = haltMarkerKey(plan.request.writer.keyPrefix, plan.runId);
  const measuring = measuringMarkerKey(plan.request.writer.keyPrefix, plan.runId);
  const { plane, watcher } = await openWatcher(plan, deps.env);
  // Not one write once Cleanup has run: it deleted the run's keys by name, and would never see these.
  if (await haltRequested(watcher, key)) {
    await closeClient(watcher);
    throw new DrillStoppedError(`run ${plan.runId} was stopped by Cleanup before the writer started`);
  }
  const unwatch = watchHaltMarker(watcher, key, controller);
  // The fan-out's groups read the same server's clock, so that the report states each group's offset;
  // read beside the probe's start, never before it (the probe must start by its start-by moment).
  const clockRead = plan.shardGroups ? readClockOffset(watcher, key) : Promise.resolve(null);
  const probeStopped = once(() =>
    plan.shardGroups
      ? requestHalt(watcher, probeStoppedKey(plan.request.writer.keyPrefix, plan.runId)).catch(() => {})
      : Promise.resolve(),
  );
  // A planned change's end, once the fault branch has seen it (the ChangeFinished step).
  let changeFinishedAt: number | undefined;
  const unwatchChange = watchChangeMarker(
    watcher,
    changeMarkerKey(plan.request.writer.keyPrefix, plan.runId),
    (at) => {
      changeFinishedAt = at;
    },
  );
  // Client profiles write beside the probe, in their own key spaces, until the probe stops.
  const profiles = runProfilesBeside(plan, plane.clientTarget);
  // Ends the measuring marker's retries once the probe stops.
  const probeEnded = new AbortController();
  try {
    // Their worker started and its libraries imported before the probe's baseline begins.
    const ready = await profiles.ready();
    if (ready) deps.log.info('client profiles ready', { ...ready });
    const summary = await runWriter(
      {
        ...writerOptions(plan),
        deadline: () => deps.remainingMs() - RETURN_MARGIN_MS,
        signal: controller.signal,
        changeFinishedAtEpochMs: () => changeFinishedAt,
      },
      {
        createClient: plane.createClient,
        createReplicaClient: plane.createReplicaClient,
        onEvent: (event) => {
          deps.log.info('writer', { ...event });
          if (event.type === 'started') {
            profiles.start();
            // The fault branch waits for this (probe-measuring.ts): its baseline counts from now.
            void publishMeasuring(watcher, measuring, Date.now(), probeEnded.signal).then((attempts) => {
              if (attempts !== 1) deps.log.warn('measuring marker', { attempts: attempts ?? 'given up' });
            });
          }
          if (event.type === 'stopping') {
            probeEnded.abort();
            profiles.stop();
            void probeStopped();
          }
        },
      },
    );
    const clients = await profiles.done();
    const shards = await profiles.shards();
    deps.log.info('writer done', {
      attempted: summary.attempted,
      acknowledged: summary.acknowledged,
      stopReason: summary.stopReason,
    });
    await probeStopped();
    const clock = await clockRead;
    const fanned = plan.shardGroups
      ? await gatherGroups(
          plan,
          {
            location: await deps.figures.put(plan.runId, groupRecordsName(0), {
              group: 0,
              clock,
              records: shards,
            }),
            clock,
            records: shards,
          },
          deps.figures,
          Math.min(GATHER_WAIT_MS, deps.remainingMs() - GATHER_RETURN_MS),
        )
      : undefined;
    const records = fanned?.records ?? shards;
    return {
      ...summary,
      ...(clients.length > 0 ? { clients } : {}),
      ...(records.length > 0
        ? { shards: await storeRecords(deps.figures, plan.runId, SHARD_WRITERS, records) }
        : {}),
      ...(fanned ? { shardGroups: fanned.groups } : {}),
    };
  } finally {
    probeEnded.abort();
    profiles.stop();
    await probeStopped();
    // Closed before the Lambda returns (or is frozen).
    await Promise.all([profiles.done().catch(() => {}), profiles.shards().catch(() => {})]);
    unwatch();
    unwatchChange();
    await closeClient(watcher);
  }
}
