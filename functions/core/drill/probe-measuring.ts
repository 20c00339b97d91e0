/**
 * The fault branch's wait for the probe: the fault comes a whole baseline after the probe started measuring,
 * never before. The drill's Write step sets the run's measuring marker (core/measure/measuring-marker.ts)
 * once its writer has started; this step polls for it until the writer's start-by time has passed. A writer
 * that never starts fails the drill by name (WriterStartedLateError) before any fault. The AwaitProbe handler
 * is middy wiring around `probeMeasuringStep`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WriterStartedLateError } from '../../shared/errors.js';
import type { StepLog } from '../../shared/powertools.js';
import { closeClient, waitUntilReady } from '../../shared/redis-client.js';
import { measuringMarkerKey, measuringSince } from '../measure/measuring-marker.js';
import { withDataPlane } from './data-plane.js';
import type { DrillPlan } from './plan.js';
import { writerStartBy } from './writer-options.js';

/** How often the marker is read: a poll is one GET, and its interval delays the fault at most this much. */
export const PROBE_POLL_MS = 250;
/** Beyond the writer's start-by time: its marker's SET and one poll's interval. */
export const PROBE_GRACE_MS = 2_000;

export interface MeasuringWait {
  /** When the probe started measuring (epoch ms), as its marker says. */
  measuringSince: number;
  /** How long this step waited for it. */
  waitedMs: number;
  polls: number;
}

export interface AwaitMeasuringDeps {
  /** When the probe started measuring, or undefined while it has not (one read of the marker). */
  read: () => Promise<number | undefined>;
  now: () => number;
  sleep: (ms: number) => Promise<unknown>;
  pollMs?: number;
}

/**
 * Polls until the probe is measuring; past `deadlineEpochMs` without it, WriterStartedLateError. A read that
 * fails counts as not yet: the deadline bounds the wait either way, and its error is in the message.
 */
export async function awaitMeasuring(
  deadlineEpochMs: number,
  deps: AwaitMeasuringDeps,
): Promise<MeasuringWait> {
  const start = deps.now();
  let polls = 0;
  let lastError: unknown;
  for (;;) {
    polls += 1;
    const since = await deps.read().catch((error: unknown) => {
      lastError = error;
      return undefined;
    });
    if (since !== undefined) return { measuringSince: since, waitedMs: deps.now() - start, polls };
    if (deps.now() >= deadlineEpochMs) {
      const cause = lastError instanceof Error ? ` (last read: ${lastError.message})` : '';
      throw new WriterStartedLateError(
        `the writer had not started measuring ${deps.now() - start} ms after the fault branch began waiting for it${cause}: ` +
          'no fault was injected; raise writer.baselineSeconds',
      );
    }
    await deps.sleep(Math.min(deps.pollMs ?? PROBE_POLL_MS, Math.max(0, deadlineEpochMs - deps.now())));
  }
}

export interface ProbeMeasuringDeps {
  log: StepLog;
  /** The environment the data plane's credentials and CA are read from. */
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  sleep?: (ms: number) => Promise<unknown>;
}

/** The AwaitProbe step: waits until the drill's probe writer is measuring. */
export async function probeMeasuringStep(plan: DrillPlan, deps: ProbeMeasuringDeps): Promise<MeasuringWait> {
  const key = measuringMarkerKey(plan.request.writer.keyPrefix, plan.runId);
  const deadline = writerStartBy(plan) + PROBE_GRACE_MS;
  const now = deps.now ?? Date.now;
  return withDataPlane(
    plan.target,
    async ({ createClient }) => {
      const client = createClient();
      try {
        await waitUntilReady(client, 5000);
        const wait = await awaitMeasuring(deadline, {
          read: () => measuringSince(client, key),
          now,
          sleep: deps.sleep ?? ((ms) => sleep(ms)),
        });
        deps.log.info('probe measuring', { ...wait });
        return wait;
      } finally {
        await closeClient(client);
      }
    },
    deps.env,
  );
}
