/**
 * The pure half of the writer: it is told each write's outcome and times (ms since the writer's zero) and
 * each identity sample, in the order they happen, and keeps the compact history that becomes the summary.
 * No I/O, so that synthetic histories test exactly what a real run records.
 */
import { VarintReader, VarintWriter } from './codec.js';
import { createLatencyHistogram, encodeHistogram, recordLatency } from './latency.js';
import { type ErrorOutcome, NOT_SENT, type Outcome } from './outcomes.js';
import { OutcomeLog } from './ranges.js';
import { WriteSampler } from './sample.js';
import type {
  AckLog,
  DisruptionMarks,
  ErrorTimes,
  IdentitySample,
  IdentityTrack,
  LagBytesSource,
  ReplicaLag,
  WriterSummary,
} from './summary.js';
import { TimelineRecorder } from './timeline.js';

export interface RecorderOptions {
  /** Outcomes and identity changes before this (ms) are baseline: they cannot start the disruption. */
  armAtMs: number;
  /** How far before the disruption acknowledgement times are kept (they date lost writes). */
  ackLookbackMs?: number;
  /** Upper bound on acknowledgement times kept (bounds the summary). */
  ackLogCapacity?: number;
}

export const DEFAULT_ACK_LOOKBACK_MS = 10_000;
export const DEFAULT_ACK_LOG_CAPACITY = 8192;
const MAX_IDENTITY_CHANGES = 32;
/** A replica acknowledges its offset about once a second: an acknowledged sample is as old as that. */
const MEASURED_LAG_STANDS_MS = 1000;

export type RecordedCounts = Pick<
  WriterSummary,
  'attempted' | 'acknowledged' | 'failed' | 'indeterminate' | 'baselineNonOk' | 'errors'
>;

export class HistoryRecorder {
  readonly outcomes = new OutcomeLog();
  private readonly timeline = new TimelineRecorder();
  private readonly counts: RecordedCounts = {
    attempted: 0,
    acknowledged: 0,
    failed: 0,
    indeterminate: 0,
    baselineNonOk: 0,
    errors: {},
  };
  private readonly latency = {
    before: createLatencyHistogram(),
    during: createLatencyHistogram(),
    tail: createLatencyHistogram(),
  };
  private marks: DisruptionMarks | null = null;
  private lastOkMs: number | null = null;
  /** Latest start of an acknowledged write: the path was up then (a lower bound of an outage's start). */
  private lastOkStartMs: number | null = null;
  private longestOkGapMs = 0;
  private readonly identity: IdentityTrack = {
    initial: null,
    final: null,
    changedAtMs: null,
    promotedAtMs: null,
    changes: [],
    lagBytes: null,
    lagSampledAtMs: null,
    lagBytesSource: null,
  };
  private readonly acks: AckRing;
  private replicaLag: ReplicaLag | null = null;
  private recentLagMs: number[] = [];
  private readonly sample = new WriteSampler();
  private readonly errorSamples: Record<string, string> = {};
  private readonly errorTimes: Record<string, ErrorTimes> = {};

  constructor(private readonly options: RecorderOptions) {
    this.acks = new AckRing(options.ackLogCapacity ?? DEFAULT_ACK_LOG_CAPACITY);
  }

  get disruption(): DisruptionMarks | null {
    return this.marks;
  }

  get identityTrack(): IdentityTrack {
    return this.identity;
  }

  get recorded(): RecordedCounts {
    return this.counts;
  }

  /** One settled write. Calls must come in completion order. */
  settle(seq: number, startMs: number, endMs: number, result: 'ok' | ErrorOutcome): void {
    const outcome: Outcome = result === 'ok' ? 'ok' : result.outcome;
    const latencyMs = endMs - startMs;
    this.outcomes.set(seq, outcome);
    this.timeline.record(startMs, outcome, latencyMs);
    this.sample.add(startMs, latencyMs, outcome);
    this.counts.attempted++;
    if (result === 'ok') {
      this.counts.acknowledged++;
      this.ok(seq, startMs, endMs, latencyMs);
      return;
    }
    if (outcome === 'fail') this.counts.failed++;
    else this.counts.indeterminate++;
    this.counts.errors[result.kind] = (this.counts.errors[result.kind] ?? 0) + 1;
    if (result.message !== undefined) this.errorSamples[result.kind] ??= result.message;
    const times = this.errorTimes[result.kind];
    if (times) times.lastMs = round(endMs);
    else this.errorTimes[result.kind] = { firstMs: round(endMs), lastMs: round(endMs) };
    // The fault itself refused it (a server error reply) or swallowed it (a command timeout): it was in the
    // fault's hands after it started. A lost connection or a refusal before sending says only that the
    // client had not yet noticed, or was still getting over, the fault.
    const faultSeen = outcome === 'fail' ? result.kind !== NOT_SENT : result.kind === 'TIMEOUT';
    this.nonOk(startMs, endMs, faultSeen);
  }

  /** A sample of the primary's identity from the monitor connection. */
  observeIdentity(sample: IdentitySample): void {
    const track = this.identity;
    const previous = track.final;
    track.final = sample;
    if (!previous || previous.id !== sample.id || previous.role !== sample.role) {
      if (track.changes.length < MAX_IDENTITY_CHANGES) track.changes.push(sample);
    }
    const armed = sample.atMs >= this.options.armAtMs;
    // Until armed, the latest stable master is the one a failover will be measured against.
    if (!armed || !track.initial) {
      if (sample.role === 'master') track.initial = sample;
      return;
    }
    const changed = sample.id !== track.initial.id || sample.role !== 'master';
    if (changed && track.changedAtMs === null) {
      track.changedAtMs = sample.atMs;
      this.seen(sample.atMs, 'identity');
    }
    if (sample.id !== track.initial.id && sample.role === 'master' && track.promotedAtMs === null)
      track.promotedAtMs = sample.atMs;
  }

  /**
   * Replication lag of the primary (bytes not yet on its best replica); only kept before the disruption.
   * A sample read from the replica itself stands against an acknowledged one for a second: the latter is
   * up to a second old, so it replaces the former only when the replica has not been read for as long.
   */
  observeLag(bytes: number, atMs: number, source: LagBytesSource): void {
    if (this.marks) return;
    const track = this.identity;
    if (
      source === 'acknowledged' &&
      track.lagBytesSource === 'replica' &&
      atMs - (track.lagSampledAtMs ?? atMs) < MEASURED_LAG_STANDS_MS
    )
      return;
    track.lagBytes = bytes;
    track.lagSampledAtMs = atMs;
    track.lagBytesSource = source;
  }

  /** Acknowledged seqs above `afterSeq` and their start times (the replica lag sampler's candidates). */
  ackedAfter(afterSeq: number | null): { seqs: number[]; times: number[] } {
    return this.acks.after(afterSeq);
  }

  /** The best replica's view of the writer's sequence; only kept before the disruption. */
  observeReplicaLag(sample: Omit<ReplicaLag, 'predictedLost'>): void {
    if (this.marks) return;
    // The lag of one sample moves with the scheduling of the link; the median of the last three (~100 ms)
    // is steadier, and still follows a link that stalls within a sample or two.
    this.recentLagMs = [...this.recentLagMs.slice(-2), sample.lagMs];
    const sorted = [...this.recentLagMs].sort((a, b) => a - b);
    this.replicaLag = { ...sample, lagMs: sorted[Math.floor(sorted.length / 2)]!, predictedLost: null };
  }

  /**
   * How long writes have been continuously successful since the disruption (ms), or null while there
   * is no disruption yet or writes have not come back.
   */
  quietForMs(nowMs: number): number | null {
    const marks = this.marks;
    if (!marks) return null;
    if (marks.lastNonOkMs !== null && marks.endMs === null) return null;
    const since = Math.max(marks.lastNonOkMs ?? marks.seenAtMs, this.identity.changedAtMs ?? marks.seenAtMs);
    return nowMs - since;
  }

  /**
   * How long writes have been continuously successful since a planned change finished at `finishedAtMs`
   * (ms): since the later of that moment and the writer's arming, or the disruption's last non-ok write
   * when there was one. Null while no change has finished or writes have not come back.
   */
  changeQuietForMs(nowMs: number, finishedAtMs: number | undefined): number | null {
    if (finishedAtMs === undefined) return null;
    const calm = this.marks ? this.quietForMs(nowMs) : nowMs - this.options.armAtMs;
    return calm === null ? null : Math.min(calm, nowMs - finishedAtMs);
  }

  summaryParts(): Pick<
    WriterSummary,
    | keyof RecordedCounts
    | 'outcomes'
    | 'disruption'
    | 'longestOkGapMs'
    | 'identity'
    | 'timeline'
    | 'latency'
    | 'ackLog'
    | 'replicaLag'
    | 'writeSample'
    | 'errorSamples'
    | 'errorTimes'
  > {
    const { before, during, tail } = this.latency;
    return {
      ...this.counts,
      errors: { ...this.counts.errors },
      errorSamples: { ...this.errorSamples },
      errorTimes: structuredClone(this.errorTimes),
      outcomes: this.outcomes.encode(),
      disruption: this.marks ? { ...this.marks } : null,
      longestOkGapMs: round(this.longestOkGapMs),
      identity: structuredClone(this.identity),
      timeline: this.timeline.encode(),
      // Without a disruption every acknowledgement is still in `tail`: it is all "before".
      latency: this.marks
        ? { before: encodeHistogram(before), during: encodeHistogram(during), after: encodeHistogram(tail) }
        : { before: encodeHistogram(tail), during: encodeHistogram(during), after: encodeHistogram(before) },
      ackLog: this.acks.encode(this.marks ? this.marks.seenAtMs - this.lookbackMs : null),
      replicaLag: this.replicaLag
        ? { ...this.replicaLag, predictedLost: this.predictedLost(this.replicaLag) }
        : null,
      writeSample: this.sample.encode(),
    };
  }

  /**
   * Acknowledged writes a promotion at the disruption's start would lose: those applied within the
   * replica's lag before it (the last acknowledged write before the first non-ok, or when the primary
   * changed). Without a disruption, the writes the replica lacked at the last sample.
   */
  private predictedLost(lag: ReplicaLag): number | null {
    const marks = this.marks;
    if (!marks) return lag.behind;
    if (lag.lagMs === 0) return 0;
    // On the writes' start times (when the primary applied them, to within a round trip): a reply the
    // client read late does not move the window.
    const crashMs = marks.lastOkStartMs ?? marks.seenAtMs;
    return this.acks.countStartedBetween(crashMs - lag.lagMs, crashMs);
  }

  private get lookbackMs(): number {
    return this.options.ackLookbackMs ?? DEFAULT_ACK_LOOKBACK_MS;
  }

  private ok(seq: number, startMs: number, endMs: number, latencyMs: number): void {
    if (this.lastOkMs !== null) this.longestOkGapMs = Math.max(this.longestOkGapMs, endMs - this.lastOkMs);
    this.lastOkMs = endMs;
    this.lastOkStartMs = Math.max(this.lastOkStartMs ?? startMs, startMs);
    // Before the disruption everything goes to `tail`; it becomes `before` at the first armed non-ok.
    recordLatency(this.latency.tail, latencyMs);
    this.acks.add(seq, endMs, startMs);
    const marks = this.marks;
    if (marks && marks.lastNonOkMs !== null && marks.endMs === null) marks.endMs = round(endMs);
  }

  private nonOk(startMs: number, endMs: number, faultSeen: boolean): void {
    if (endMs < this.options.armAtMs) {
      this.counts.baselineNonOk++;
      return;
    }
    const { before, during, tail } = this.latency;
    // add() and reset() walk the whole counts array: only when there is something to move.
    const moving = tail.totalCount > 0;
    if (!this.marks || this.marks.firstNonOkMs === null) {
      this.seen(endMs, 'errors');
      const marks = this.marks!;
      marks.firstNonOkMs = round(endMs);
      marks.startMs = this.lastOkMs === null ? null : round(this.lastOkMs);
      marks.lastOkStartMs = this.lastOkStartMs === null ? null : floor(this.lastOkStartMs);
      if (moving) before.add(tail);
    } else if (moving) {
      during.add(tail);
    }
    if (moving) tail.reset();
    this.marks!.lastNonOkMs = round(endMs);
    this.marks!.endMs = null;
    const latest = this.marks!.lastFaultSeenStartMs;
    if (faultSeen && (latest === null || startMs > latest)) this.marks!.lastFaultSeenStartMs = floor(startMs);
  }

  private seen(atMs: number, cause: DisruptionMarks['cause']): void {
    if (this.marks) return;
    this.marks = {
      seenAtMs: round(atMs),
      cause,
      firstNonOkMs: null,
      lastNonOkMs: null,
      startMs: null,
      endMs: null,
      lastOkStartMs: null,
      lastFaultSeenStartMs: null,
    };
    this.acks.freeze();
    this.sample.freeze(atMs);
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** Lower bounds are rounded down, so that rounding never moves them past the truth. */
function floor(ms: number): number {
  return Math.floor(ms * 100) / 100;
}

/**
 * Acknowledgement times by seq: a ring of the latest ones until the disruption, then (frozen) everything
 * that follows until the capacity is used up.
 */
class AckRing {
  private readonly seqs: Float64Array;
  private readonly times: Float64Array;
  /** Each write's start: when the primary applied it, to within a round trip, whatever delayed the reply. */
  private readonly starts: Float64Array;
  private head = 0;
  private size = 0;
  private frozen = false;
  private truncated = false;

  constructor(private readonly capacity: number) {
    this.seqs = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
    this.starts = new Float64Array(capacity);
  }

  /** Acknowledged seqs above `afterSeq` (all kept when null) and their start times, ascending by seq. */
  after(afterSeq: number | null): { seqs: number[]; times: number[] } {
    const found: [number, number][] = [];
    for (let i = this.size - 1; i >= 0; i--) {
      const index = (this.head + i) % this.capacity;
      const seq = this.seqs[index]!;
      if (afterSeq !== null && seq <= afterSeq) break; // acknowledged in seq order on the one connection
      found.push([seq, this.starts[index]!]);
    }
    found.sort((a, b) => a[0] - b[0]);
    return { seqs: found.map(([seq]) => seq), times: found.map(([, time]) => time) };
  }

  /** Acknowledged writes kept that started in (fromMs, toMs]; null when the log does not reach back to fromMs. */
  countStartedBetween(fromMs: number, toMs: number): number | null {
    let count = 0;
    let earliest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.size; i++) {
      const atMs = this.starts[(this.head + i) % this.capacity]!;
      earliest = Math.min(earliest, atMs);
      if (atMs > fromMs && atMs <= toMs) count++;
    }
    return earliest <= fromMs || this.size === 0 ? count : null;
  }

  add(seq: number, atMs: number, startMs: number): void {
    if (this.frozen && this.size === this.capacity) {
      this.truncated = true;
      return;
    }
    const index = (this.head + this.size) % this.capacity;
    this.seqs[index] = seq;
    this.times[index] = atMs;
    this.starts[index] = startMs;
    if (this.size < this.capacity) this.size++;
    else this.head = (this.head + 1) % this.capacity;
  }

  freeze(): void {
    this.frozen = true;
  }

  encode(fromMs: number | null): AckLog {
    const entries: [number, number][] = [];
    for (let i = 0; i < this.size; i++) {
      const index = (this.head + i) % this.capacity;
      const atMs = this.times[index]!;
      if (fromMs === null || atMs >= fromMs) entries.push([this.seqs[index]!, Math.round(atMs * 10)]);
    }
    entries.sort((a, b) => a[0] - b[0]);
    const out = new VarintWriter();
    let previousSeq = 0;
    let previousTime = 0;
    let earliest = Number.POSITIVE_INFINITY;
    for (const [seq, tenths] of entries) {
      out.uint(seq - previousSeq);
      out.int(tenths - previousTime);
      previousSeq = seq;
      previousTime = tenths;
      earliest = Math.min(earliest, tenths);
    }
    return {
      entries: entries.length,
      fromMs: entries.length > 0 ? earliest / 10 : null,
      truncated: this.truncated,
      data: out.encode(),
    };
  }
}

/** seq → acknowledgement time (ms since the writer's zero) for the writes the log kept. */
export function decodeAckLog(log: AckLog): Map<number, number> {
  const times = new Map<number, number>();
  const reader = new VarintReader(log.data);
  let seq = 0;
  let tenths = 0;
  for (let i = 0; i < log.entries; i++) {
    seq += reader.uint();
    tenths += reader.int();
    times.set(seq, tenths / 10);
  }
  return times;
}
