/**
 * The report's side of the figure store: the state names the shard writers' records and verifications
 * (core/measure/clients/stored.ts), the report is assembled from them, and the state gets back a report
 * whose per-shard views stay in the stored JSON. Every state's size is then the same at 3 shards or 500.
 */
import type { FigureStore } from '../../shared/figure-store.js';
import type { StepLog } from '../../shared/powertools.js';
import { type DrillPlan, drillPlanSchema } from '../drill/plan.js';
import { withShardMap } from '../drill/shard-map.js';
import type { ProfileVerification } from '../measure/clients/profile-verify.js';
import type { ProfileRun } from '../measure/clients/run.js';
import { loadRecords, type StoredRecords } from '../measure/clients/stored.js';
import type { DrillReport, DrillState } from './drill-report.js';

/** Where the report's per-shard views went, as the state's copy of the report says. */
export interface ShardsStored {
  /** How many shards the stored report's `shards[]` holds. */
  count: number;
  /** How many of them are collateral (the stored report's `collateral` names them). */
  collateral: number;
  /** The stored JSON report, which holds them. */
  file: string | null;
}

/** The report as the state carries it when its per-shard views are stored: no per-shard list is left. */
export type ReportWithStoredShards = Omit<DrillReport, 'shards' | 'collateral' | 'blastRadius'> & {
  /** The blast radius without its list of watched shards (the stored report names them). */
  blastRadius?: Omit<NonNullable<DrillReport['blastRadius']>, 'shards'>;
  shardsStored: ShardsStored;
};

/** The report as the state carries it: without `shards[]`, `collateral` and the watched list when they are stored. */
export type StateReport = DrillReport | ReportWithStoredShards;

type WithShards = { shards?: ProfileRun[] | ProfileVerification[] | StoredRecords };

/**
 * The state with the records it names read from the store, as `drillReport` takes it. Records that
 * cannot be read leave the report without its shards, said in the log; the probe's figures stand.
 */
export async function withStoredFigures(
  state: DrillState,
  figures: FigureStore,
  log: StepLog,
): Promise<DrillState> {
  const load = async <T extends WithShards | undefined>(part: T, what: string): Promise<T> => {
    if (part === undefined || part.shards === undefined || Array.isArray(part.shards)) return part;
    try {
      return { ...part, shards: await loadRecords(figures, part.shards) };
    } catch (error) {
      log.warn(`${what} not read from the figure store`, { error: (error as Error).message });
      const { shards: _, ...rest } = part;
      return rest as T;
    }
  };
  const [summary, recovery] = state.results ?? [];
  const results = state.results
    ? ([await load(summary as WithShards | undefined, 'shard writers'), recovery] as [unknown, unknown])
    : undefined;
  const verification = await load(state.verification as WithShards | undefined, 'shard verifications');
  const plan = await loadShardMap(state.plan, figures, log);
  return {
    ...state,
    ...(plan ? { plan } : {}),
    ...(results ? { results } : {}),
    ...(verification ? { verification } : {}),
  };
}

/** The state's plan with its shard map read (shard-map.ts); as it is when unreadable, said in the log. */
async function loadShardMap(
  plan: unknown,
  figures: FigureStore,
  log: StepLog,
): Promise<DrillPlan | undefined> {
  const parsed = drillPlanSchema.safeParse(plan);
  if (!parsed.success || !parsed.data.shardMap) return undefined;
  try {
    const whole = await withShardMap(parsed.data, figures);
    // Only what the map adds: the rest of the state's plan stays as the state machine passed it.
    const { target, watched, shardGroups } = whole;
    return { ...(plan as DrillPlan), target, watched, shardGroups };
  } catch (error) {
    log.warn('shard map not read from the figure store', { error: (error as Error).message });
    return undefined;
  }
}

/** The report without its per-shard views, which the stored JSON holds; unchanged without shards. */
export function reportForState(report: DrillReport): StateReport {
  if (report.shards.length === 0) return report;
  const { shards, collateral, blastRadius, ...rest } = report;
  // The watched list grows with the shard count: the state keeps the blast radius's counts only.
  const counts = blastRadius ? (({ shards: _, ...kept }) => kept)(blastRadius) : undefined;
  return {
    ...rest,
    ...(counts ? { blastRadius: counts } : {}),
    shardsStored: { count: shards.length, collateral: collateral.length, file: report.files?.json ?? null },
  };
}

export function isStateReportWithStoredShards(report: unknown): report is ReportWithStoredShards {
  return typeof report === 'object' && report !== null && 'shardsStored' in report;
}
