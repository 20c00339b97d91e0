/**
 * The consistency checker: figures that measure the same thing two ways must agree. Each rule compares two
 * figures of one report; a disagreement names both and their values, and becomes a finding. A
 * disagreement means one of the two is mis-measured, so the reader must not act on either.
 *
 * It reads the report structurally, as the findings do: a rule runs when the report holds both of its
 * figures. The probe, every client profile and every shard writer are checked alike.
 */
import type { WriteCounts } from '../measure/counts.js';
import type { Finding } from './findings.js';

/** One figure as the finding shows it: its field in report.json and its value. */
export interface Figure {
  name: string;
  value: string;
}

export type RuleId =
  | 'counts-add-up'
  | 'lost-within-acknowledged'
  | 'recovered-within-indeterminate'
  | 'read-back-covers-indeterminate'
  | 'failed-present-within-failed'
  | 'pending-within-indeterminate'
  | 'errors-match-totals'
  | 'timeline-within-totals'
  | 'lost-dated'
  | 'downtime-matches-timeline'
  | 'lag-bytes-match-writes';

/** Two figures that must agree and do not. */
export interface Disagreement {
  rule: RuleId;
  /** What the rule says, in one sentence. */
  says: string;
  figures: [Figure, Figure];
}

/** The slice of a timeline the rules read (a ReportTimeline satisfies it). */
interface TimelineCounts {
  bucketMs: number;
  startMs: number;
  ok: number[];
  fail: number[];
  info: number[];
}

/** A writer's counts as the report holds them: whichever it has (the probe, a profile, a shard). */
type Counts = Partial<WriteCounts>;

/** A client profile or shard writer: its counts, its errors by kind and its lane (its whole run). */
interface WriterView {
  writes: Counts;
  errors?: Record<string, { outcome: 'fail' | 'info'; count: number }>;
  timeline?: TimelineCounts | null;
  verified?: boolean;
}

/** What the checker reads; a Report, a DrillReport or a FindingsInput satisfies it. */
export interface ConsistencyInput {
  runId?: string | null;
  writes: Counts;
  /** The probe's non-ok writes by kind. */
  errors?: Record<string, number>;
  downtime: { ms: number; endMs?: number | null; bounds?: object | null };
  dataLossWindow?: { ms: number; dated?: number; undated?: number };
  failover: {
    replicationLagBytes: number | null;
    replicationLag?: { lagMs: number; behind: number } | null;
  };
  /** The probe's lane: the disruption ± 5 s, so a part of its run. */
  timeline?: TimelineCounts | null;
  run?: { concurrency?: number | null; keyBase?: string | null; verifiedFrom?: string | null };
  clients?: (WriterView & { name: string })[];
  shards?: (WriterView & { nodeGroupId: string })[];
}

const sum = (values: readonly number[]) => values.reduce((a, v) => a + v, 0);

/** Figures of one writer, named as report.json names them (`clients[name].writes.lost`). */
function namer(scope: string): (field: string, value: number | string) => Figure {
  return (field, value) => ({ name: `${scope}${field}`, value: String(value) });
}

/**
 * Rules every writer's counts obey (counts.ts): what was sent adds up, and a read-back classifies only
 * what was sent. `verified`: the read-back ran, so it classified every indeterminate write.
 */
export function countDisagreements(writes: Counts, scope: string, verified: boolean): Disagreement[] {
  const out: Disagreement[] = [];
  const f = namer(scope);
  const { attempted, acknowledged, failed, indeterminate } = writes;
  if (
    attempted !== undefined &&
    acknowledged !== undefined &&
    failed !== undefined &&
    indeterminate !== undefined
  ) {
    // Skipped writes were never attempted; pending ones at the stop are among the indeterminate.
    const settled = acknowledged + failed + indeterminate;
    if (settled !== attempted)
      out.push({
        rule: 'counts-add-up',
        says: 'every attempted write ends acknowledged, failed or indeterminate',
        figures: [
          f('writes.attempted', attempted),
          f('writes.acknowledged + failed + indeterminate', settled),
        ],
      });
  }
  const atMost = (rule: RuleId, text: string, part: string, whole: string) => {
    const a = writes[part as keyof Counts];
    const b = writes[whole as keyof Counts];
    if (a !== undefined && b !== undefined && a > b)
      out.push({ rule, says: text, figures: [f(`writes.${part}`, a), f(`writes.${whole}`, b)] });
  };
  atMost('lost-within-acknowledged', 'only an acknowledged write can be lost', 'lost', 'acknowledged');
  atMost(
    'recovered-within-indeterminate',
    'only an indeterminate write can be recovered',
    'recovered',
    'indeterminate',
  );
  atMost(
    'failed-present-within-failed',
    'only a failed write can be failed and present',
    'failedButPresent',
    'failed',
  );
  atMost(
    'pending-within-indeterminate',
    'a write pending at the stop is indeterminate',
    'pendingAtStop',
    'indeterminate',
  );
  const { recovered, indeterminateAbsent } = writes;
  if (
    verified &&
    indeterminate !== undefined &&
    recovered !== undefined &&
    indeterminateAbsent !== undefined
  ) {
    const classified = recovered + indeterminateAbsent;
    if (classified !== indeterminate)
      out.push({
        rule: 'read-back-covers-indeterminate',
        says: 'the read-back finds every indeterminate write present (recovered) or absent',
        figures: [
          f('writes.recovered + indeterminateAbsent', classified),
          f('writes.indeterminate', indeterminate),
        ],
      });
  }
  return out;
}

/** The non-ok writes by kind add up to the failed and indeterminate writes (by outcome when known). */
export function errorDisagreements(
  writes: Counts,
  errors: Record<string, number | { outcome: 'fail' | 'info'; count: number }>,
  scope: string,
): Disagreement[] {
  const f = namer(scope);
  const entries = Object.values(errors);
  const says = 'every non-ok write is counted under one error kind';
  const byOutcome = entries.every((e) => typeof e === 'object');
  const count = (outcome?: 'fail' | 'info') =>
    sum(
      entries
        .filter((e) => outcome === undefined || (typeof e === 'object' && e.outcome === outcome))
        .map((e) => (typeof e === 'number' ? e : e.count)),
    );
  const out: Disagreement[] = [];
  const check = (label: string, kinds: number, total: number | undefined, field: string) => {
    if (total !== undefined && kinds !== total)
      out.push({
        rule: 'errors-match-totals',
        says,
        figures: [f(label, kinds), f(`writes.${field}`, total)],
      });
  };
  if (byOutcome && entries.length > 0) {
    check('errors (failing kinds, summed)', count('fail'), writes.failed, 'failed');
    check('errors (indeterminate kinds, summed)', count('info'), writes.indeterminate, 'indeterminate');
  } else if (writes.failed !== undefined && writes.indeterminate !== undefined) {
    check(
      'errors (all kinds, summed)',
      count(),
      writes.failed + writes.indeterminate,
      'failed + indeterminate',
    );
  }
  return out;
}

/**
 * A timeline's buckets count the writes by outcome. A lane is its writer's whole run, so its sums equal
 * the totals (`whole`); the probe's lane is a window of its run, so its sums are at most the totals.
 */
export function timelineDisagreements(
  writes: Counts,
  timeline: TimelineCounts,
  scope: string,
  whole: boolean,
): Disagreement[] {
  const f = namer(scope);
  const out: Disagreement[] = [];
  const pairs = [
    ['ok', 'acknowledged'],
    ['fail', 'failed'],
    ['info', 'indeterminate'],
  ] as const;
  for (const [column, field] of pairs) {
    const inTimeline = sum(timeline[column]);
    const total = writes[field];
    if (total === undefined) continue;
    if (whole ? inTimeline !== total : inTimeline > total)
      out.push({
        rule: 'timeline-within-totals',
        says: whole
          ? "a writer's lane counts each of its writes once"
          : "the probe's timeline counts no write its totals do not",
        figures: [f(`timeline.${column} (summed)`, inTimeline), f(`writes.${field}`, total)],
      });
  }
  return out;
}

/**
 * The probe's downtime against its timeline's non-ok writes. Non-ok writes after the baseline start a
 * downtime, and a downtime has non-ok writes. Every non-ok write completed before the downtime's end
 * (the first ok after the last non-ok), so it started before it: no non-ok bucket starts after it.
 */
export function downtimeDisagreements(report: ConsistencyInput): Disagreement[] {
  const { timeline, downtime } = report;
  if (!timeline) return [];
  const nonOk = timeline.fail.map((fail, i) => fail + timeline.info[i]!);
  const count = sum(nonOk);
  const baseline = report.writes.baselineNonOk ?? 0;
  const rule: RuleId = 'downtime-matches-timeline';
  const says = "the downtime spans the timeline's non-ok writes after the baseline";
  const out: Disagreement[] = [];
  const timelineFigure = { name: 'timeline non-ok writes', value: String(count) };
  if (downtime.bounds === null && count > baseline)
    out.push({
      rule,
      says,
      figures: [timelineFigure, { name: 'downtime.ms', value: `${downtime.ms} (no non-ok write)` }],
    });
  if (downtime.ms > 0 && count === 0)
    out.push({ rule, says, figures: [timelineFigure, { name: 'downtime.ms', value: String(downtime.ms) }] });
  const last = nonOk.findLastIndex((n) => n > 0);
  const endMs = downtime.endMs ?? null;
  if (last >= 0 && endMs !== null) {
    const bucketStart = timeline.startMs + last * timeline.bucketMs;
    if (bucketStart > endMs)
      out.push({
        rule,
        says,
        figures: [
          {
            name: 'timeline: last non-ok bucket',
            value: `[${bucketStart}, ${bucketStart + timeline.bucketMs}) ms`,
          },
          { name: 'downtime.endMs', value: `${endMs} ms` },
        ],
      });
  }
  return out;
}

/** The most one write of the probe can weigh in the replication stream (bytes). */
export function writeBytesAtMost(keyBase: string, runId: string): number {
  // SET <keyBase>:<seq> <runId>/<writerId>/<seq> EX <ttl> travels as SET … PXAT <epoch ms> (Redis 7);
  // the longest seq (10 digits) and writer id (80 characters, NAME_PATTERN) are assumed.
  const seq = '9'.repeat(10);
  const args = ['SET', `${keyBase}:${seq}`, `${runId}/${'w'.repeat(80)}/${seq}`, 'PXAT', '9'.repeat(13)];
  const bulk = (arg: string) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`.length;
  return `*${args.length}\r\n`.length + sum(args.map(bulk));
}

/**
 * The replication lag in bytes against the lag in writes. The stream may hold the writes still in flight
 * (not yet acknowledged, so not `behind`): at most the concurrency, and one more for the sample's instant.
 * More bytes than those while no acknowledged write is behind, or no bytes while some are, disagree.
 */
export function lagDisagreements(report: ConsistencyInput): Disagreement[] {
  const bytes = report.failover.replicationLagBytes;
  const lag = report.failover.replicationLag ?? null;
  if (bytes === null || lag === null) return [];
  const rule: RuleId = 'lag-bytes-match-writes';
  const figures: [Figure, Figure] = [
    { name: 'failover.replicationLagBytes', value: String(bytes) },
    { name: 'failover.replicationLag', value: `behind ${lag.behind}, lagMs ${lag.lagMs}` },
  ];
  const keyBase = report.run?.keyBase ?? null;
  if (lag.behind === 0 && lag.lagMs === 0 && keyBase !== null) {
    const inFlight = (report.run?.concurrency ?? 1) + 1;
    const tolerance = inFlight * writeBytesAtMost(keyBase, report.runId ?? '');
    if (bytes > tolerance)
      return [
        {
          rule,
          says: `a replica holding every acknowledged write lacks at most ${inFlight} writes' bytes (${tolerance})`,
          figures,
        },
      ];
  }
  if (lag.behind > 0 && bytes === 0)
    return [{ rule, says: 'a replica lacking acknowledged writes lacks their bytes', figures }];
  return [];
}

/** Every lost write is dated or undated in the data-loss window. */
export function lostDatedDisagreements(report: ConsistencyInput): Disagreement[] {
  const window = report.dataLossWindow;
  const lost = report.writes.lost;
  if (window?.dated === undefined || window.undated === undefined || lost === undefined) return [];
  const counted = window.dated + window.undated;
  return counted === lost
    ? []
    : [
        {
          rule: 'lost-dated',
          says: 'the data-loss window counts every lost write, dated or undated',
          figures: [
            { name: 'dataLossWindow.dated + undated', value: String(counted) },
            { name: 'writes.lost', value: String(lost) },
          ],
        },
      ];
}

function writerDisagreements(view: WriterView, scope: string): Disagreement[] {
  return [
    ...countDisagreements(view.writes, scope, view.verified ?? false),
    ...(view.errors ? errorDisagreements(view.writes, view.errors, scope) : []),
    ...(view.timeline ? timelineDisagreements(view.writes, view.timeline, scope, true) : []),
  ];
}

/** Every disagreement in the report: the probe's, then each client profile's, then each shard's. */
export function disagreementsOf(report: ConsistencyInput): Disagreement[] {
  const verified = report.run?.verifiedFrom != null;
  return [
    ...countDisagreements(report.writes, '', verified),
    ...(report.errors ? errorDisagreements(report.writes, report.errors, '') : []),
    ...(report.timeline ? timelineDisagreements(report.writes, report.timeline, '', false) : []),
    ...(verified ? lostDatedDisagreements(report) : []),
    ...downtimeDisagreements(report),
    ...lagDisagreements(report),
    ...(report.clients ?? []).flatMap((c) => writerDisagreements(c, `clients[${c.name}].`)),
    ...(report.shards ?? []).flatMap((s) => writerDisagreements(s, `shards[${s.nodeGroupId}].`)),
  ];
}

/** A finding per disagreement, naming the two figures and their values. */
export function consistencyFindingsOf(report: ConsistencyInput): Finding[] {
  return disagreementsOf(report).map(({ says, figures: [a, b] }) => ({
    id: 'inconsistent-figures',
    severity: 'warning',
    title: `Two figures disagree: ${a.name} is ${a.value}, ${b.name} is ${b.value}.`,
    detail:
      `They must agree: ${says}. One of them is mis-measured, so neither can be relied on. ` +
      'Report it with the report.json.',
    figures: [a, b],
  }));
}
