/**
 * The report's charts, after Jepsen's rate and latency plots: (1) writes per bucket by outcome, stacked;
 * (2) the latency of single writes over time, log scale. On both: the downtime shaded, control-plane
 * events and the promotion as labelled vertical markers, lost writes marked where they were acknowledged.
 * Specs are Vega-Lite (plain data, tested as such); vega renders them to SVG on the server — no DOM, no
 * canvas, no script in the page.
 */

import { compile, type TopLevelSpec } from 'vega-lite';
import { decodeWriteSample, type SampledWrite } from '../measure/sample.js';
import { laneTimelineOf } from './chart-data.js';
import type { Report } from './report.js';
import { parse, View } from './vega-headless.js';

/** One row of charts. The probe is the first lane; client profiles and shards add theirs. */
export interface ChartLane {
  name: string;
  timeline: Report['timeline'];
  writes: SampledWrite[];
}

/** A vertical marker on the time axis (writer ms). */
export interface ChartMarker {
  atMs: number;
  label: string;
}

export interface ChartInput {
  lanes: ChartLane[];
  markers: ChartMarker[];
  /** Shaded: the downtime (writer ms). */
  window: { startMs: number; endMs: number; label: string } | null;
  /** Lost writes: how many, the span of their acknowledgements, and the times of those listed (writer ms). */
  lost: { count: number; firstAckMs: number | null; lastAckMs: number | null; ackMs: number[] };
  /** The time axis counts from here (writer ms): T0, or the disruption's start. */
  originMs: number;
  originLabel: string;
  /** A planned change's progress readings (writer ms, AWS's percent), marked along the probe's lane. */
  progress: { atMs: number; percent: number }[];
}

const OUTCOME_COLOURS = { domain: ['ok', 'fail', 'info'], range: ['#2da44e', '#cf222e', '#d4a72c'] };
/** In the latency chart a lost write is an acknowledged write that did not survive: its own mark. */
const WRITE_COLOURS = {
  domain: ['ok', 'lost', 'fail', 'info'],
  range: ['#2da44e', '#6e0b1f', '#cf222e', '#d4a72c'],
};
const WRITE_SHAPES = { domain: WRITE_COLOURS.domain, range: ['circle', 'diamond', 'cross', 'triangle-up'] };
/** A sampled write is a listed lost write when it completed at the lost write's acknowledgement time. */
const SAME_ACK_MS = 0.15;
const WIDTH = 860;
const HEIGHT = 260;
const LANE_HEIGHT = 180;
/** Points drawn at most; beyond, acknowledged writes are thinned evenly (never the non-ok ones). */
const MAX_POINTS = 3000;
const FLOOR_MS = 0.01;

const EVENT_LABELS: Record<string, string> = {
  requested: 'T0: TestFailover requested',
  completed: 'failover completed (event)',
  recoveryFinished: 'recovery finished (event)',
};

/** The chart input from a report: the probe's lane, its events, its downtime and its lost writes. */
export function chartInputOf(report: Report): ChartInput {
  const region = regionLanesOf(report);
  const start = report.run.startedAtEpochMs ?? region?.startedAtEpochMs ?? null;
  const reference = report.failover.referenceEpochMs ?? region?.requestedAtEpochMs ?? null;
  const originMs = start !== null && reference !== null ? reference - start : 0;
  const markers: ChartMarker[] = [...(region?.markers ?? [])];
  const seen = new Set<string>();
  const change = report.changeTimeline;
  if (change) {
    // The change's own request and end stand for T0's generic marker, which names TestFailover.
    seen.add('requested');
    markers.push({ atMs: change.requestedMs, label: `T0: ${change.source} requested` });
    if (change.finishedMs !== null)
      markers.push({ atMs: change.finishedMs, label: `${change.source} applied` });
  }
  for (const event of report.failover.events) {
    const label = EVENT_LABELS[event.kind];
    // The same event from several sources (the group and the node) is one marker.
    if (!label || event.atMs === null || seen.has(event.kind)) continue;
    seen.add(event.kind);
    markers.push({ atMs: event.atMs, label });
  }
  if (report.failover.timeToPromoteMs !== null)
    markers.push({ atMs: originMs + report.failover.timeToPromoteMs, label: 'new primary seen' });
  const { downtime } = report;
  return {
    lanes: [
      {
        name: 'probe',
        timeline: report.timeline,
        writes: report.writeSample ? decodeWriteSample(report.writeSample) : [],
      },
      // One lane per client profile and per shard writer: their buckets, no single writes.
      ...(report.clients ?? []).flatMap((client) =>
        client.timeline ? [{ name: `client ${client.name}`, timeline: client.timeline, writes: [] }] : [],
      ),
      ...(report.shards ?? []).flatMap((shard) =>
        shard.timeline
          ? [
              {
                name: `shard ${shard.nodeGroupId}${shard.target ? ' (failed over)' : ''}`,
                timeline: shard.timeline,
                writes: [],
              },
            ]
          : [],
      ),
      ...(region?.lanes ?? []),
    ],
    markers,
    window:
      downtime.startMs !== null && downtime.endMs !== null
        ? {
            startMs: downtime.startMs,
            endMs: downtime.endMs,
            label: `downtime ${Math.round(downtime.ms)} ms`,
          }
        : null,
    lost: {
      count: report.writes.lost,
      firstAckMs: report.dataLossWindow.firstLostAckMs,
      lastAckMs: report.dataLossWindow.lastLostAckMs,
      ackMs: report.dataLossWindow.lostWrites.map((write) => write.ackMs),
    },
    originMs,
    originLabel:
      report.failover.referenceEpochMs === null && region
        ? 'the region failover requested'
        : report.failover.reference === 'T0'
          ? `T0 (${change ? change.source : 'TestFailover'} requested)`
          : 'the disruption',
    progress: change?.progress ?? [],
  };
}

/**
 * A region failover's lanes (report.global): one per region, then the failback's, on the first
 * failover's axis (its probe's first write), with each request and first acknowledged write as markers.
 */
function regionLanesOf(
  report: Report,
):
  | { startedAtEpochMs: number; requestedAtEpochMs: number; lanes: ChartLane[]; markers: ChartMarker[] }
  | undefined {
  const first = report.global?.timeline;
  if (!report.global || !first) return undefined;
  const axisEpochMs =
    report.run.startedAtEpochMs ?? first.lanes[0]?.startedAtEpochMs ?? first.requestedAtEpochMs;
  const legs = [report.global, report.global.failBack].flatMap((leg) => (leg?.timeline ? [leg] : []));
  const lanes: ChartLane[] = [];
  const markers: ChartMarker[] = [];
  for (const [i, leg] of legs.entries()) {
    const prefix = i === 0 ? '' : 'failback: ';
    for (const lane of leg.timeline!.lanes) {
      const timeline = laneTimelineOf(lane, axisEpochMs);
      if (timeline) lanes.push({ name: `${prefix}region ${lane.region}`, timeline, writes: [] });
    }
    const requestedMs = leg.timeline!.requestedAtEpochMs - axisEpochMs;
    const to = leg.after.primaryRegion;
    markers.push({ atMs: requestedMs, label: `${prefix}failover to ${to} requested` });
    if (leg.rto.firstWriteOkMs !== null)
      markers.push({
        atMs: requestedMs + leg.rto.firstWriteOkMs,
        label: `${prefix}first write acknowledged in ${to}`,
      });
  }
  return { startedAtEpochMs: axisEpochMs, requestedAtEpochMs: first.requestedAtEpochMs, lanes, markers };
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;

/** Labels sit in rows from the top of the plot, each beside its marker, so that none hides another. */
const LABEL_ROW_PX = 13;
const labelY = (row: number) => 4 + row * LABEL_ROW_PX;

/** The rows both charts share: the shaded downtime, the lost writes, the markers and their labels. */
function overlays(input: ChartInput, lane: string): Record<string, unknown>[] {
  const at = (ms: number) => round1(ms - input.originMs);
  const rows: Record<string, unknown>[] = [];
  let row = 0;
  if (input.window)
    rows.push({
      kind: 'window',
      lane,
      t: at(input.window.startMs),
      t2: at(input.window.endMs),
      label: input.window.label,
      py: labelY(row++),
    });
  // Lost writes are the probe's (the profiles' and shards' are in their own figures).
  const lost =
    lane === input.lanes[0]?.name ? input.lost : { count: 0, firstAckMs: null, lastAckMs: null, ackMs: [] };
  if (lost.count > 0 && lost.firstAckMs !== null && lost.lastAckMs !== null)
    rows.push({
      kind: 'lostSpan',
      lane,
      t: at(lost.firstAckMs),
      t2: at(lost.lastAckMs),
      label: `${lost.count} lost writes: acknowledged here, gone after the promotion`,
      py: labelY(row++),
    });
  for (const ms of lost.ackMs) rows.push({ kind: 'lost', lane, t: at(ms) });
  // The change's progress along the probe's lane: a tick and its percent at each reading.
  if (lane === input.lanes[0]?.name)
    for (const p of input.progress)
      rows.push({ kind: 'progress', lane, t: at(p.atMs), label: `${p.percent} %` });
  for (const marker of [...input.markers].sort((a, b) => a.atMs - b.atMs))
    rows.push({ kind: 'marker', lane, t: at(marker.atMs), label: marker.label, py: labelY(row++) });
  return rows;
}

/** The share of the plot's height the labels take: the data keeps below it. */
function headroom(input: ChartInput): number {
  const rows = (input.window ? 1 : 0) + (input.lost.count > 0 ? 1 : 0) + input.markers.length;
  const height = input.lanes.length > 1 ? LANE_HEIGHT : HEIGHT;
  return Math.min(0.6, (labelY(rows) + 4) / height);
}

const only = (kind: string) => ({ filter: `datum.kind === '${kind}'` });

/** `rug`: lost writes as ticks on the time axis (the rate chart; the latency chart marks them as points). */
function overlayLayers(xTitle: string, rug: boolean): Record<string, unknown>[] {
  const x = { field: 't', type: 'quantitative', title: xTitle };
  const py = { field: 'py', type: 'quantitative', scale: null };
  const label = (kind: string, color: string) => ({
    transform: [only(kind)],
    mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, color, fontSize: 11 },
    encoding: { x, y: py, text: { field: 'label' } },
  });
  return [
    {
      transform: [only('window')],
      mark: { type: 'rect', color: '#8250df', opacity: 0.18 },
      encoding: { x, x2: { field: 't2' } },
    },
    {
      transform: [only('lostSpan')],
      mark: { type: 'rect', color: '#cf222e', opacity: 0.18, stroke: '#cf222e', strokeDash: [4, 2] },
      encoding: { x, x2: { field: 't2' } },
    },
    ...(rug
      ? [
          {
            transform: [only('lost')],
            mark: { type: 'tick', color: '#6e0b1f', thickness: 1, orient: 'vertical' },
            encoding: { x, y: { value: 'height' }, size: { value: 10 } },
          },
        ]
      : []),
    {
      transform: [only('marker')],
      mark: { type: 'rule', color: '#1f2328', strokeDash: [3, 3] },
      encoding: { x },
    },
    {
      transform: [only('progress')],
      mark: { type: 'tick', color: '#0969da', thickness: 2, orient: 'vertical' },
      encoding: { x, y: { value: 'height' }, size: { value: 14 } },
    },
    {
      transform: [only('progress')],
      mark: {
        type: 'text',
        align: 'left',
        baseline: 'bottom',
        dx: 3,
        dy: -8,
        color: '#0969da',
        fontSize: 10,
      },
      encoding: { x, y: { value: 'height' }, text: { field: 'label' } },
    },
    label('window', '#6639ba'),
    label('lostSpan', '#a40e26'),
    label('marker', '#1f2328'),
  ];
}

function laned(
  input: ChartInput,
  spec: Record<string, unknown>,
  data: Record<string, unknown>[],
): TopLevelSpec {
  const many = input.lanes.length > 1;
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: data },
    config: {
      font: 'system-ui, sans-serif',
      view: { stroke: '#d0d7de' },
      axis: { grid: true, gridColor: '#eaeef2' },
    },
  };
  if (!many) return { ...base, width: WIDTH, height: HEIGHT, ...spec } as TopLevelSpec;
  return {
    ...base,
    // Lanes in their order (the probe first), not alphabetically.
    facet: {
      row: { field: 'lane', type: 'nominal', title: null, sort: input.lanes.map((lane) => lane.name) },
    },
    spec: { width: WIDTH, height: LANE_HEIGHT, ...spec },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}

/** (1) Writes per bucket by outcome, stacked, with the overlays. */
export function rateSpec(input: ChartInput): TopLevelSpec | null {
  const data: Record<string, unknown>[] = [];
  for (const lane of input.lanes) {
    const t = lane.timeline;
    if (!t || t.ok.length === 0) continue;
    for (let i = 0; i < t.ok.length; i++) {
      const from = round1(t.startMs + i * t.bucketMs - input.originMs);
      for (const outcome of ['ok', 'fail', 'info'] as const) {
        const n = t[outcome][i] ?? 0;
        if (n > 0)
          data.push({ kind: 'bucket', lane: lane.name, t: from, t2: round1(from + t.bucketMs), outcome, n });
      }
    }
    data.push(...overlays(input, lane.name));
  }
  if (!data.some((row) => row.kind === 'bucket')) return null;
  const bucketMs = input.lanes[0]?.timeline?.bucketMs ?? 100;
  const peak = Math.max(
    1,
    ...input.lanes.flatMap(
      (lane) =>
        lane.timeline?.ok.map(
          (ok, i) => ok + (lane.timeline!.fail[i] ?? 0) + (lane.timeline!.info[i] ?? 0),
        ) ?? [],
    ),
  );
  const domainMax = Math.ceil(peak / (1 - headroom(input)));
  const xTitle = `ms from ${input.originLabel}`;
  return laned(
    input,
    {
      layer: [
        {
          transform: [only('bucket')],
          mark: { type: 'rect' },
          encoding: {
            x: { field: 't', type: 'quantitative', title: xTitle },
            x2: { field: 't2' },
            y: {
              field: 'n',
              type: 'quantitative',
              stack: 'zero',
              title: `writes per ${bucketMs} ms`,
              scale: { domainMax, nice: false },
            },
            color: { field: 'outcome', type: 'nominal', scale: OUTCOME_COLOURS, title: 'outcome' },
            order: { field: 'outcome', sort: 'descending' },
            tooltip: [{ field: 't' }, { field: 'outcome' }, { field: 'n' }],
          },
        },
        ...overlayLayers(xTitle, true),
      ],
    },
    data,
  );
}

/** Every sampled write, but at most MAX_POINTS: non-ok writes always, acknowledged ones thinned evenly. */
function thinned(
  writes: SampledWrite[],
  isLost: (write: SampledWrite) => boolean,
): { writes: (SampledWrite | (Omit<SampledWrite, 'outcome'> & { outcome: 'lost' }))[]; every: number } {
  const marked = writes.map((w) => (isLost(w) ? { ...w, outcome: 'lost' as const } : w));
  const ok = marked.filter((w) => w.outcome === 'ok').length;
  const room = Math.max(1, MAX_POINTS - (marked.length - ok));
  const every = Math.max(1, Math.ceil(ok / room));
  let i = 0;
  return { writes: marked.filter((w) => w.outcome !== 'ok' || i++ % every === 0), every };
}

/** (2) The latency of single writes over time, log scale, with the slowest per bucket and the overlays. */
export function latencySpec(input: ChartInput): TopLevelSpec | null {
  const data: Record<string, unknown>[] = [];
  let every = 1;
  const lostAcks = [...input.lost.ackMs].sort((a, b) => a - b);
  const isLost = (w: SampledWrite) => {
    const ack = w.startMs + w.latencyMs;
    return w.outcome === 'ok' && lostAcks.some((ms) => Math.abs(ms - ack) <= SAME_ACK_MS);
  };
  for (const lane of input.lanes) {
    const sample = thinned(lane.writes, isLost);
    every = Math.max(every, sample.every);
    for (const w of sample.writes)
      data.push({
        kind: 'write',
        lane: lane.name,
        t: round1(w.startMs - input.originMs),
        ms: Math.max(FLOOR_MS, w.latencyMs),
        outcome: w.outcome,
      });
    const t = lane.timeline;
    if (t)
      for (let i = 0; i < t.ok.length; i++) {
        const slowest = t.maxLatencyMs[i] ?? 0;
        if (slowest > 0)
          data.push({
            kind: 'slowest',
            lane: lane.name,
            t: round1(t.startMs + (i + 0.5) * t.bucketMs - input.originMs),
            ms: slowest,
          });
      }
    data.push(...overlays(input, lane.name));
  }
  if (!data.some((row) => row.kind === 'write' || row.kind === 'slowest')) return null;
  const xTitle = `ms from ${input.originLabel} (write started)`;
  const values = data.filter((row) => typeof row.ms === 'number').map((row) => row.ms as number);
  const low = Math.min(...values);
  const high = Math.max(...values);
  const share = headroom(input);
  const domainMax = 10 ** (Math.log10(high) + (share / (1 - share)) * (Math.log10(high) - Math.log10(low)));
  const y = {
    field: 'ms',
    type: 'quantitative',
    scale: { type: 'log', domain: [low, domainMax], nice: false },
    title: every > 1 ? `latency, ms (log; 1 in ${every} acknowledged writes)` : 'latency, ms (log)',
  };
  return laned(
    input,
    {
      layer: [
        {
          transform: [only('slowest')],
          mark: { type: 'line', interpolate: 'step', color: '#8c959f', strokeWidth: 1 },
          encoding: { x: { field: 't', type: 'quantitative', title: xTitle }, y },
        },
        {
          transform: [only('write')],
          mark: { type: 'point', filled: true, opacity: 0.65 },
          encoding: {
            x: { field: 't', type: 'quantitative', title: xTitle },
            y,
            color: { field: 'outcome', type: 'nominal', scale: WRITE_COLOURS, title: 'outcome' },
            shape: { field: 'outcome', type: 'nominal', scale: WRITE_SHAPES, title: 'outcome' },
            // Lost writes drawn larger, and last (on top): they are what the drill is for.
            size: { condition: { test: "datum.outcome === 'lost'", value: 36 }, value: 9 },
            order: { condition: { test: "datum.outcome === 'lost'", value: 1 }, value: 0 },
          },
        },
        ...overlayLayers(xTitle, false),
      ],
    },
    data,
  );
}

/** Renders a spec to a self-contained SVG string (no fonts or images fetched, no script). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface ReportCharts {
  rate: string | null;
  latency: string | null;
}

export async function renderCharts(report: Report): Promise<ReportCharts> {
  const input = chartInputOf(report);
  const rate = rateSpec(input);
  const latency = latencySpec(input);
  return {
    rate: rate ? await renderSvg(rate) : null,
    latency: latency ? await renderSvg(latency) : null,
  };
}
