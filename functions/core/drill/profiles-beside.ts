/** The client profiles and shard writers that write beside the probe during a drill's Write step. */
import type { ClientTarget } from '../measure/clients/client.js';
import { type IsolatedProfiles, isolatedProfiles } from '../measure/clients/isolated.js';
import { resolveClientProfiles } from '../measure/clients/profile.js';
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
  const settings = {
    runId: plan.runId,
    prefix: writer.keyPrefix,
    // The probe's TTL (its default when unset): nothing outlives a crashed run.
    ttlSeconds: writer.ttlSeconds ?? writerSettingsSchema.shape.ttlSeconds.parse(undefined),
  };
  // Only the watched shards (a sampled blast radius names them); every shard when the plan names none.
  const watched = plan.watched ? new Set(plan.watched.watched) : undefined;
  const shards = plan.target.clusterMode
    ? (plan.target.shards ?? []).filter((shard) => !watched || watched.has(shard.nodeGroupId))
    : [];
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
      ...(shards.length > 1 ? { shards: { shards, settings } } : {}),
    },
    target,
  );
  // The probe waits for the worker's imports at most a quarter of the baseline past the acceptance, so
  // that a slow start (tsx, a loaded machine) never costs the drill its baseline.
  const readyBy = plan.acceptedAt + Math.round(writer.baselineSeconds * 250);
  return { ...isolated, ready: () => isolated.ready(readyBy) };
}
