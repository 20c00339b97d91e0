/**
 * The drill's ChangeFinished step: once AwaitRecovery has seen a planned change applied, it sets the run's
 * change-finished marker (measure/change-marker.ts) so that the writer, which may have seen no disruption
 * to settle after, stops a settle time later rather than at its hard cap. The ChangeFinished handler is
 * middy wiring around `changeFinishedStep`.
 */
import * as z from 'zod';
import type { StepLog } from '../../shared/powertools.js';
import { closeClient, waitUntilReady } from '../../shared/redis-client.js';
import { changeMarkerKey, markChangeFinished } from '../measure/change-marker.js';
import { CLEANUP_TIMEOUT_MS } from '../measure/cleanup.js';
import { retrying } from '../measure/retry.js';
import { withDataPlane } from './data-plane.js';
import { drillPlanSchema } from './plan.js';

export const changeFinishedEventSchema = z.object({
  plan: drillPlanSchema,
  /** AwaitRecovery's output: only a planned change's `finishedAt` is read. */
  recovery: z.looseObject({ change: z.looseObject({ finishedAt: z.number().optional() }).optional() }),
});
export type ChangeFinishedEvent = z.infer<typeof changeFinishedEventSchema>;

export interface ChangeFinishedStepDeps {
  log: StepLog;
  env?: NodeJS.ProcessEnv;
}

/** Sets the marker with the moment the change was seen applied; nothing to do when no change finished. */
export async function changeFinishedStep(
  { plan, recovery }: ChangeFinishedEvent,
  deps: ChangeFinishedStepDeps,
): Promise<{ marked: boolean }> {
  const finishedAt = recovery.change?.finishedAt;
  if (finishedAt === undefined) return { marked: false };
  const key = changeMarkerKey(plan.request.writer.keyPrefix, plan.runId);
  await withDataPlane(
    plan.target,
    async ({ createClient }) => {
      const client = createClient();
      try {
        await waitUntilReady(client, CLEANUP_TIMEOUT_MS);
        // SET is idempotent: retried until a primary takes it (a change may still move the slot).
        await retrying(CLEANUP_TIMEOUT_MS, 'setting the change-finished marker', client, () =>
          markChangeFinished(client, key, finishedAt),
        );
      } finally {
        await closeClient(client);
      }
    },
    deps.env,
  );
  deps.log.info('change finished marked', { finishedAt });
  return { marked: true };
}
