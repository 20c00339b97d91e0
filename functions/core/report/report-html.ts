import type { LatencyPercentiles } from '../measure/latency.js';
import type { DrillReport } from './drill-report.js';

const html = (value: unknown) => String(value ?? '—').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const ms = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : `${Math.round(value)} ms`;

function rows(pairs: [string, unknown][]): string {
  return pairs.map(([k, v]) => `<tr><th>${html(k)}</th><td>${html(v)}</td></tr>`).join('');
}

function latencyRow(phase: string, p: LatencyPercentiles): string {
  const cells = [p.count, p.p50, p.p95, p.p99, p.p999, p.max].map((v) => `<td>${html(v)}</td>`).join('');
  return `<tr><th>${phase}</th>${cells}</tr>`;
}

/**
 * The timeline as a strip of bars, one per 100 ms bucket: height is writes acknowledged, red marks
 * failed writes, amber indeterminate ones. CSS only, so the file stands alone and works offline.
 */
function timelineStrip(report: DrillReport): string {
  const t = report.timeline;
  if (!t || t.ok.length === 0) return '<p>No timeline: no writes were made.</p>';
  const peak = Math.max(1, ...t.ok.map((ok, i) => ok + (t.fail[i] ?? 0) + (t.info[i] ?? 0)));
  const bars = t.ok
    .map((ok, i) => {
      const fail = t.fail[i] ?? 0;
      const info = t.info[i] ?? 0;
      const h = (n: number) => `${((n / peak) * 100).toFixed(1)}%`;
      const at = t.startMs + i * t.bucketMs;
      return `<div class="b" title="${at} ms: ${ok} ok, ${fail} fail, ${info} info"><i class="info" style="height:${h(info)}"></i><i class="fail" style="height:${h(fail)}"></i><i class="ok" style="height:${h(ok)}"></i></div>`;
    })
    .join('');
  const span = t.ok.length * t.bucketMs;
  const { firstLostAckMs, lastLostAckMs } = report.dataLossWindow;
  // Lost writes were acknowledged (green) when written: the band marks when, on the same clock.
  const lost =
    firstLostAckMs !== null && lastLostAckMs !== null
      ? `<div class="lost" style="left:${(((firstLostAckMs - t.startMs) / span) * 100).toFixed(2)}%;width:${Math.max(0.3, ((lastLostAckMs - firstLostAckMs) / span) * 100).toFixed(2)}%" title="${report.writes.lost} acknowledged writes lost, acknowledged between ${Math.round(firstLostAckMs)} and ${Math.round(lastLostAckMs)} ms"></div>`
      : '';
  return `<div class="strip">${bars}${lost}</div><p class="axis">${t.startMs} ms … ${t.startMs + span} ms on the writer's clock, ${t.bucketMs} ms per bar${lost ? '; hatched: when the lost writes were acknowledged' : ''}</p>`;
}

/** The trend over the target's previous drills: medians, the verdict of the rule, the past runs. */
function trendSection(report: DrillReport): string {
  const t = report.trend;
  if (!t) return '';
  const regression =
    t.regression === null ? 'not judged' : t.regression ? `yes — ${t.reasons.join('; ')}` : 'no';
  const past = t.history
    .slice(-10)
    .map(
      (e) =>
        `<tr><td>${html(new Date(e.at).toISOString())}</td><td>${html(e.runId)}</td><td>${html(e.verdict)}</td><td>${html(ms(e.downtimeMs))}</td><td>${html(e.lost)}</td></tr>`,
    )
    .join('');
  return `<h2>Trend</h2><table>${rows([
    ['previous drills compared', t.previous],
    ['median downtime', ms(t.downtimeMedianMs)],
    ['median lost writes', t.lostMedian],
    ['regression', regression],
  ])}</table><p class="axis">Rule: ${html(t.rule)}</p>${past ? `<table><tr><th>at</th><th>run</th><th>verdict</th><th>downtime</th><th>lost</th></tr>${past}</table>` : ''}`;
}

export function renderReportHtml(report: DrillReport): string {
  const w = report.writes;
  const colour = { pass: '#1a7f37', fail: '#cf222e', error: '#9a6700' }[report.verdict];
  const events = report.failover.events
    .map(
      (e) =>
        `<tr><td>${html(e.atMs === null ? null : `${Math.round(e.atMs)} ms`)}</td><td>${html(e.kind)}</td><td>${html(e.message)}</td></tr>`,
    )
    .join('');
  const violations = report.violations.map((v) => `<li>${html(v.message)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>failover-drill ${html(report.runId)}: ${html(report.verdict)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;max-width:70rem;color:#1f2328}
h1{font-size:1.3rem}.verdict{color:#fff;background:${colour};padding:.1rem .6rem;border-radius:4px;text-transform:uppercase}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border-bottom:1px solid #d0d7de;padding:.25rem .8rem;text-align:left}
th{font-weight:600;background:#f6f8fa}
.strip{position:relative;display:flex;align-items:flex-end;height:120px;border:1px solid #d0d7de;padding:2px;gap:0}
.lost{position:absolute;top:0;bottom:0;background:repeating-linear-gradient(45deg,rgba(207,34,46,.55) 0 4px,transparent 4px 8px);border-left:2px solid #cf222e;border-right:2px solid #cf222e}
.b{flex:1;display:flex;flex-direction:column-reverse;height:100%;min-width:1px}
.b i{display:block}.ok{background:#2da44e}.fail{background:#cf222e}.info{background:#d4a72c}
.axis{color:#57606a;font-size:12px}
</style></head><body>
<h1><span class="verdict">${html(report.verdict)}</span> ${html(report.headline.replace(/^(PASS|FAIL|ERROR) /, ''))}</h1>
<table>${rows([
    ['run', report.runId],
    [
      'replication group / node group',
      `${report.drill.replicationGroupId ?? '—'} / ${report.drill.nodeGroupId ?? '—'}`,
    ],
    [
      'failover',
      `${report.failover.from ?? '—'} → ${report.failover.to ?? '—'}${report.failoverTriggered ? ' (TestFailover)' : ''}`,
    ],
    [
      'downtime',
      `${ms(report.downtime.ms)}${report.downtime.complete ? '' : ' (lower bound: the window is open)'}`,
    ],
    ['data-loss window', ms(report.dataLossWindow.ms)],
    ['time to promote', ms(report.failover.timeToPromoteMs)],
    ['time to first successful write', ms(report.failover.timeToFirstSuccessfulWriteMs)],
    ['time to full recovery', ms(report.failover.timeToFullRecoveryMs)],
    [
      'replication lag at disruption',
      report.failover.replicationLagBytes === null ? '—' : `${report.failover.replicationLagBytes} bytes`,
    ],
    ['disruption', report.disruption.note],
  ])}</table>
${report.error ? `<h2>Error</h2><p><b>${html(report.error.name)}</b>: ${html(report.error.message)}</p>` : ''}
${violations ? `<h2>Thresholds exceeded</h2><ul>${violations}</ul>` : ''}
<h2>Writes</h2>
<table>${rows([
    ['attempted', w.attempted],
    ['acknowledged (ok)', w.acknowledged],
    ['failed (certainly not applied)', w.failed],
    ['indeterminate (sent, no reply)', w.indeterminate],
    ['lost — acknowledged and absent', w.lost],
    ['recovered — indeterminate and present', w.recovered],
    ['indeterminate and absent', w.indeterminateAbsent],
    ['unexpected', w.unexpected],
    ['failed but present (must be 0)', w.failedButPresent],
  ])}</table>
<h2>Timeline</h2>${timelineStrip(report)}
${trendSection(report)}
<h2>Failover events</h2><table><tr><th>writer time</th><th>kind</th><th>event</th></tr>${events}</table>
<h2>Latency of acknowledged writes (ms)</h2>
<table><tr><th></th><th>count</th><th>p50</th><th>p95</th><th>p99</th><th>p99.9</th><th>max</th></tr>
${latencyRow('before', report.latency.before)}${latencyRow('during', report.latency.during)}${latencyRow('after', report.latency.after)}</table>
<h2>Cleanup</h2><table>${rows([
    ['keys deleted', report.cleanup.deleted],
    ['lock released', report.cleanup.lockReleased],
    ['note', report.cleanup.note],
    ...report.cleanup.errors.map((e): [string, unknown] => [e.name, e.message]),
  ])}</table>
</body></html>
`;
}
