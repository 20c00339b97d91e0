import { precisionLine } from './precision.js';
import type { Report } from './report.js';
import { shardLines, sideBySideText } from './side-by-side.js';

const ms = (value: number | null | undefined): string =>
  value === null || value === undefined ? '–' : `${value} ms`;

/** The human summary of a report, as every command prints it and as the SNS notification carries it. */
export function formatReport(
  report: Report & { dryRun?: boolean; headline?: string },
  title: string,
): string {
  const w = report.writes;
  const lines = [`${title}: ${report.dryRun ? 'DRY RUN ' : ''}${report.verdict.toUpperCase()}`];
  if (report.dryRun && report.headline) lines.push(`  plan             ${report.headline}`);
  if (report.error) lines.push(`  error            ${report.error.name}: ${report.error.message}`);
  if (report.endpoint) lines.push(`  endpoint         ${report.endpoint} (${report.run.keyBase}:<seq>)`);
  lines.push(`  disruption       ${report.disruption.note}`);
  if (report.run.startedAtEpochMs !== null) {
    lines.push(
      `  writes           attempted ${w.attempted}, acknowledged ${w.acknowledged}, failed ${w.failed}, indeterminate ${w.indeterminate}`,
      // An interrupted run stopped before its read-back: its zeros are not a finding.
      report.error?.name === 'Interrupted' && report.run.verifiedFrom === null
        ? '  after recovery   not verified: the run was interrupted'
        : `  after recovery   lost ${w.lost}, recovered ${w.recovered}, indeterminate-absent ${w.indeterminateAbsent}, unexpected ${w.unexpected}, failed-but-present ${w.failedButPresent}`,
      `  downtime         ${ms(report.downtime.ms)}${report.downtime.complete ? '' : ' (lower bound: the window is open)'}`,
      `  data-loss window ${ms(report.dataLossWindow.ms)}`,
    );
    if (report.probe?.precision) lines.push(`  probe precision  ${precisionLine(report.probe.precision)}`);
    const f = report.failover;
    if (f.from || f.to) lines.push(`  primary          ${f.from ?? '?'} → ${f.to ?? '(unchanged)'}`);
    if (f.reference) {
      lines.push(
        `  from ${f.reference.padEnd(16)}new primary ${ms(f.timeToPromoteMs)}, first successful write ${ms(f.timeToFirstSuccessfulWriteMs)}`,
      );
    }
    if (Object.keys(report.errors).length > 0) {
      const kinds = Object.entries(report.errors).map(([kind, count]) => `${kind} ${count}`);
      lines.push(`  non-ok by kind   ${kinds.join(', ')}`);
    }
    for (const phase of ['before', 'during', 'after'] as const) {
      const l = report.latency[phase];
      if (l.count > 0)
        lines.push(
          `  latency ${phase.padEnd(8)} p50 ${l.p50} / p95 ${l.p95} / p99 ${l.p99} / p99.9 ${l.p999} / max ${l.max} ms (${l.count} ok)`,
        );
    }
  }
  const d = report.durability;
  if (d) {
    const kept = d.kept === null ? 'not judged' : d.kept ? 'kept' : 'BROKEN';
    lines.push(
      `  durability       ${d.effective ?? 'unknown'} (${d.source}): ${d.promise ? `${d.promise.text} — ${kept}` : 'no promise'}`,
      `  write latency    p50 ${d.writeLatency.p50} / p99 ${d.writeLatency.p99} / p99.9 ${d.writeLatency.p999} ms before the fault (${d.writeLatency.mode ?? 'unknown'})`,
    );
    if (d.rejectedWrites.count > 0)
      lines.push(`  rejected writes  ${d.rejectedWrites.count} (a cluster-down reply: failed, never lost)`);
  }
  lines.push(...regionFailoverLines(report));
  lines.push(...sideBySideText(report));
  lines.push(...shardLines(report));
  lines.push(
    report.violations.length > 0
      ? `  violations       ${report.violations.map((v) => v.message).join('; ')}`
      : '  violations       none',
  );
  return `${lines.join('\n')}\n`;
}

/** report.global: each region failover (and the failback) in one line of figures. */
function regionFailoverLines(report: Report): string[] {
  const g = report.global;
  if (!g) return [];
  return [g, ...(g.failBack ? [g.failBack] : [])].map((leg, i) => {
    const { rpo, rto, crossRegionLagMs: lag } = leg;
    return (
      `  ${(i === 0 ? 'region failover' : 'failback').padEnd(17)}${leg.before.primaryRegion} → ${leg.after.primaryRegion} ` +
      `(${leg.globalReplicationGroupId}): lost ${rpo.lost} in ${ms(rpo.dataLossWindowMs)} ` +
      `(bounds ${rpo.bounds.minMs}–${rpo.bounds.maxMs} ms), first write in ${leg.after.primaryRegion} ${ms(rto.firstWriteOkMs)}, ` +
      `roles swapped ${ms(rto.rolesSwappedMs)}, lag at the request ${ms(lag.measured)} (metric ${ms(lag.metric)})`
    );
  });
}
