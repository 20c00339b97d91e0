/**
 * The drill's Verify step: reads back the probe's writes and, when the drill had them, the client
 * profiles' and shard writers'. Reads only, so a retried step sees the same keys. The Verify handler is
 * middy wiring around `verifyStep`.
 */
import type { FigureStore } from '../../shared/figure-store.js';
import type { StepLog } from '../../shared/powertools.js';
import { type ProfileVerification, verifyClientProfiles } from '../measure/clients/profile-verify.js';
import type { ProfileRun } from '../measure/clients/run.js';
import { loadRecords, type StoredRecords, storeRecords } from '../measure/clients/stored.js';
import type { WriterSummary } from '../measure/summary.js';
import { type Verification, verify } from '../measure/verify.js';
import { withDataPlane } from './data-plane.js';
import { verifyStoodAside } from './global-steps.js';
import type { DrillPlan } from './plan.js';

export interface VerifyStepDeps {
  /** Where the step's log lines go (the handler's logger). */
  log: StepLog;
  /** The environment the data plane's credentials and CA are read from. */
  env?: NodeJS.ProcessEnv;
  /** Where the shard writers' records are read from, and their verifications written to. */
  figures: FigureStore;
}

/** The figure store's name of the shard writers' verifications. */
export const SHARD_VERIFICATIONS = 'shard-verifications';

/** The shard writers' verifications are in the figure store, as their records are. */
export type VerifyStepResult = Verification & {
  clients?: ProfileVerification[];
  shards?: StoredRecords;
};

/** `summary` is the Write step's output, with the profiles' and shard writers' records when it had any. */
export async function verifyStep(
  plan: DrillPlan,
  summary: WriterSummary & { clients?: ProfileRun[]; shards?: ProfileRun[] | StoredRecords },
  deps: VerifyStepDeps,
): Promise<VerifyStepResult> {
  if (plan.global) return Promise.resolve(verifyStoodAside() as unknown as VerifyStepResult);
  const stored = await loadRecords(deps.figures, summary.shards);
  // Reads only: run again whole when a rotated password was refused at the first connection.
  return withDataPlane(
    plan.target,
    async ({ createClient }) => {
      const verification = await verify(summary, { createClient });
      deps.log.info('verified', { lost: verification.lost, recovered: verification.recovered });
      const { clients: runs = [] } = summary;
      const shardRuns = stored ?? [];
      if (runs.length === 0 && shardRuns.length === 0) return verification;
      // A profile or shard writer that cannot be read back is reported unverified; the probe's verification
      // stands.
      const verifyAll = async (list: ProfileRun[], what: string): Promise<ProfileVerification[]> => {
        try {
          return await verifyClientProfiles(list, { createClient });
        } catch (error) {
          deps.log.warn(`${what} not verified`, { error: (error as Error).message });
          return [];
        }
      };
      return {
        ...verification,
        ...(runs.length > 0 ? { clients: await verifyAll(runs, 'client profiles') } : {}),
        ...(shardRuns.length > 0
          ? {
              shards: await storeRecords(
                deps.figures,
                plan.runId,
                SHARD_VERIFICATIONS,
                await verifyAll(shardRuns, 'shard writers'),
              ),
            }
          : {}),
      };
    },
    deps.env,
  );
}
