/**
 * A local game day: a fleet of local groups and the real fleet state machine over them, each target's
 * drill a nested execution of the real drill state machine (`failover-drill local --groups N`).
 */
import { type FleetRequestInput, parseFleetRequest } from '../functions/core/drill/fleet.js';
import type { FleetReport } from '../functions/core/report/fleet-report.js';
import { buildReport } from '../functions/core/report/report.js';
import { directoryReportStore } from '../functions/shared/report-store.js';
import { DEFAULT_GROUP_ID, type LocalCloud, type LocalCloudOptions, startLocalCloud } from './cloud.js';
import { executionName, handlerEnvironment, LOCAL_DEFAULT_INPUT } from './drill.js';

/** The drill settings of a local fleet: the local drill's, without its target. */
const { replicationGroupId: _, ...LOCAL_DRILL_SETTINGS } = LOCAL_DEFAULT_INPUT;

/** The fleet input over every group of the cloud, all at once. */
export function localFleetInput(groupIds: string[]): FleetRequestInput {
  return {
    targets: groupIds.map((replicationGroupId) => ({ replicationGroupId })),
    maxConcurrency: Math.min(groupIds.length, 40),
    drill: LOCAL_DRILL_SETTINGS,
  };
}

export interface LocalFleetOptions {
  /** The fleet input; validated before anything starts. Default: every group of the cloud. */
  input?: unknown;
  /** Groups to start (`drill-demo-1` …); default one group, `drill-demo`. */
  groups?: number;
  cloud?: LocalCloudOptions;
  reportDir: string;
  verbose?: boolean;
  onCloud?: (cloud: LocalCloud) => void;
}

export interface LocalFleetResult {
  runId: string;
  status: string;
  report: FleetReport | ReturnType<typeof buildReport>;
  /** Every nested drill execution, as ListExecutions shows them. */
  drills: { name: string; status: string; startDate: number; stopDate?: number }[];
  transitions: number;
  /** Node groups the local ElastiCache accepted TestFailover for during the run. */
  testFailovers: number;
  published: { subject?: string; message: string }[];
  wallMs: number;
}

/**
 * Starts the local cloud with the fleet's groups, runs the fleet state machine in the local Step
 * Functions, and stops every process it started, whatever happens. A fleet input that can be refused
 * without the control plane is refused before anything starts.
 */
export async function runLocalFleet(options: LocalFleetOptions): Promise<LocalFleetResult> {
  const started = Date.now();
  if (options.input !== undefined) parseFleetRequest(options.input);
  const runId =
    (options.input as { runId?: string } | undefined)?.runId ?? executionName().replace(/^drill-/, 'fleet-');
  const cloud = await startLocalCloud({
    groupId: DEFAULT_GROUP_ID,
    ...options.cloud,
    groups: options.groups,
  });
  try {
    Object.assign(process.env, handlerEnvironment(cloud, options.reportDir, options.verbose ?? false));
    options.onCloud?.(cloud);
    const input = options.input ?? localFleetInput(cloud.groupIds);
    const described = await cloud.stepFunctions.runToEnd(cloud.fleetStateMachineArn, runId, input);
    const stored = (await directoryReportStore(options.reportDir).load(runId)) as FleetReport | undefined;
    const report =
      stored ??
      buildReport({
        error: Object.assign(new Error(described.cause ?? 'the fleet ended without a report'), {
          name: described.error ?? 'Error',
        }),
      });
    return {
      runId,
      status: described.status,
      report,
      drills: cloud.stepFunctions.executionsOf(cloud.stateMachineArn),
      transitions: described.transitions,
      testFailovers: cloud.elastiCache.budget.limit - cloud.elastiCache.budget.remaining(),
      published: cloud.published().map((m) => ({ subject: m.subject, message: m.message })),
      wallMs: Date.now() - started,
    };
  } finally {
    await cloud.stop();
  }
}
