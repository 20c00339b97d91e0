import { CLIENT_PRESETS } from '../functions/core/measure/clients/profile.js';
import { drillReport } from '../functions/core/report/drill-report.js';
import { buildReport, type Report } from '../functions/core/report/report.js';
import type { LocalCloud } from '../local/cloud.js';
import { LOCAL_DEFAULT_INPUT, runLocalDrill } from '../local/drill.js';
import { checkLocalGlobalFault, localGlobalFault } from '../local/global.js';
import { readClientFlags, readInput } from './args.js';
import { exitForSignal, type Interrupt, Interrupted, interruptedReport, onInterrupt } from './interrupt.js';
import { type GlobalFlags, globalOptions, type LocalGroupFlags, localGroupOptions } from './local-group.js';
import { isRecord } from './local-refusal.js';
import { drillProgress } from './progress.js';
import { runReporting } from './report-output.js';

export interface LocalFlags extends LocalGroupFlags, GlobalFlags {
  /** With --global: fail back to the original region afterwards, measured too. */
  failBack?: boolean;
  input?: string;
  dryRun?: boolean;
  /** Set this alarm to ALARM --fire-after-ms into the drill (a stop condition firing mid-drill). */
  fireAlarm?: string;
  fireAfterMs?: number;
  json?: string;
  reportDir: string;
  verbose?: boolean;
  /** --client, repeatable: presets' names or JSON files of profiles. */
  client?: string[];
}

/** Which code the Lambda Tasks run: the sources, or the artifacts `--bundles` named. */
function handlersLine(cloud: LocalCloud): string {
  return `handlers: ${cloud.bundles ? `the built artifacts in ${cloud.bundles}` : "the project's own modules"}`;
}

/** A fleet: --groups N, or an --input with `targets` (a fleet input). */
async function runFleet(flags: LocalFlags, input: unknown): Promise<void> {
  const stderr = process.stderr;
  await runReporting({ json: flags.json, title: 'failover-drill local (fleet)' }, async () => {
    const { runLocalFleet } = await import('../local/fleet.js');
    const result = await runLocalFleet({
      input,
      groups: flags.groups,
      reportDir: flags.reportDir,
      verbose: flags.verbose,
      cloud: localGroupOptions(flags),
      onCloud: (cloud) =>
        stderr.write(
          `local cloud up: ${cloud.groupIds.join(', ')} (cluster mode ${flags.clusterMode ?? 'disabled'}) at ${cloud.endpoint}\n` +
            `${handlersLine(cloud)}\n`,
        ),
    });
    for (const drill of result.drills) {
      const took =
        drill.stopDate === undefined ? '' : `, ${Math.round((drill.stopDate - drill.startDate) * 1000)} ms`;
      stderr.write(`  drill ${drill.name}: ${drill.status}${took}\n`);
    }
    stderr.write(
      `fleet ${result.runId}: ${result.status}, ${result.transitions} state transitions, ${result.wallMs} ms; ` +
        `TestFailover called for ${result.testFailovers} node groups\n`,
    );
    const files = (result.report as { files?: { json: string; html: string } }).files;
    if (files) stderr.write(`reports: ${files.json}\n         ${files.html}\n`);
    for (const message of result.published) stderr.write(`SNS: ${message.subject ?? '(no subject)'}\n`);
    return result.report;
  });
}

export async function runLocal(flags: LocalFlags): Promise<void> {
  if (flags.groups !== undefined)
    return runFleet(flags, flags.input ? await readInput(flags.input) : undefined);
  if (flags.input) {
    const given = await readInput(flags.input).catch(() => undefined);
    if (isRecord(given) && 'targets' in given) return runFleet(flags, given);
  }
  const interrupt = onInterrupt();
  try {
    await runReporting({ json: flags.json, title: 'failover-drill local' }, () =>
      drillOnce(flags, interrupt),
    );
    exitForSignal(interrupt.received());
  } finally {
    interrupt.off();
  }
}

async function drillOnce(flags: LocalFlags, interrupt: Interrupt): Promise<Report> {
  const stderr = process.stderr;
  {
    const clients = await readClientFlags(flags.client, Object.keys(CLIENT_PRESETS));
    const given = flags.input ? await readInput(flags.input) : undefined;
    const input = withClients(flags.global ? globalInput(given, flags.failBack ?? false) : given, clients);
    // Refused before the local cloud starts: nothing is started for a fault it could not drill.
    if (flags.global)
      checkLocalGlobalFault(input, (input as { replicationGroupId?: string }).replicationGroupId ?? '');
    const progress = drillProgress(stderr);
    const result = await runLocalDrill({
      input,
      dryRun: flags.dryRun,
      signal: interrupt.signal,
      fireAlarm: flags.fireAlarm ? { name: flags.fireAlarm, afterMs: flags.fireAfterMs ?? 0 } : undefined,
      reportDir: flags.reportDir,
      verbose: flags.verbose,
      cloud: { ...localGroupOptions(flags), global: globalOptions(flags) },
      onCloud: (cloud) =>
        progress.line(
          `local cloud up: ${cloud.groupId} (cluster mode ${flags.clusterMode ?? 'disabled'}) at ${cloud.endpoint}\n` +
            globalLines(cloud) +
            handlersLine(cloud),
        ),
      onEvent: progress.onEvent,
    }).finally(progress.stop);
    const { outcome } = result;
    stderr.write(
      `execution ${result.runId}: ${outcome.status}${outcome.error ? ` (${outcome.error})` : ''}, ` +
        `${outcome.transitions} state transitions, ${result.wallMs} ms\n`,
    );
    stderr.write(`${largestStateLine(outcome.stateBytes)}\n`);
    if (outcome.stateBytes.Preflight !== undefined)
      stderr.write(`preflight state: ${outcome.stateBytes.Preflight} bytes (the request and the plan)\n`);
    const files = (result.report?.files ?? undefined) as { json: string; html: string } | undefined;
    if (files) stderr.write(`reports: ${files.json}\n         ${files.html}\n`);
    for (const message of result.published) stderr.write(`SNS: ${message.subject ?? '(no subject)'}\n`);
    const signal = interrupt.received();
    if (signal) {
      const { reaped } = result;
      const cleaned = reaped
        ? `Cleanup deleted ${reaped.deleted ?? 0} keys, lock ${reaped.lockReleased ? 'released' : `not released (${reaped.note})`}`
        : 'nothing had been written';
      const { stopped } = result;
      const kept = stopped?.state.results ? "; the writer's figures so far are kept, not verified" : '';
      const error = new Interrupted(
        signal,
        `the execution was stopped; ${cleaned}; every process stopped${kept}`,
      );
      // Stopped before its Report: the report is built here from what the run had measured.
      const measured =
        stopped &&
        drillReport({ ...stopped.state, error: { Error: error.name, Cause: error.message } }, stopped.facts);
      return interruptedReport(
        (result.report as unknown as Report | undefined) ?? measured ?? buildReport({ error }),
        error,
      );
    }
    if (result.report) return result.report as unknown as Report;
    // The Report step itself failed: the execution's own error is all there is.
    return buildReport({
      error: Object.assign(new Error(outcome.cause ?? 'the drill ended without a report'), {
        name: outcome.error ?? 'Error',
      }),
    });
  }
}

/**
 * `local --global`'s input: the given one, or the default with the demo Global Datastore's failover; with
 * --fail-back, its global-failover fault fails back too. Anything else is left for the request's own checks.
 */
function globalInput(given: unknown, failBack: boolean): unknown {
  if (given === undefined)
    return {
      ...LOCAL_DEFAULT_INPUT,
      fault: localGlobalFault(LOCAL_DEFAULT_INPUT.replicationGroupId, failBack),
    };
  if (!failBack || !isRecord(given) || !isRecord(given.fault)) return given;
  return { ...given, fault: { ...given.fault, failBack: true } };
}

/** With --global: each region's group and primary endpoint, and the Global Datastore joining them. */
function globalLines(cloud: LocalCloud): string {
  const g = cloud.global;
  if (!g) return '';
  const at = (e: { host: string; port: number } | undefined) => (e ? `${e.host}:${e.port}` : 'no primary');
  return (
    `global datastore ${g.globalReplicationGroupId}: ` +
    `${g.primary.region} ${g.primary.replicationGroupId} at ${at(cloud.group.primaryEndpoint)}, ` +
    `${g.secondary.region} ${g.secondary.replicationGroupId} at ${at(cloud.secondaryGroup?.primaryEndpoint)}\n`
  );
}

/**
 * The largest input or output of any state, against Step Functions' 256 KB: the figure that must not grow
 * with the shard count (docs/drill.md, "Large clusters").
 */
export function largestStateLine(stateBytes: Record<string, number>): string {
  const [state, bytes] = Object.entries(stateBytes).reduce<[string, number]>(
    (largest, entry) => (entry[1] > largest[1] ? entry : largest),
    ['none', 0],
  );
  return `largest state: ${bytes} bytes (${state}), limit ${256 * 1024}`;
}

/** `--client` profiles join the input's own `clients` (the input is validated as a whole later). */
function withClients(input: unknown, clients: unknown[]): unknown {
  if (clients.length === 0) return input;
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input)))
    return input; // not an object: left for the request's parser to refuse
  const base = (input ?? LOCAL_DEFAULT_INPUT) as Record<string, unknown>;
  const own = Array.isArray(base.clients) ? base.clients : [];
  return { ...base, clients: [...own, ...clients] };
}
