/** The probe writer's settings for a drill's plan: where it writes, how fast, and when it arms. */
import type { WriterOptions } from '../measure/writer.js';
import { targetEndpoint } from './data-plane.js';
import type { DrillPlan } from './plan.js';

/**
 * The writer's settings for a drill. The fault comes after the whole baseline, counted from the start of the
 * Parallel state, which follows Preflight's acceptance; the writer starts a little later (a cold start can
 * take seconds). So it arms half a baseline after the acceptance — never later than half a baseline after
 * its own start — and a writer starting once the whole baseline has passed since the acceptance refuses to
 * measure (WriterStartedLateError): the fault may already be under way.
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
    armAtEpochMs: plan.acceptedAt + Math.round(writer.baselineSeconds * 500),
    startByEpochMs: plan.acceptedAt + Math.round(writer.baselineSeconds * 1000),
    settleMs: Math.round(writer.settleSeconds * 1000),
    maxDurationMs: Math.round(writer.maxDurationSeconds * 1000),
  };
}
