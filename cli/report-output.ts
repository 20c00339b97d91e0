/**
 * What every command does with a report: a human summary on stdout, the JSON in --json FILE on every
 * outcome (errors and refusals included), and the exit code from the verdict (0 pass, 1 fail, 2 error).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type FleetReport, formatFleetReport } from '../functions/core/report/fleet-report.js';
import { buildReport, type Report, type Verdict } from '../functions/core/report/report.js';
import { formatReport } from '../functions/core/report/report-text.js';

export const EXIT_CODES: Record<Verdict, number> = { pass: 0, fail: 1, error: 2 };

export function exitCodeFor(verdict: Verdict): number {
  return EXIT_CODES[verdict];
}

/** Writes a file whole or not at all (directories created; replaced by rename, never half-written). */
export function writeFileAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/** A drill's report, or a fleet's summary (`kind: 'fleet'`). */
export type AnyReport = Report | FleetReport;

export const isFleetReport = (report: AnyReport): report is FleetReport =>
  (report as FleetReport).kind === 'fleet';

export function writeJsonReport(file: string, report: AnyReport): void {
  writeFileAtomic(file, `${JSON.stringify(report, null, 2)}\n`);
}

export interface ReportingOptions {
  /** --json FILE, if given. */
  json?: string;
  /** Shown in the first line of the summary, e.g. "failover-drill measure". */
  title: string;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

/**
 * Runs a command body that produces a report; any error becomes an error report. Prints, writes the JSON,
 * and returns the exit code (also set as process.exitCode).
 */
export async function runReporting(
  options: ReportingOptions,
  produce: () => Promise<AnyReport>,
): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  let report: AnyReport;
  try {
    report = await produce();
  } catch (error) {
    report = buildReport({ error });
  }
  let code = exitCodeFor(report.verdict);
  if (options.json) {
    try {
      writeJsonReport(options.json, report);
    } catch (error) {
      stderr.write(`${options.title}: cannot write ${options.json}: ${(error as Error).message}\n`);
      code = EXIT_CODES.error;
    }
  }
  stdout.write(
    isFleetReport(report) ? formatFleetReport(report, options.title) : formatReport(report, options.title),
  );
  process.exitCode = code;
  return code;
}
