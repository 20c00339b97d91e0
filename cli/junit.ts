/**
 * A drill report as JUnit XML, for CI systems that show test results: one testcase per judged threshold
 * (a failure carries the violation), and an `error` element when the drill itself ended with an error.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { Thresholds } from '../functions/core/measure/thresholds.js';
import type { FleetReport } from '../functions/core/report/fleet-report.js';
import type { Report } from '../functions/core/report/report.js';
import { writeFileAtomic } from './report-output.js';

/** JUnit XML as the CI servers read it: attributes prefixed `@`, indented, empty nodes left out. */
function buildXml(document: object): string {
  return new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    format: true,
    suppressEmptyNode: true,
  }).build(document);
}

export const JUNIT_SUITE = 'failover-drill';

export interface JunitOptions {
  /** The testcases' classname, e.g. the replication group (default: the suite's name). */
  classname?: string;
  /** Wall time of the whole gate, in seconds. */
  timeSeconds?: number;
  /** Extra properties shown by CI (execution ARN, run id …). */
  properties?: Record<string, string | number | null | undefined>;
}

/** The testcase of a durable group's promise: a failure when it was broken. */
export const DURABILITY_CASE = 'durability.promise';

/** The testcase that carries the drill's own error, next to the threshold testcases. */
const EXECUTION_CASE = 'execution';

/** A threshold is judged when it has a limit: an optional one that is unset, or a false flag, is not. */
function judged(thresholds: Thresholds): (keyof Thresholds)[] {
  return (Object.keys(thresholds) as (keyof Thresholds)[])
    .filter((name) => name !== 'clients' && thresholds[name] !== undefined && thresholds[name] !== false)
    .sort();
}

/** One case per client profile and judged client threshold: `clients.<profile>.<threshold>`. */
function clientCases(report: Report): { name: string; client: string; threshold: string }[] {
  const limits = report.thresholds.clients;
  if (!limits) return [];
  const names = Object.keys(limits)
    .filter((name) => limits[name as keyof typeof limits] !== undefined)
    .sort();
  return report.clients.flatMap((client) =>
    names.map((threshold) => ({
      name: `clients.${client.name}.${threshold}`,
      client: client.name,
      threshold,
    })),
  );
}

/** XML 1.0 has no place for most control characters (an error message may carry them). */
const text = (value: string): string => value.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/gu, '\uFFFD');

interface Case {
  '@name': string;
  '@classname': string;
  '@time': number;
  failure?: { '@message': string; '@type': string; '#text': string };
  error?: { '@message': string; '@type': string; '#text': string };
  skipped?: { '@message': string };
}

export function junitXml(report: Report, options: JunitOptions = {}): string {
  const classname = options.classname ?? JUNIT_SUITE;
  const judgedCases = [
    ...judged(report.thresholds).map((name) => ({
      name: name as string,
      violation: report.violations.find((v) => v.threshold === name),
    })),
    ...clientCases(report).map(({ name, client, threshold }) => ({
      name,
      violation: report.violations.find((v) => v.client === client && v.clientThreshold === threshold),
    })),
    // A durable group's promise is judged whatever the thresholds say: its own case.
    ...(report.durability?.promise
      ? [{ name: DURABILITY_CASE, violation: report.violations.find((v) => v.threshold === 'durability') }]
      : []),
  ];
  const cases: Case[] = judgedCases.map(({ name, violation }) => {
    const testcase: Case = { '@name': name, '@classname': classname, '@time': 0 };
    if (violation) {
      testcase.failure = {
        '@message': text(violation.message),
        '@type': violation.clientThreshold ?? name,
        '#text': text(`limit ${violation.limit}, actual ${violation.actual}`),
      };
    } else if (report.verdict === 'error') {
      // Without a verified run there is nothing to judge the threshold against.
      testcase.skipped = { '@message': 'not judged: the drill ended with an error' };
    }
    return testcase;
  });
  if (report.error) {
    cases.push({
      '@name': EXECUTION_CASE,
      '@classname': classname,
      '@time': 0,
      error: {
        '@message': text(report.error.message),
        '@type': text(report.error.name),
        '#text': text(`${report.error.name}: ${report.error.message}`),
      },
    });
  }
  const count = (kind: 'failure' | 'error' | 'skipped') => cases.filter((c) => c[kind]).length;
  const time = Math.round((options.timeSeconds ?? 0) * 1000) / 1000;
  const totals = {
    '@tests': cases.length,
    '@failures': count('failure'),
    '@errors': count('error'),
    '@skipped': count('skipped'),
    '@time': time,
  };
  const all: Record<string, string | number | null | undefined> = {
    verdict: report.verdict,
    runId: report.runId,
    ...options.properties,
  };
  const properties = Object.entries(all)
    .filter((entry): entry is [string, string | number] => entry[1] !== null && entry[1] !== undefined)
    .map(([name, value]) => ({ '@name': name, '@value': text(String(value)) }));
  return buildXml({
    '?xml': { '@version': '1.0', '@encoding': 'UTF-8' },
    testsuites: {
      '@name': JUNIT_SUITE,
      ...totals,
      testsuite: {
        '@name': JUNIT_SUITE,
        ...totals,
        properties: { property: properties },
        testcase: cases,
      },
    },
  }) as string;
}

/** Writes the JUnit file (directories created; replaced atomically, never half-written). */
export function writeJunitReport(
  file: string,
  report: Report | FleetReport,
  options: JunitOptions = {},
): void {
  writeFileAtomic(
    file,
    (report as FleetReport).kind === 'fleet'
      ? fleetJunitXml(report as FleetReport, options)
      : junitXml(report as Report, options),
  );
}

/**
 * A fleet's summary as JUnit XML: one testsuite per target (its drill a testcase: a failure when it
 * exceeded a threshold, an error when it errored or was refused), and one for the fleet's own error.
 */
export function fleetJunitXml(report: FleetReport, options: JunitOptions = {}): string {
  const suite = (name: string, testcase: Case, properties: Record<string, string | number | null>) => {
    const failures = testcase.failure ? 1 : 0;
    const errors = testcase.error ? 1 : 0;
    return {
      '@name': name,
      '@tests': 1,
      '@failures': failures,
      '@errors': errors,
      '@skipped': 0,
      '@time': 0,
      properties: {
        property: Object.entries(properties)
          .filter((entry): entry is [string, string | number] => entry[1] !== null)
          .map(([key, value]) => ({ '@name': key, '@value': text(String(value)) })),
      },
      testcase,
    };
  };
  const suites = report.targets.map((t) => {
    const name = `${JUNIT_SUITE}.${t.replicationGroupId}.${t.nodeGroupId}`;
    const testcase: Case = { '@name': 'drill', '@classname': name, '@time': 0 };
    const message = t.error
      ? `${t.error.name}: ${t.error.message}`
      : `lost ${t.writes.lost} of ${t.writes.acknowledged} acknowledged writes; downtime ${Math.round(t.downtime.ms)} ms`;
    if (t.verdict === 'fail')
      testcase.failure = {
        '@message': text(message),
        '@type': 'DrillThresholdExceeded',
        '#text': text(message),
      };
    if (t.verdict === 'error')
      testcase.error = {
        '@message': text(message),
        '@type': text(t.error?.name ?? 'Error'),
        '#text': text(message),
      };
    return suite(name, testcase, {
      verdict: t.verdict,
      runId: t.runId,
      lostWrites: t.writes.lost,
      downtimeMs: Math.round(t.downtime.ms),
      report: t.report?.json ?? null,
    });
  });
  if (report.error) {
    const name = `${JUNIT_SUITE}.fleet`;
    const message = `${report.error.name}: ${report.error.message}`;
    suites.push(
      suite(
        name,
        {
          '@name': EXECUTION_CASE,
          '@classname': name,
          '@time': 0,
          error: {
            '@message': text(report.error.message),
            '@type': text(report.error.name),
            '#text': text(message),
          },
        },
        { verdict: report.verdict, runId: report.runId },
      ),
    );
  }
  const sum = (key: '@tests' | '@failures' | '@errors') => suites.reduce((n, s) => n + s[key], 0);
  return buildXml({
    '?xml': { '@version': '1.0', '@encoding': 'UTF-8' },
    testsuites: {
      '@name': `${JUNIT_SUITE}.fleet.${report.runId}`,
      '@tests': sum('@tests'),
      '@failures': sum('@failures'),
      '@errors': sum('@errors'),
      '@time': Math.round((options.timeSeconds ?? 0) * 1000) / 1000,
      testsuite: suites,
    },
  }) as string;
}
