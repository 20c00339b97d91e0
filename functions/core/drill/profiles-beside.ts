/** The client profiles and shard writers that write beside the probe during a drill's Write step. */
import type { ClientTarget } from '../measure/clients/client.js';
import { type IsolatedProfiles, isolatedProfiles } from '../measure/clients/isolated.js';
import { resolveClientProfiles } from '../measure/clients/profile.js';
import type { Shard } from '../measure/clients/shards.js';
import { writerSettingsSchema } from '../measure/writer.js';
import type { DrillPlan } from './plan.js';

/**
 * The drill's client profiles (and in cluster mode a writer on every shard), in a worker thread off the
 * probe's event loop: `ready()` before the probe starts (their libraries imported), `start()` once the
 * probe writes (so that their connects never delay the probe's arming), `stop()` when the probe stops,
 * `done()` for their records once drained and closed.
 */
export function runProfilesBeside(plan: DrillPlan, target: ClientTarget): IsolatedProfiles {
  const { writer } = plan.request;
  const settings = writersBesideSettings(plan);
  // The probe's invocation holds only its own group's shard writers when the writers fan out.
  const shards = shardsOf(plan, plan.shardGroups?.probe);
  const isolated = isolatedProfiles(
    {
      profiles: {
        profiles: resolveClientProfiles(plan.request.clients),
        settings: {
          ...settings,
          cluster: plan.target.clusterMode,
          pin: plan.target.clusterMode && plan.target.slots.length > 0 ? plan.target.slots : undefined,
        },
      },
      ...(shards.length > 0 && (plan.target.shards?.length ?? 0) > 1 ? { shards: { shards, settings } } : {}),
    },
    target,
  );
  // The probe waits for the worker's imports at most a quarter of the baseline past the acceptance, so
  // that a slow start (tsx, a loaded machine) never costs the drill its baseline.
  const readyBy = plan.acceptedAt + Math.round(writer.baselineSeconds * 250);
  return { ...isolated, ready: () => isolated.ready(readyBy) };
}

/** What every writer beside the probe shares: the run, its key prefix and the probe's TTL. */
export function writersBesideSettings(plan: DrillPlan): {
  runId: string;
  prefix: string;
  ttlSeconds: number;
} {
  const { writer } = plan.request;
  return {
    runId: plan.runId,
    prefix: writer.keyPrefix,
    // The probe's TTL (its default when unset): nothing outlives a crashed run.
    ttlSeconds: writer.ttlSeconds ?? writerSettingsSchema.shape.ttlSeconds.parse(undefined),
  };
}

/**
 * The shards whose writers an invocation runs, in the shards' order: those named (a group of the
 * fan-out), else the watched (a sampled blast radius names them), else every shard.
 */
export function shardsOf(plan: DrillPlan, named?: readonly string[]): Shard[] {
  if (!plan.target.clusterMode) return [];
  const wanted = named ?? plan.watched?.watched;
  const keep = wanted ? new Set(wanted) : undefined;
  return (plan.target.shards ?? []).filter((shard) => !keep || keep.has(shard.nodeGroupId));
}
