import { type FleetReport, writeCostOf } from './fleet-report.js';

const html = (value: unknown) => String(value ?? '—').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const COLOUR = { pass: '#1a7f37', fail: '#cf222e', error: '#9a6700' };

/**
 * The fleet's page: a row per target linking its own report. Reports sit side by side in the store
 * (`<runId>/report.html`), so the links are relative and work in S3 and in a local directory alike.
 */
export function renderFleetHtml(report: FleetReport): string {
  const rows = report.targets
    .map((t) => {
      const link = t.report ? `<a href="../${encodeURIComponent(t.runId)}/report.html">report</a>` : '—';
      const trend = t.trend
        ? `${t.trend.previous} previous${t.trend.regression ? ', <b>regression</b>' : ''}`
        : '—';
      // The mode beside what a write cost under it, so that groups of different modes read side by side.
      const cost = writeCostOf(t);
      const write = cost ? `${html(cost.p50)} / ${html(cost.p99)} ms` : '—';
      return `<tr><td><span class="v" style="background:${COLOUR[t.verdict]}">${html(t.verdict)}</span></td><td>${html(t.replicationGroupId)}</td><td>${html(t.nodeGroupId)}</td><td>${html(t.writes.lost)}</td><td>${html(Math.round(t.downtime.ms))} ms</td><td>${html(cost?.durability)}</td><td>${write}</td><td>${t.error ? `${html(t.error.name)}: ${html(t.error.message)}` : '—'}</td><td>${trend}</td><td>${link}</td></tr>`;
    })
    .join('');
  const budget = report.budget
    ? `<p>TestFailover budget: ${html(report.budget.usedLast24h)} of ${html(report.budget.limit)} node groups used in the last 24 h before this fleet; ${html(report.budget.planned)} planned.</p>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>failover-drill fleet ${html(report.runId)}: ${html(report.verdict)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;max-width:80rem;color:#1f2328}
h1{font-size:1.3rem}.v{color:#fff;padding:.1rem .5rem;border-radius:4px;text-transform:uppercase}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border-bottom:1px solid #d0d7de;padding:.25rem .8rem;text-align:left}
th{font-weight:600;background:#f6f8fa}
</style></head><body>
<h1><span class="v" style="background:${COLOUR[report.verdict]}">${html(report.verdict)}</span> ${html(report.headline.replace(/^(PASS|FAIL|ERROR) /, ''))}</h1>
${report.error ? `<p><b>${html(report.error.name)}</b>: ${html(report.error.message)}</p>` : ''}${budget}
<table><tr><th>verdict</th><th>replication group</th><th>node group</th><th>lost</th><th>downtime</th><th>durability</th><th>write p50 / p99</th><th>error</th><th>trend</th><th>report</th></tr>${rows}</table>
</body></html>
`;
}
