/**
 * The probe and each client profile side by side, one row each: the same columns in the text summary,
 * the SNS message and the HTML report. The probe's row is the server's truth; the profiles' rows are
 * what each application client saw.
 */
import type { Report } from './report.js';

export const SIDE_BY_SIDE_COLUMNS = [
  'writer',
  'library',
  'attempted',
  'ok',
  'failed',
  'indeterminate',
  'lost',
  'duplicated',
  'downtime ms',
  'first ok ms',
  'p50 ms',
  'p99 ms',
  'max ms',
  'errors (first…last ms)',
] as const;

const value = (v: number | null | undefined): string =>
  v === null || v === undefined ? '–' : String(Math.round(v * 10) / 10);

/** Null when no profile ran (or the report predates profiles): the probe's own figures say everything then. */
export function sideBySideRows(report: Report): string[][] | null {
  if (!report.clients || report.clients.length === 0) return null;
  const w = report.writes;
  const probeErrors = Object.entries(report.errors)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  const probe = [
    'probe',
    'ioredis (fail-fast)',
    String(w.attempted),
    String(w.acknowledged),
    String(w.failed),
    String(w.indeterminate),
    String(w.lost),
    '–',
    value(report.downtime.ms),
    value(report.failover.timeToFirstSuccessfulWriteMs),
    value(report.latency.during.count > 0 ? report.latency.during.p50 : report.latency.before.p50),
    value(report.latency.during.count > 0 ? report.latency.during.p99 : report.latency.before.p99),
    value(
      Math.max(report.latency.before.max ?? 0, report.latency.during.max ?? 0, report.latency.after.max ?? 0),
    ),
    probeErrors || '–',
  ];
  const rows = report.clients.map((c) => [
    c.name,
    `${c.library} ${c.version}`,
    String(c.writes.attempted),
    String(c.writes.acknowledged),
    String(c.writes.failed),
    `${c.writes.indeterminate}${c.writes.pendingAtStop > 0 ? ` (${c.writes.pendingAtStop} pending at stop)` : ''}`,
    c.verified ? String(c.writes.lost) : '?',
    c.verified ? String(c.writes.duplicated) : '?',
    value(c.downtime.ms),
    value(c.timeToFirstSuccessMs),
    value(c.latency.p50),
    value(c.latency.p99),
    value(c.latency.max),
    c.error
      ? `did not run: ${c.error.name}: ${c.error.message}`
      : Object.entries(c.errors)
          .map(([kind, e]) => `${kind} ${e.count} (${value(e.firstMs)}…${value(e.lastMs)})`)
          .join(', ') || '–',
  ]);
  return [probe, ...rows];
}

/** As fixed-width text lines (the summary and the SNS body). */
export function sideBySideText(report: Report): string[] {
  const rows = sideBySideRows(report);
  if (!rows) return [];
  const table = [[...SIDE_BY_SIDE_COLUMNS], ...rows];
  const widths = SIDE_BY_SIDE_COLUMNS.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const reference = report.clients[0]?.reference === 'T0' ? 'from T0' : "from each writer's start";
  return [
    `  what each client saw (times ${reference}; the probe's downtime is its failed-write window, a profile's its longest wait for an ok):`,
    ...table.map(
      (row) =>
        `    ${row
          .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
          .join('  ')
          .trimEnd()}`,
    ),
  ];
}

/** Cluster mode: one line per shard, and the collateral called out. */
export function shardLines(report: Report): string[] {
  // A state's copy of the report leaves its shards in the stored JSON (stored-figures.ts).
  if (!report.shards?.length) return [];
  const lines = report.shards.map((shard) => {
    const w = shard.writes;
    const errors = Object.entries(shard.errors)
      .map(([kind, e]) => `${kind} ${e.count}`)
      .join(', ');
    return `    ${shard.nodeGroupId}${shard.target ? ' (failed over)' : '              '}  attempted ${w.attempted}, ok ${w.acknowledged}, failed ${w.failed}, indeterminate ${w.indeterminate}, lost ${shard.verified ? w.lost : '?'}; longest wait ${value(shard.downtime.ms)} ms${errors ? `; ${errors}` : ''}${shard.error ? `; did not run: ${shard.error.message}` : ''}`;
  });
  return [
    '  every shard (a fail-fast writer on each):',
    ...lines,
    report.collateral.length > 0
      ? `  collateral       shards not failed over saw non-ok writes: ${report.collateral.join(', ')}`
      : '  collateral       none: only the failed-over shard saw non-ok writes',
  ];
}
