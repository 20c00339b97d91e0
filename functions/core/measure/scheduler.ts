/**
 * The writer's scheduler: when each write is sent and when the writer stops, with no I/O. It runs over an
 * injected clock and injected timers and is told each write's outcome, so that a fake clock tests the
 * rate, the concurrency bound, the catch-up rule and the stop rules (baseline → disruption seen → settle
 * → done; a planned change finished → settle → done; the hard cap, the caller's deadline, an abort)
 * without a server. The I/O shell (`writer.ts`)
 * sends what it is asked to and feeds the replies back.
 */
import type { StopReason } from './summary.js';

/** Slots further behind than this are skipped, not burst: the writer never catches up by queueing. */
export const CATCH_UP_MS = 10;
/** At full speed (rate 0), completions between two checks of the stop conditions. */
export const STOP_CHECK_EVERY = 32;
/** Longest sleep between two checks of the stop conditions while every slot is busy. */
const MAX_SLEEP_MS = 100;

export interface SchedulerSettings {
  /** Writes per second; 0 = as fast as the concurrency allows. */
  rate: number;
  concurrency: number;
  /** Before this (writer ms) the writer does not stop as settled. */
  baselineMs: number;
  /** Continuous success needed after the disruption before stopping. */
  settleMs: number;
  maxDurationMs: number;
  maxWrites?: number;
}

/** The timers the scheduler sleeps on: Node's in the writer, a fake clock's in tests. */
export interface Timers<Handle = unknown> {
  setTimeout(callback: () => void, ms: number): Handle;
  clearTimeout(handle: Handle | undefined): void;
}

export const systemTimers: Timers<NodeJS.Timeout> = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle),
};

/** One write the scheduler asks for. */
export interface ScheduledWrite {
  seq: number;
  /** Writer ms when it was issued. */
  startMs: number;
  /**
   * How long after it could have been sent it was (ms): its start minus the later of its scheduled time
   * and the moment a busy concurrency slot freed for it. Only a late timer or a blocked event loop makes
   * it more than a timer's granularity. 0 at rate 0 (nothing is scheduled).
   */
  latenessMs: number;
}

export interface SchedulerIo<Result> {
  /** Writer ms (monotonic). */
  now(): number;
  timers: Timers;
  /**
   * Sends the write; undefined when it is on its way (its outcome comes back through `completed`), or its
   * outcome at once when it could not be sent (the client is not connected).
   */
  send(write: ScheduledWrite): Result | undefined;
  /** Records a write's outcome (each write exactly once, in completion order). */
  settle(seq: number, startMs: number, result: Result): void;
  /** Continuous success at `atMs` since the disruption (ms), or null (no disruption, or not quiet). */
  quietForMs(atMs: number): number | null;
  /**
   * Continuous success at `atMs` since a planned change finished (ms), or null (no change finished, or
   * not quiet). Absent: the writer knows of no change.
   */
  changeQuietForMs?(atMs: number): number | null;
  /** The writer stops scheduling; in-flight writes still settle. */
  stopping?(reason: StopReason, atMs: number): void;
  signal?: AbortSignal;
  /** Remaining time (ms) the caller allows. */
  deadline?: () => number;
}

export class WriteScheduler<Result> {
  private readonly intervalMs: number;
  private nextSeq = 0;
  private nextDueMs = 0;
  /** seq → start (ms) of every write sent and not yet settled. */
  private readonly pending = new Map<number, number>();
  private skippedSlots = 0;
  private sinceStopCheck = 0;
  /** When a slot last freed while all were busy: a write due before it could not have been sent earlier. */
  private slotFreedAtMs = Number.NEGATIVE_INFINITY;
  private timer: unknown;
  private reason: StopReason | undefined;
  private closed = false;
  private readonly onAbort = (): void => this.pump();
  private markStopped!: () => void;
  private markDrained!: () => void;
  /** Resolves when the writer stops scheduling. */
  readonly stopped = new Promise<void>((resolve) => {
    this.markStopped = resolve;
  });
  /** Resolves once stopped and every write sent has settled. */
  readonly drained = new Promise<void>((resolve) => {
    this.markDrained = resolve;
  });

  constructor(
    private readonly settings: SchedulerSettings,
    private readonly io: SchedulerIo<Result>,
  ) {
    this.intervalMs = settings.rate > 0 ? 1000 / settings.rate : 0;
  }

  get stopReason(): StopReason | undefined {
    return this.reason;
  }

  /** Scheduled slots not attempted because every concurrency slot was busy (never queued). */
  get skipped(): number {
    return this.skippedSlots;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  start(): void {
    this.io.signal?.addEventListener('abort', this.onAbort);
    this.pump();
  }

  /** A sent write's outcome. Ignored once closed: it was settled as unsettled-at-stop already. */
  completed(seq: number, result: Result): void {
    if (this.closed) return;
    const startMs = this.pending.get(seq);
    if (startMs === undefined) return;
    if (this.pending.size === this.settings.concurrency) this.slotFreedAtMs = this.io.now();
    this.pending.delete(seq);
    this.io.settle(seq, startMs, result);
    if (this.reason) {
      if (this.pending.size === 0) this.markDrained();
    } else if (this.intervalMs === 0) {
      // As fast as possible: the freed slot is used at once; the stop conditions are checked every
      // STOP_CHECK_EVERY completions (well under a millisecond at full speed), not after every write.
      if (++this.sinceStopCheck < STOP_CHECK_EVERY && this.room() && this.issue(null)) return;
      this.sinceStopCheck = 0;
      this.pump();
    } else if (this.pending.size === this.settings.concurrency - 1 && this.nextDueMs <= this.io.now()) {
      this.pump(); // a slot freed while writes were due
    }
  }

  /** Back from an outage: write now rather than at the next slot, so the first ok is not late by a slot. */
  ready(): void {
    if (this.reason || this.intervalMs === 0) return;
    this.nextDueMs = Math.min(this.nextDueMs, this.io.now());
    this.pump();
  }

  /**
   * Stops listening and returns the writes still in flight (seq order) for the shell to settle as
   * unsettled; their replies, if any come, are ignored.
   */
  close(): { seq: number; startMs: number }[] {
    this.closed = true;
    this.io.signal?.removeEventListener('abort', this.onAbort);
    this.io.timers.clearTimeout(this.timer);
    this.timer = undefined;
    return [...this.pending].sort((a, b) => a[0] - b[0]).map(([seq, startMs]) => ({ seq, startMs }));
  }

  private stopReasonAt(t: number): StopReason | undefined {
    const { settings, io } = this;
    if (io.signal?.aborted) return 'aborted';
    if (io.deadline && io.deadline() <= 0) return 'deadline';
    if (t >= settings.maxDurationMs) return 'maxDuration';
    if (settings.maxWrites !== undefined && this.nextSeq >= settings.maxWrites) return 'maxWrites';
    const quiet = io.quietForMs(t);
    if (t >= settings.baselineMs && quiet !== null && quiet >= settings.settleMs) return 'settled';
    // A change that disrupted nothing leaves nothing to settle after: its end is the moment to settle from.
    const sinceChange = io.changeQuietForMs?.(t) ?? null;
    if (t >= settings.baselineMs && sinceChange !== null && sinceChange >= settings.settleMs)
      return 'changeFinished';
    return undefined;
  }

  private room(): boolean {
    const { concurrency, maxWrites } = this.settings;
    return this.pending.size < concurrency && (maxWrites === undefined || this.nextSeq < maxWrites);
  }

  /** Issues the next write now (`dueMs`: its scheduled time); false when it could not be sent. */
  private issue(dueMs: number | null): boolean {
    const seq = this.nextSeq++;
    const startMs = this.io.now();
    const latenessMs = dueMs === null ? 0 : Math.max(0, startMs - Math.max(dueMs, this.slotFreedAtMs));
    const refused = this.io.send({ seq, startMs, latenessMs });
    if (refused !== undefined) {
      this.io.settle(seq, startMs, refused);
      return false;
    }
    this.pending.set(seq, startMs);
    return true;
  }

  private sleep(ms: number): void {
    this.timer = this.io.timers.setTimeout(() => this.pump(), ms);
  }

  private pump(): void {
    if (this.reason || this.closed) return;
    this.io.timers.clearTimeout(this.timer);
    this.timer = undefined;
    const t = this.io.now();
    const reason = this.stopReasonAt(t);
    if (reason) {
      this.reason = reason;
      this.io.stopping?.(reason, t);
      this.markStopped();
      if (this.pending.size === 0) this.markDrained();
      return;
    }
    if (this.intervalMs === 0) {
      while (this.room()) if (!this.issue(null)) break;
      if (this.pending.size === 0) this.sleep(1); // not connected: one refused write per tick
      return;
    }
    const interval = this.intervalMs;
    while (this.room() && this.nextDueMs <= t) {
      this.issue(this.nextDueMs);
      this.nextDueMs += interval;
    }
    const behind = t - this.nextDueMs;
    if (behind > Math.max(interval, CATCH_UP_MS)) {
      const missed = Math.floor(behind / interval);
      this.skippedSlots += missed;
      this.nextDueMs += missed * interval;
    }
    // Also wake up for the stop conditions when every slot is busy.
    this.sleep(Math.max(1, Math.min(Math.ceil(this.nextDueMs - t), MAX_SLEEP_MS)));
  }
}
