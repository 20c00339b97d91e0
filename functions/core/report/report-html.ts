/**
 * The report as one self-contained HTML page: inline CSS, charts as inline SVG rendered on the server, no
 * script, nothing fetched. The page is a list of sections, each a small renderer of the report; a new
 * part of the report (client profiles, shards, a fleet, a dry run) is one more entry in SECTIONS.
 */
import type { LatencyPercentiles } from '../measure/latency.js';
import type { ReportCharts } from './charts.js';
import type { DrillReport } from './drill-report.js';
import { type Finding, findingsOf } from './findings.js';
import { precisionLine } from './precision.js';
import { SIDE_BY_SIDE_COLUMNS, sideBySideRows } from './side-by-side.js';

/** What the sections render from besides the report: derived once for the page. */
export interface ReportView {
  charts: ReportCharts;
  findings: Finding[];
}

export type Section = (report: DrillReport, view: ReportView) => string;

const html = (value: unknown) => String(value ?? '—').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const ms = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : `${Math.round(value)} ms`;

function rows(pairs: [string, unknown][]): string {
  return pairs.map(([k, v]) => `<tr><th>${html(k)}</th><td>${html(v)}</td></tr>`).join('');
}

/** Tables scroll inside their own box: the page never scrolls sideways, also on a phone. */
const table = (inner: string) => `<div class="scroll"><table>${inner}</table></div>`;

function latencyRow(phase: string, p: LatencyPercentiles): string {
  const cells = [p.count, p.p50, p.p95, p.p99, p.p999, p.max].map((v) => `<td>${html(v)}</td>`).join('');
  return `<tr><th>${phase}</th>${cells}</tr>`;
}

const verdictSection: Section = (report) => {
  const w = report.writes;
  const headline = report.headline.replace(/^(PASS|FAIL|ERROR) /, '');
  const tiles: [string, string, boolean][] = [
    ['downtime', `${ms(report.downtime.ms)}${report.downtime.complete ? '' : '+'}`, false],
    ['lost writes', String(w.lost), w.lost > 0],
    ['data-loss window', ms(report.dataLossWindow.ms), report.dataLossWindow.ms > 0],
    ['time to promote', ms(report.failover.timeToPromoteMs), false],
    ['acknowledged', String(w.acknowledged), false],
  ];
  return `<header class="verdict ${report.verdict}"><p class="badge" id="verdict">${html(report.verdict)}</p><h1>${html(headline)}</h1>
<p class="meta">${html(report.drill.replicationGroupId ?? report.endpoint)} / node group ${html(report.drill.nodeGroupId)} · run ${html(report.runId)}${report.run.startedAtEpochMs ? ` · ${html(new Date(report.run.startedAtEpochMs).toISOString())}` : ''}</p></header>
<ul class="tiles">${tiles.map(([k, v, bad]) => `<li${bad ? ' class="bad"' : ''}><b>${html(v)}</b><span>${html(k)}</span></li>`).join('')}</ul>`;
};

const problemsSection: Section = (report) => {
  const violations = report.violations.map((v) => `<li>${html(v.message)}</li>`).join('');
  return [
    report.error
      ? `<section id="error"><h2>Error</h2><p><b>${html(report.error.name)}</b>: ${html(report.error.message)}</p></section>`
      : '',
    violations ? `<section id="violations"><h2>Thresholds exceeded</h2><ul>${violations}</ul></section>` : '',
  ].join('');
};

const findingsSection: Section = (_report, { findings }) => {
  if (findings.length === 0) return '';
  const items = findings
    .map(
      (f) =>
        `<li class="finding ${f.severity}" data-finding="${html(f.id)}"><p class="title">${html(f.title)}</p><p>${html(f.detail)}</p><p class="rests">Rests on: ${f.figures.map((x) => `${html(x.name)} <b>${html(x.value)}</b>`).join(' · ')}</p></li>`,
    )
    .join('');
  return `<section id="findings"><h2>What it means</h2><ul class="findings">${items}</ul></section>`;
};

const chartsSection: Section = (report, { charts }) => {
  const listed = report.dataLossWindow.lostWrites.length;
  const lost =
    report.writes.lost === 0
      ? ''
      : ` Dark red diamonds: lost writes${listed < report.writes.lost ? ` (the ${listed} the report lists)` : ''}.`;
  const figure = (id: string, svg: string | null, caption: string) =>
    svg
      ? `<figure id="${id}"><div class="chart">${svg}</div><figcaption>${caption}</figcaption></figure>`
      : '';
  const body =
    figure(
      'chart-rate',
      charts.rate,
      'Writes per bucket by outcome (ok green, fail red, indeterminate amber), by the time each write started. Purple: the downtime; dashed red: when the writes later found lost were acknowledged (ticks: each listed lost write); dotted lines: control-plane events and the promotion.',
    ) +
    figure(
      'chart-latency',
      charts.latency,
      `Latency of single writes over time (log scale): one mark per write around the disruption, by the time it started; refused writes sit at the floor. The grey step line is the slowest acknowledged write per bucket over the whole timeline.${lost}`,
    );
  return `<section id="charts"><h2>Timeline</h2>${body || '<p>No timeline: no writes were made.</p>'}</section>`;
};

const figuresSection: Section = (report) =>
  `<section id="figures"><h2>Figures</h2>${table(
    rows([
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
      ['probe precision', report.probe?.precision ? precisionLine(report.probe.precision) : '—'],
      ['time to promote', ms(report.failover.timeToPromoteMs)],
      ['time to first successful write', ms(report.failover.timeToFirstSuccessfulWriteMs)],
      ['time to full recovery', ms(report.failover.timeToFullRecoveryMs)],
      [
        'replication lag at disruption',
        report.failover.replicationLagBytes === null ? '—' : `${report.failover.replicationLagBytes} bytes`,
      ],
      ['disruption', report.disruption.note],
    ]),
  )}</section>`;

const writesSection: Section = (report) => {
  const w = report.writes;
  return `<section id="writes"><h2>Writes</h2>${table(
    rows([
      ['attempted', w.attempted],
      ['acknowledged (ok)', w.acknowledged],
      ['failed (certainly not applied)', w.failed],
      ['indeterminate (sent, no reply)', w.indeterminate],
      ['lost — acknowledged and absent', w.lost],
      ['recovered — indeterminate and present', w.recovered],
      ['indeterminate and absent', w.indeterminateAbsent],
      ['unexpected', w.unexpected],
      ['failed but present (must be 0)', w.failedButPresent],
    ]),
  )}</section>`;
};

/** The probe and the client profiles, one row each (absent when no profile ran). */
const clientsSection: Section = (report) => {
  const found = sideBySideRows(report);
  if (!found) return '';
  const head = SIDE_BY_SIDE_COLUMNS.map((c) => `<th>${html(c)}</th>`).join('');
  const body = found
    .map((row) => `<tr>${row.map((cell) => `<td>${html(cell)}</td>`).join('')}</tr>`)
    .join('');
  return `<section id="clients"><h2>What each client saw</h2>${table(`<tr>${head}</tr>${body}`)}</section>`;
};

/** Cluster mode: every shard's writes, the failed-over one marked, collateral called out. */
const shardsSection: Section = (report) => {
  // A stored report from before shards were reported has none.
  if (!report.shards || report.shards.length === 0) return '';
  const head = ['node group', 'attempted', 'ok', 'failed', 'indeterminate', 'lost', 'downtime', 'errors']
    .map((c) => `<th>${html(c)}</th>`)
    .join('');
  const body = report.shards
    .map((shard) => {
      const w = shard.writes;
      const errors = Object.entries(shard.errors)
        .map(([kind, e]) => `${kind} ${e.count}`)
        .join(', ');
      const cells = [
        `${shard.nodeGroupId}${shard.target ? ' (failed over)' : ''}`,
        w.attempted,
        w.acknowledged,
        w.failed,
        w.indeterminate,
        shard.verified ? w.lost : '?',
        ms(shard.downtime.ms),
        errors || '—',
      ];
      return `<tr>${cells.map((cell) => `<td>${html(cell)}</td>`).join('')}</tr>`;
    })
    .join('');
  const collateral =
    report.collateral.length > 0
      ? `<p><b>Collateral:</b> shards not failed over saw non-ok writes: ${html(report.collateral.join(', '))}</p>`
      : '<p>No collateral: only the failed-over shard saw non-ok writes.</p>';
  return `<section id="shards"><h2>Every shard</h2>${table(`<tr>${head}</tr>${body}`)}${collateral}</section>`;
};

/** The trend over the target's previous drills: medians, the verdict of the rule, the past runs. */
const trendSection: Section = (report) => {
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
  return `<section id="trend"><h2>Trend</h2>${table(
    rows([
      ['previous drills compared', t.previous],
      ['median downtime', ms(t.downtimeMedianMs)],
      ['median lost writes', t.lostMedian],
      ['regression', regression],
    ]),
  )}<p class="note">Rule: ${html(t.rule)}</p>${past ? table(`<tr><th>at</th><th>run</th><th>verdict</th><th>downtime</th><th>lost</th></tr>${past}`) : ''}</section>`;
};

const eventsSection: Section = (report) => {
  const events = report.failover.events
    .map(
      (e) =>
        `<tr><td>${html(e.atMs === null ? null : `${Math.round(e.atMs)} ms`)}</td><td>${html(e.kind)}</td><td>${html(e.message)}</td></tr>`,
    )
    .join('');
  return `<section id="events"><h2>Failover events</h2>${table(`<tr><th>writer time</th><th>kind</th><th>event</th></tr>${events}`)}</section>`;
};

const latencySection: Section = (report) =>
  `<section id="latency"><h2>Latency of acknowledged writes (ms)</h2>${table(
    `<tr><th></th><th>count</th><th>p50</th><th>p95</th><th>p99</th><th>p99.9</th><th>max</th></tr>${latencyRow('before', report.latency.before)}${latencyRow('during', report.latency.during)}${latencyRow('after', report.latency.after)}`,
  )}</section>`;

const cleanupSection: Section = (report) =>
  `<section id="cleanup"><h2>Cleanup</h2>${table(
    rows([
      ['keys deleted', report.cleanup.deleted],
      ['lock released', report.cleanup.lockReleased],
      ['note', report.cleanup.note],
      ...report.cleanup.errors.map((e): [string, unknown] => [e.name, e.message]),
    ]),
  )}</section>`;

/** The page, top to bottom. */
export const SECTIONS: Section[] = [
  verdictSection,
  problemsSection,
  findingsSection,
  chartsSection,
  figuresSection,
  writesSection,
  clientsSection,
  shardsSection,
  trendSection,
  eventsSection,
  latencySection,
  cleanupSection,
];

const STYLE = `
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;padding:1rem;max-width:72rem;color:#1f2328;overflow-wrap:break-word}
h1{font-size:1.25rem;margin:.2rem 0}h2{font-size:1.1rem;margin:1.6rem 0 .5rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}
.verdict{border-left:8px solid;padding:.6rem 1rem;border-radius:6px;background:#f6f8fa}
.verdict.pass{border-color:#1a7f37}.verdict.fail{border-color:#cf222e}.verdict.error{border-color:#9a6700}
.badge{display:inline-block;margin:0;color:#fff;font-weight:700;letter-spacing:.05em;padding:.05rem .6rem;border-radius:4px;text-transform:uppercase}
.pass .badge{background:#1a7f37}.fail .badge{background:#cf222e}.error .badge{background:#9a6700}
.meta,.note,figcaption{color:#57606a;font-size:13px;margin:.2rem 0}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.5rem;list-style:none;padding:0;margin:1rem 0}
.tiles li{border:1px solid #d0d7de;border-radius:6px;padding:.5rem .7rem}.tiles b{display:block;font-size:1.3rem}.tiles span{color:#57606a;font-size:13px}
.tiles li.bad{border-color:#cf222e;background:#ffebe9}
.findings{list-style:none;padding:0}.finding{border-left:4px solid #8c959f;padding:.3rem .8rem;margin:.6rem 0;background:#f6f8fa;border-radius:4px}
.finding.critical{border-color:#cf222e}.finding.warning{border-color:#d4a72c}.finding.info{border-color:#0969da}
.finding p{margin:.25rem 0}.finding .title{font-weight:600}.rests{font-size:13px;color:#57606a}
figure{margin:0 0 1rem}.chart{overflow-x:auto}.chart svg{width:100%;min-width:640px;height:auto;display:block}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.3rem 0 1rem}th,td{border-bottom:1px solid #d0d7de;padding:.25rem .7rem;text-align:left;vertical-align:top}
th{font-weight:600;background:#f6f8fa}
`;

export async function renderReportHtml(report: DrillReport): Promise<string> {
  // Loaded when a page is rendered, not when the module is: vega is most of the Report Lambda's bundle,
  // and its cold start should not wait for it.
  const { renderCharts } = await import('./charts.js');
  const view: ReportView = { charts: await renderCharts(report), findings: findingsOf(report) };
  const body = SECTIONS.map((section) => section(report, view))
    .filter(Boolean)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>failover-drill ${html(report.runId)}: ${html(report.verdict)}</title>
<style>${STYLE}</style></head><body>
${body}
</body></html>
`;
}
