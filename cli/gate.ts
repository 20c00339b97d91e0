import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-elasticache';
import { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { parseFleetRequest } from '../functions/core/drill/fleet.js';
import { LOCK_TAG, parseLock } from '../functions/core/drill/guardrails.js';
import { parseDrillRequest } from '../functions/core/drill/request.js';
import { caughtError } from '../functions/core/report/drill-report.js';
import type { FleetReport } from '../functions/core/report/fleet-report.js';
import { buildReport, type Report } from '../functions/core/report/report.js';
import { isStateReportWithStoredShards } from '../functions/core/report/stored-figures.js';
import { namedAwsError } from '../functions/shared/aws.js';
import { AwsThrottledError, DrillInputError } from '../functions/shared/errors.js';
import { loadReportAt } from '../functions/shared/report-store.js';
import { executionName } from '../local/drill.js';
import { readInput } from './args.js';
import { checkStateMachine } from './gate-machine.js';
import { exitForSignal, type Interrupt, Interrupted, onInterrupt } from './interrupt.js';
import { JUNIT_SUITE, writeJunitReport } from './junit.js';
import { type AnyReport, EXIT_CODES, runReporting } from './report-output.js';

const TITLE = 'failover-drill gate';
/** The ASL state whose output (under `.report`) is the report when the execution fails. */
const REPORT_STATE = 'Report';
/** The fleet state machine's state whose output (under `.report`) is the fleet's summary. */
const FLEET_REPORT_STATE = 'FleetReport';
/** A drill's history is under 100 events; Step Functions caps a history at 25,000 (25 pages). */
const HISTORY_PAGE = 1000;
const HISTORY_PAGES_MAX = 25;

/** The execution did not end within --timeout (it goes on in Step Functions; Cleanup still runs there). */
export class GateTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GateTimeoutError';
  }
}

/** What the execution returned is not a drill report. */
export class GateReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GateReportError';
  }
}

export interface GateFlags {
  stateMachineArn: string;
  /** Required for a drill; a fleet names its targets in --input. */
  replicationGroup?: string;
  /** The state machine is the fleet's: --input is a fleet input (targets), the report the fleet's summary. */
  fleet?: boolean;
  nodeGroup?: string;
  maxDowntimeMs?: number;
  maxLostWrites?: number;
  maxDataLossWindowMs?: number;
  input?: string;
  dryRun?: boolean;
  junit?: string;
  json?: string;
  /** Seconds between polls. */
  pollInterval: number;
  /** Seconds the gate follows the execution at most. */
  timeout: number;
  name?: string;
}

export interface GateDeps {
  sfn: SFNClient;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  sleep?: (ms: number) => Promise<unknown>;
  now?: () => number;
  /** SIGINT / SIGTERM: the gate stops its execution, waits (bounded) for the reaper, reports Interrupted. */
  interrupt?: Interrupt;
  /** To see the reaper release the lock after an interrupt (without it the gate only waits for ABORTED). */
  elastiCache?: ElastiCacheClient;
  /** Reads the stored JSON report at `files.json` (default: the file, or S3 with the SDK's own client). */
  readReport?: (location: string) => Promise<unknown>;
}

/** How long an interrupted gate waits for the reaper to release the run's lock. */
const REAP_WAIT_MS = 30_000;

/** Stops the execution and waits, bounded, until it is ABORTED and the reaper has released its lock. */
async function stopAndWaitForReaper(
  deps: GateDeps,
  io: { sleep: (ms: number) => Promise<unknown>; now: () => number },
  executionArn: string,
  runId: string,
  groupId: string | undefined,
): Promise<string> {
  await deps.sfn.send(
    new StopExecutionCommand({ executionArn, error: 'Interrupted', cause: 'the gate was interrupted' }),
  );
  const deadline = io.now() + REAP_WAIT_MS;
  const lockHeld = async () => {
    if (!deps.elastiCache || !groupId) return false;
    const described = await deps.elastiCache.send(
      new DescribeReplicationGroupsCommand({ ReplicationGroupId: groupId }),
    );
    const arn = described.ReplicationGroups?.[0]?.ARN;
    if (!arn) return false;
    const tags = await deps.elastiCache.send(new ListTagsForResourceCommand({ ResourceName: arn }));
    return parseLock(tags.TagList?.find((t) => t.Key === LOCK_TAG)?.Value)?.runId === runId;
  };
  for (;;) {
    const status = (await deps.sfn.send(new DescribeExecutionCommand({ executionArn }))).status;
    const held = await lockHeld().catch(() => false);
    if (status !== 'RUNNING' && !held)
      return `stopped ${executionArn} (${status}); ${deps.elastiCache && groupId ? 'the reaper released its lock' : 'the reaper cleans it up'}`;
    if (io.now() >= deadline)
      return `stopped ${executionArn} (${status}); the lock was still held after ${REAP_WAIT_MS / 1000} s (it expires by itself)`;
    await io.sleep(500);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The execution input: --input with the flags on top. Anything malformed is left as it is, for
 * parseDrillRequest to name it.
 */
export function gateInput(base: unknown, flags: GateFlags): unknown {
  if (base !== undefined && !isRecord(base)) return base;
  const input: Record<string, unknown> = { ...base, replicationGroupId: flags.replicationGroup };
  if (flags.nodeGroup !== undefined) input.nodeGroupId = flags.nodeGroup;
  if (flags.dryRun) input.dryRun = true;
  const overrides = Object.fromEntries(
    Object.entries({
      maxDowntimeMs: flags.maxDowntimeMs,
      maxLostWrites: flags.maxLostWrites,
      maxDataLossWindowMs: flags.maxDataLossWindowMs,
    }).filter(([, value]) => value !== undefined),
  );
  if (Object.keys(overrides).length > 0 && (input.thresholds === undefined || isRecord(input.thresholds)))
    input.thresholds = { ...input.thresholds, ...overrides };
  return input;
}

const TERMINAL_NAMES: Record<string, string> = {
  FAILED: 'ExecutionFailed',
  TIMED_OUT: 'ExecutionTimedOut',
  ABORTED: 'ExecutionAborted',
};

function jsonOf(text: string | undefined, where: string): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    throw new GateReportError(`${where} is not JSON`);
  }
}

function asReport(value: unknown, where: string): Report {
  if (!isRecord(value) || !Object.hasOwn(EXIT_CODES, String(value.verdict)) || !isRecord(value.writes))
    throw new GateReportError(`${where} is not a drill report`);
  return value as unknown as Report;
}

/**
 * The drill's report from a finished execution: its output when it succeeded; otherwise what the Report
 * state returned; when there is none (the Report step itself failed), an error report from the
 * execution's own error and cause.
 */
export function reportOf(execution: DescribeExecutionCommandOutput, history: HistoryEvent[]): Report {
  if (execution.status === 'SUCCEEDED') {
    const where = 'the execution output';
    return asReport(jsonOf(execution.output, where), where);
  }
  // The Report state also exits when its own failure is caught (on to ReportFailed), then without a report.
  const exited = history.filter((e) => e.stateExitedEventDetails?.name === REPORT_STATE).at(-1);
  if (exited) {
    const where = `the ${REPORT_STATE} state's output`;
    const state = jsonOf(exited.stateExitedEventDetails?.output, where);
    if (isRecord(state) && state.report !== undefined) return asReport(state.report, where);
  }
  const status = execution.status ?? 'FAILED';
  return buildReport({
    error: caughtError({
      Error: execution.error ?? TERMINAL_NAMES[status] ?? `Execution${status}`,
      Cause: execution.cause ?? `the execution ended ${status} without a report`,
    }),
  });
}

/**
 * The report as the drill stored it. In cluster mode the state's copy leaves its per-shard views in the
 * stored JSON (stored-figures.ts), so that no state grows with the shard count; the gate prints and writes
 * the whole report, read back from `files.json` (S3 in AWS). Unreadable, the state's copy stands: its
 * verdict is the drill's, and `shardsStored` says where the shards are.
 */
export async function wholeReport(
  report: Report,
  read: (location: string) => Promise<unknown>,
  stderr: NodeJS.WritableStream,
): Promise<Report> {
  if (!isStateReportWithStoredShards(report)) return report;
  const file = report.shardsStored.file;
  try {
    if (file === null) throw new GateReportError('the report was not stored');
    const stored = asReport(await read(file), file);
    if (stored.runId !== report.runId)
      throw new GateReportError(`${file} is the report of ${stored.runId}, not of ${report.runId}`);
    return stored;
  } catch (error) {
    stderr.write(
      `${TITLE}: the shards' figures are left out (${report.shardsStored.count} shards in ${file}): ${(error as Error).message}\n`,
    );
    return report;
  }
}

/** The fleet's summary from a finished fleet execution, as reportOf for one drill. */
export function fleetReportOf(execution: DescribeExecutionCommandOutput, history: HistoryEvent[]): AnyReport {
  const asFleet = (value: unknown, where: string): FleetReport => {
    if (!isRecord(value) || value.kind !== 'fleet' || !Object.hasOwn(EXIT_CODES, String(value.verdict)))
      throw new GateReportError(`${where} is not a fleet report`);
    return value as unknown as FleetReport;
  };
  if (execution.status === 'SUCCEEDED')
    return asFleet(jsonOf(execution.output, 'the execution output'), 'the execution output');
  const exited = history.filter((e) => e.stateExitedEventDetails?.name === FLEET_REPORT_STATE).at(-1);
  if (exited) {
    const where = `the ${FLEET_REPORT_STATE} state's output`;
    const state = jsonOf(exited.stateExitedEventDetails?.output, where);
    if (isRecord(state) && state.report !== undefined) return asFleet(state.report, where);
  }
  return reportOf(execution, []);
}

/**
 * Every event so far. The last page carries no nextToken, so each poll pages from the start; polls
 * leave out the states' input and output (progress needs only names and errors: a drill's history
 * with its data is ~350 KB), the final read takes them for the report.
 */
async function readHistory(
  sfn: SFNClient,
  executionArn: string,
  includeExecutionData: boolean,
): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < HISTORY_PAGES_MAX; page++) {
    const out = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        maxResults: HISTORY_PAGE,
        nextToken,
        includeExecutionData,
      }),
    );
    events.push(...(out.events ?? []));
    nextToken = out.nextToken;
    if (!nextToken) break;
  }
  return events;
}

/**
 * One line per state entered and per state exited (✓, or ✗ with the error when it failed and was caught),
 * and one per retry. A failure event names no state in AWS (locally its resource does): then it is the latest
 * state still open.
 */
export function progressPrinter(stderr: NodeJS.WritableStream): (event: HistoryEvent) => void {
  const open = new Map<string, { at: number; error?: string }>();
  const at = (event: HistoryEvent) => event.timestamp?.getTime() ?? 0;
  return (event) => {
    const entered = event.stateEnteredEventDetails?.name;
    const exited = event.stateExitedEventDetails?.name;
    if (entered) {
      open.set(entered, { at: at(event) });
      stderr.write(`  → ${entered}\n`);
      return;
    }
    if (exited) {
      const names = [...open.keys()];
      const index = names.indexOf(exited);
      // States opened inside this one and still open ended with it (a failed or abandoned Parallel branch).
      for (const inner of index < 0 ? [] : names.slice(index + 1)) {
        const error = open.get(inner)?.error;
        stderr.write(`  ${error ? '✗' : '–'} ${inner.padEnd(16)} ${error ?? 'stopped'}\n`);
        open.delete(inner);
      }
      const state = open.get(exited);
      open.delete(exited);
      const took = `${at(event) - (state?.at ?? at(event))} ms`;
      stderr.write(
        `  ${state?.error ? '✗' : '✓'} ${exited.padEnd(16)} ${took}${state?.error ? `  ${state.error}` : ''}\n`,
      );
      return;
    }
    const error = Object.entries(event).find(
      ([key, value]) => key.endsWith('EventDetails') && isRecord(value) && typeof value.error === 'string',
    )?.[1] as { error: string; resource?: string } | undefined;
    const name = error?.resource && open.has(error.resource) ? error.resource : [...open.keys()].at(-1);
    const state = name === undefined ? undefined : open.get(name);
    if (!name || !state) return;
    // A retry: AWS (and the local service) schedules the task again after its failure.
    const retried = event.type?.endsWith('Scheduled');
    if (retried && (state.error ?? error)) {
      stderr.write(`  ↻ ${name.padEnd(16)} ${state.error ?? error?.error}, retrying\n`);
      state.error = undefined;
    } else if (!error) {
      return;
    } else if (event.type?.startsWith('Execution')) {
      // The execution ended in a state that never exits (a Fail state, or one whose error was not caught).
      stderr.write(`  ✗ ${name.padEnd(16)} ${state.error ?? error.error}\n`);
    } else {
      state.error ??= error.error;
    }
  };
}

const isThrottled = (error: unknown) => namedAwsError(error) instanceof AwsThrottledError;

interface Followed {
  execution: DescribeExecutionCommandOutput;
  history: HistoryEvent[];
}

/** Polls until the execution ends, printing new history events; throttling only delays the next poll. */
async function follow(
  sfn: SFNClient,
  executionArn: string,
  flags: GateFlags,
  deps: Required<Omit<GateDeps, 'sfn' | 'interrupt' | 'elastiCache' | 'readReport'>> &
    Pick<GateDeps, 'interrupt'>,
): Promise<Followed> {
  const deadline = deps.now() + flags.timeout * 1000;
  const print = progressPrinter(deps.stderr);
  let printed = 0;
  const interrupted = () => {
    const signal = deps.interrupt?.received();
    if (signal) throw new Interrupted(signal, 'the gate was interrupted');
  };
  for (;;) {
    interrupted();
    try {
      // Status first, then the history: once the status is final, the history read after it is complete.
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      const ended = execution.status !== 'RUNNING' && execution.status !== 'PENDING_REDRIVE';
      const history = await readHistory(sfn, executionArn, ended);
      const latest = history.reduce((id, e) => Math.max(id, e.id ?? 0), printed);
      for (const event of history) if ((event.id ?? 0) > printed) print(event);
      printed = latest;
      if (ended) return { execution, history };
    } catch (error) {
      if (!isThrottled(error)) throw error;
      deps.stderr.write(`  (throttled: ${(error as Error).name}; polling again)\n`);
    }
    const left = deadline - deps.now();
    if (left <= 0)
      throw new GateTimeoutError(
        `the execution ${executionArn} did not end within ${flags.timeout} s; it goes on in Step Functions`,
      );
    // An interrupt does not wait for the next poll.
    const aborted = deps.interrupt?.signal;
    await Promise.race([
      deps.sleep(Math.min(flags.pollInterval * 1000, left)),
      ...(aborted
        ? [new Promise((resolve) => aborted.addEventListener('abort', resolve, { once: true }))]
        : []),
    ]);
  }
}

/** Runs the gate and returns the exit code (also set as process.exitCode). */
export async function runGate(flags: GateFlags, deps: GateDeps): Promise<number> {
  const io = {
    stdout: deps.stdout ?? process.stdout,
    stderr: deps.stderr ?? process.stderr,
    sleep: deps.sleep ?? sleep,
    now: deps.now ?? Date.now,
  };
  const readReport =
    deps.readReport ?? ((location: string) => loadReportAt(location, () => new S3Client({})));
  const started = io.now();
  const name = flags.name ?? (flags.fleet ? executionName().replace(/^drill-/, 'fleet-') : executionName());
  let executionArn: string | undefined;
  let final: AnyReport | undefined;
  const code = await runReporting(
    { json: flags.json, title: TITLE, stdout: io.stdout, stderr: io.stderr },
    async () => {
      try {
        const given = flags.input ? await readInput(flags.input) : undefined;
        let input: unknown;
        // Refused here, before anything is started, exactly as Preflight (or the fleet's Plan) would refuse it.
        if (flags.fleet) {
          if (given === undefined)
            throw new DrillInputError('--fleet needs --input FILE (the fleet input: targets, …)');
          input = given;
          parseFleetRequest(input);
        } else {
          if (!flags.replicationGroup)
            throw new DrillInputError('--replication-group is required (or --fleet)');
          input = gateInput(given, flags);
          parseDrillRequest(input);
        }
        // The machine itself, before anything is started: the wrong ARN is refused with the right one.
        await checkStateMachine(deps.sfn, flags.stateMachineArn, flags.fleet ?? false);
        const out = await deps.sfn.send(
          new StartExecutionCommand({
            stateMachineArn: flags.stateMachineArn,
            name,
            input: JSON.stringify(input),
          }),
        );
        executionArn = out.executionArn ?? '';
        io.stderr.write(`${TITLE}: started ${executionArn}\n`);
        const { execution, history } = await follow(deps.sfn, executionArn, flags, {
          ...io,
          interrupt: deps.interrupt,
        });
        const transitions = history.filter((e) => e.stateEnteredEventDetails).length;
        io.stderr.write(
          `execution ${name}: ${execution.status}${execution.error ? ` (${execution.error})` : ''}, ` +
            `${transitions} state transitions, ${io.now() - started} ms\n`,
        );
        final = flags.fleet
          ? fleetReportOf(execution, history)
          : await wholeReport(reportOf(execution, history), readReport, io.stderr);
        const files = (final as { files?: { json: string; html: string } }).files;
        if (files) io.stderr.write(`reports: ${files.json}\n         ${files.html}\n`);
      } catch (error) {
        if (error instanceof Interrupted && executionArn) {
          io.stderr.write(`${TITLE}: ${error.signal}: stopping ${executionArn}\n`);
          const what = await stopAndWaitForReaper(deps, io, executionArn, name, flags.replicationGroup).catch(
            (failure: Error) => `could not stop ${executionArn}: ${failure.name}: ${failure.message}`,
          );
          final = buildReport({ error: new Interrupted(error.signal, what) });
        } else final = buildReport({ error });
      }
      return final;
    },
  );
  if (!flags.junit || !final) return code;
  try {
    writeJunitReport(flags.junit, final, {
      classname: `${JUNIT_SUITE}.${flags.replicationGroup ?? 'fleet'}`,
      timeSeconds: (io.now() - started) / 1000,
      properties: { executionArn, replicationGroupId: flags.replicationGroup },
    });
    return code;
  } catch (error) {
    io.stderr.write(`${TITLE}: cannot write ${flags.junit}: ${(error as Error).message}\n`);
    process.exitCode = EXIT_CODES.error;
    return EXIT_CODES.error;
  }
}

/** The `gate` command's action: the SDK's own client, from the environment. */
export async function gate(flags: GateFlags): Promise<void> {
  const requestHandler = { requestTimeout: 30_000, connectionTimeout: 5_000 };
  const sfn = new SFNClient({ requestHandler });
  const elastiCache = new ElastiCacheClient({ requestHandler });
  const s3 = new S3Client({ requestHandler });
  const readReport = (location: string) => loadReportAt(location, () => s3);
  const interrupt = onInterrupt();
  try {
    await runGate(flags, { sfn, elastiCache, readReport, interrupt });
    exitForSignal(interrupt.received());
  } finally {
    interrupt.off();
    sfn.destroy();
    elastiCache.destroy();
    s3.destroy();
  }
}
