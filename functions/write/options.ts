import { targetEndpoint } from '../core/drill/data-plane.js';
import type { DrillPlan } from '../core/drill/plan.js';
import type { WriterOptions } from '../core/measure/writer.js';

/**
 * The writer's settings for a drill. It arms after half the baseline: TestFailover comes after the
 * whole baseline, counted from the start of the Parallel state, and the writer starts a little later.
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
    settleMs: Math.round(writer.settleSeconds * 1000),
    maxDurationMs: Math.round(writer.maxDurationSeconds * 1000),
  };
}
