import type { DrillPlan } from '../core/drill/plan.js';
import type { ClientTarget } from '../core/measure/clients/client.js';
import { resolveClientProfiles } from '../core/measure/clients/profile.js';
import { type ProfileRun, runClientProfiles } from '../core/measure/clients/run.js';
import { writerSettingsSchema } from '../core/measure/writer.js';

/**
 * The drill's client profiles: `start()` once the probe writes (so that their connects never delay the
 * probe's arming), `stop()` when the probe stops, `done()` for their records once drained and closed.
 */
export function runProfilesBeside(
  plan: DrillPlan,
  target: ClientTarget,
): { start(): void; stop(): void; done(): Promise<ProfileRun[]> } {
  const profiles = resolveClientProfiles(plan.request.clients);
  const controller = new AbortController();
  const { writer } = plan.request;
  let running: Promise<ProfileRun[]> | undefined;
  const start = (): void => {
    if (running || controller.signal.aborted || profiles.length === 0) return;
    running = runClientProfiles(
      profiles,
      {
        runId: plan.runId,
        prefix: writer.keyPrefix,
        cluster: plan.target.clusterMode,
        pin: plan.target.clusterMode && plan.target.slots.length > 0 ? plan.target.slots : undefined,
        // The probe's TTL (its default when unset): nothing outlives a crashed run.
        ttlSeconds: writer.ttlSeconds ?? writerSettingsSchema.shape.ttlSeconds.parse(undefined),
      },
      target,
      controller.signal,
    );
  };
  return { start, stop: () => controller.abort(), done: () => running ?? Promise.resolve([]) };
}
