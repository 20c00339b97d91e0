import { randomBytes } from 'node:crypto';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { DrillPlan } from '../functions/core/drill/plan.js';
import { faultLeft, reapRun, stopFault } from '../functions/core/drill/reap.js';
import { parseDrillRequest } from '../functions/core/drill/request.js';
import { isStateReportWithStoredShards, withStoredFigures } from '../functions/core/report/stored-figures.js';
import { directoryFigureStore } from '../functions/shared/figure-store.js';
import { directoryReportStore } from '../functions/shared/report-store.js';
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from './cloud.js';
import {
  drillStateMachine,
  type EventLog,
  type ExecutionOutcome,
  startExecution,
} from './stepfunctions/runner.js';
import { keepWriterInvocation, type StoppedRun, stoppedRun } from './stopped.js';

/**
 * The execution input of a local drill when none is given: the demo group, with timings scaled to
 * a local failover (which completes in about a second, not minutes).
 */
export const LOCAL_DEFAULT_INPUT = {
  replicationGroupId: 'drill-demo',
  writer: { rate: 500, baselineSeconds: 2, settleSeconds: 2, maxDurationSeconds: 60 },
  recovery: { pollIntervalSeconds: 0.2, pollWindowSeconds: 10, maxWaitSeconds: 60 },
};

/** Where a step's warnings go when the step runs here, outside a Lambda: nowhere (the report says it). */
const quiet = { info: () => {}, warn: () => {} };

/**
 * The state's report leaves its per-shard views in the stored JSON (stored-figures.ts): the whole report
 * is read back from the report store, as a fleet reads its drills'.
 */
async function fullReport(
  report: Record<string, unknown> | undefined,
  runId: string,
  reportDir: string,
): Promise<Record<string, unknown> | undefined> {
  if (!isStateReportWithStoredShards(report)) return report;
  const stored = await directoryReportStore(reportDir).load(report.runId ?? runId);
  return (stored as Record<string, unknown> | undefined) ?? report;
}

/** A Step Functions-style execution name, also the run id. */
export function executionName(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `drill-${stamp}-${randomBytes(2).toString('hex')}`;
}

/**
 * The environment the handlers run with locally: the SDK pointed at the local cloud, reports into
 * a directory, the report topic, and the data plane's credentials as the template passes them.
 */
export function handlerEnvironment(
  cloud: LocalCloud,
  reportDir: string,
  verbose: boolean,
): Record<string, string> {
  const env: Record<string, string> = {
    ...cloud.env(),
    AWS_REGION: cloud.region,
    REPORTS_DIR: reportDir,
    TOPIC_ARN: cloud.snsTopicArn,
    // The template's `!Ref CleanupFunction`: locally, functions are named by their logical ids.
    CLEANUP_FUNCTION_NAME: 'CleanupFunction',
    // The template's `!Ref FaultStopStateMachine`: its ARN.
    FAULT_STOP_STATE_MACHINE_ARN: cloud.faultStopStateMachineArn,
    POWERTOOLS_LOG_LEVEL: verbose ? 'INFO' : 'SILENT',
    POWERTOOLS_METRICS_DISABLED: verbose ? 'false' : 'true',
  };
  const { auth, tls } = cloud.group;
  // As the template passes them: the secret's ARN, never the password (the handlers read the secret).
  if (auth) env.REDIS_SECRET_ARN = auth.secretArn;
  if (tls) env.REDIS_TLS_CA_FILE = tls.caFile;
  return env;
}

export interface LocalDrillOptions {
  /** The execution input; validated before anything starts. Default LOCAL_DEFAULT_INPUT. */
  input?: unknown;
  /** Aborting it stops the execution (as StopExecution), then cleans up as the reaper does. */
  signal?: AbortSignal;
  /** Sets `dryRun: true` in the input: Preflight judges and reports the plan, nothing is touched. */
  dryRun?: boolean;
  /** Sets this alarm (created with `cloud.alarms`) to ALARM this long after the writer starts. */
  fireAlarm?: { name: string; afterMs: number };
  cloud?: LocalCloudOptions;
  reportDir: string;
  verbose?: boolean;
  onEvent?: (event: EventLog) => void;
  /** Called once the local cloud is up, e.g. to show its endpoints. */
  onCloud?: (cloud: LocalCloud) => void;
}

export interface LocalDrillResult {
  runId: string;
  outcome: ExecutionOutcome;
  /** What was cleaned up after an interrupted (stopped) execution. */
  reaped?: { deleted?: number; lockReleased?: boolean; note: string };
  /** The Report state's output, when the drill got that far. */
  report?: Record<string, unknown>;
  /** A stopped (interrupted) execution that was reaped: what it had measured, for its report. */
  stopped?: StoppedRun;
  published: { subject?: string; message: string }[];
  wallMs: number;
}

/**
 * The input with the command's own flags on top: `dryRun`, and the local cloud's alarms as stop
 * conditions. Anything but an object is left as it is, for parseDrillRequest to name it.
 */
function localInput(given: unknown, options: LocalDrillOptions): unknown {
  const isRecord = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isRecord(given)) return given;
  const input: Record<string, unknown> = { ...given };
  if (options.dryRun) input.dryRun = true;
  const alarms = [...(options.cloud?.alarms ?? []), ...(options.fireAlarm ? [options.fireAlarm.name] : [])];
  if (alarms.length > 0 && (input.guardrails === undefined || isRecord(input.guardrails))) {
    const guardrails = { ...(input.guardrails as Record<string, unknown> | undefined) };
    const named = Array.isArray(guardrails.stopAlarmNames) ? guardrails.stopAlarmNames : [];
    guardrails.stopAlarmNames = [...new Set([...named, ...alarms])];
    input.guardrails = guardrails;
  }
  return input;
}

/**
 * Starts the local cloud, runs the real state machine over it, and stops every process it started,
 * whatever happens. The input is validated first, so a bad input touches nothing.
 */
export async function runLocalDrill(options: LocalDrillOptions): Promise<LocalDrillResult> {
  const started = Date.now();
  // Only a missing input means the default: a given `null` is refused as any other non-object.
  const input = localInput(options.input === undefined ? LOCAL_DEFAULT_INPUT : options.input, options);
  const request = parseDrillRequest(input);
  const runId = request.runId ?? executionName();
  const cloud = await startLocalCloud({
    groupId: request.replicationGroupId,
    ...options.cloud,
    alarms: [...(options.cloud?.alarms ?? []), ...(options.fireAlarm ? [options.fireAlarm.name] : [])],
  });
  try {
    Object.assign(process.env, handlerEnvironment(cloud, options.reportDir, options.verbose ?? false));
    // The functions' INIT before the drill, with this environment (LocalLambda.init): not in the baseline.
    await cloud.lambda.init();
    options.onCloud?.(cloud);
    const { fireAlarm } = options;
    let fire: NodeJS.Timeout | undefined;
    // Counted from the moment the writer starts: N ms into the drill's writes.
    const armFire = () => {
      if (!fireAlarm || fire) return;
      fire = setTimeout(() => {
        cloud.cloudWatch.setAlarmState(
          fireAlarm.name,
          'ALARM',
          `fired ${fireAlarm.afterMs} ms into the drill`,
        );
      }, fireAlarm.afterMs);
    };
    const machine = drillStateMachine(cloud.machineOptions);
    // A stopped execution's writer runs on until Cleanup stops it: its summary is the run's figures so far.
    const writer = keepWriterInvocation(machine);
    const running = startExecution(machine, input, {
      executionName: runId,
      onEvent: (event) => {
        if (event.type === 'StateEntered' && (event as { state?: { name?: string } }).state?.name === 'Write')
          armFire();
        options.onEvent?.(event);
      },
    });
    const stop = () => running.abort();
    options.signal?.addEventListener('abort', stop);
    if (options.signal?.aborted) stop();
    const outcome = await running.outcome;
    options.signal?.removeEventListener('abort', stop);
    clearTimeout(fire);
    // Stopped before its own Cleanup: clean up as the reaper does, with the same functions.
    const plan = (outcome.outputs.Preflight as { plan?: DrillPlan } | undefined)?.plan;
    // What its fault source set up (fis-az-power: the template); stopped before its own StopFault, undone here.
    const template = faultLeft((state) => outcome.outputs[state] as Record<string, unknown> | undefined);
    const reaped =
      outcome.status === 'ABORTED' && plan && !plan.dryRun
        ? await reapRun(
            runId,
            { plan, cleanedUp: false, faultTemplateLeft: template },
            {
              cleanup: async (event) =>
                (await cloud.lambda.invoke('CleanupFunction', event)) as { deleted: number },
              releaseLock: async (accepted) =>
                (await cloud.lambda.invoke('ReleaseLockFunction', { execution: runId, plan: accepted })) as {
                  released: boolean;
                  reason: string;
                },
              // The reaper's own call, StartSyncExecution through the SDK, against this cloud.
              stopFault: async (templateId) => {
                const sfn = new SFNClient({
                  endpoint: cloud.endpoint,
                  region: cloud.region,
                  credentials: cloud.credentials,
                  disableHostPrefix: true,
                });
                try {
                  return await stopFault(sfn, cloud.faultStopStateMachineArn, templateId);
                } finally {
                  sfn.destroy();
                }
              },
            },
          )
        : undefined;
    const reportState = outcome.outputs.Report as { report?: Record<string, unknown> } | undefined;
    const stopped = reaped ? await stoppedRun(runId, input, outcome, reaped, writer, cloud) : undefined;
    const figures = directoryFigureStore(options.reportDir);
    return {
      runId,
      outcome,
      report: await fullReport(reportState?.report, runId, options.reportDir),
      reaped,
      // A stopped run's report is made here: from the figures its state names, as the Report step does.
      ...(stopped
        ? { stopped: { ...stopped, state: await withStoredFigures(stopped.state, figures, quiet) } }
        : {}),
      published: cloud.published().map((m) => ({ subject: m.subject, message: m.message })),
      wallMs: Date.now() - started,
    };
  } finally {
    await cloud.stop();
  }
}
