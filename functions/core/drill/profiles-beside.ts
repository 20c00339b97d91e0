/** The client profiles and shard writers that write beside the probe during a drill's Write step. */
import type { ClientTarget } from '../measure/clients/client.js';
import { resolveClientProfiles } from '../measure/clients/profile.js';
import { type ProfileRun, runClientProfiles } from '../measure/clients/run.js';
import { runShardWriters } from '../measure/clients/shards.js';
import { writerSettingsSchema } from '../measure/writer.js';
import type { DrillPlan } from './plan.js';

/**
 * The drill's client profiles (and in cluster mode a writer on every shard): `start()` once the probe
 * writes (so that their connects never delay the probe's arming), `stop()` when the probe stops, `done()`
 * for their records once drained and closed.
 */
export function runProfilesBeside(
  plan: DrillPlan,
  target: ClientTarget,
): { start(): void; stop(): void; done(): Promise<ProfileRun[]>; shards(): Promise<ProfileRun[]> } {
  const profiles = resolveClientProfiles(plan.request.clients);
  const controller = new AbortController();
  const { writer } = plan.request;
  let running: Promise<ProfileRun[]> | undefined;
  let shardWriters: Promise<ProfileRun[]> | undefined;
  const settings = {
    runId: plan.runId,
    prefix: writer.keyPrefix,
    // The probe's TTL (its default when unset): nothing outlives a crashed run.
    ttlSeconds: writer.ttlSeconds ?? writerSettingsSchema.shape.ttlSeconds.parse(undefined),
  };
  const shards = plan.target.clusterMode ? (plan.target.shards ?? []) : [];
  const start = (): void => {
    if (running || controller.signal.aborted) return;
    running = runClientProfiles(
      profiles,
      {
        ...settings,
        cluster: plan.target.clusterMode,
        pin: plan.target.clusterMode && plan.target.slots.length > 0 ? plan.target.slots : undefined,
      },
      target,
      controller.signal,
    );
    if (shards.length > 1) shardWriters = runShardWriters(shards, settings, target, controller.signal);
  };
  return {
    start,
    stop: () => controller.abort(),
    done: () => running ?? Promise.resolve([]),
    shards: () => shardWriters ?? Promise.resolve([]),
  };
}
