/** The probe writer's settings for a drill's plan: where it writes, how fast, and when it must have started. */
import type { WriterOptions } from '../measure/writer.js';
import { targetEndpoint } from './data-plane.js';
import type { DrillPlan } from './plan.js';

/**
 * The longest a writer may take to start after Preflight's acceptance when the baseline is shorter: a cold
 * start on a loaded machine (or a cold Lambda in a VPC) can take many seconds.
 */
export const WRITER_START_WINDOW_MS = 60_000;

/**
 * The writer's settings for a drill. The fault branch waits until the probe is measuring (its measuring
 * marker, probe-measuring.ts) and only then waits out the whole baseline. So the writer arms half a baseline
 * after its own start, however late it started. A writer that has not started within the start window
 * (the whole baseline, at least a minute) after the acceptance refuses to measure (WriterStartedLateError):
 * the fault branch has given up on it by then.
 */
export function writerOptions(plan: DrillPlan): WriterOptions {
  const { writer } = plan.request;
  const { target } = plan;
  return {
    runId: plan.runId,
    prefix: writer.keyPrefix,
    endpoint: targetEndpoint(target),
    cluster: target.clusterMode,
    pin: target.clusterMode && target.slots.length > 0 ? target.slots : undefined,
    rate: writer.rate,
    concurrency: writer.concurrency,
    ttlSeconds: writer.ttlSeconds,
    baselineMs: Math.round(writer.baselineSeconds * 500),
    startByEpochMs: writerStartBy(plan),
    settleMs: Math.round(writer.settleSeconds * 1000),
    maxDurationMs: Math.round(writer.maxDurationSeconds * 1000),
  };
}

/** The latest moment (epoch ms) the drill's writer may start measuring. */
export function writerStartBy(plan: DrillPlan): number {
  return (
    plan.acceptedAt + Math.max(Math.round(plan.request.writer.baselineSeconds * 1000), WRITER_START_WINDOW_MS)
  );
}
