/**
 * The writer's scheduler on a fake clock, without a server: which writes are sent when, how late, when it
 * stops and why. Replies come from a simulated server on the same fake clock and are recorded by the real
 * (pure) HistoryRecorder, whose quiet time drives the settle rule.
 */
import { describe, expect, it } from 'vitest';
import type { ErrorOutcome } from './outcomes.js';
import { HistoryRecorder } from './recorder.js';
import { type ScheduledWrite, type SchedulerSettings, type Timers, WriteScheduler } from './scheduler.js';
import type { StopReason } from './summary.js';

type Result = 'ok' | ErrorOutcome;

/** A fake clock and its timers: `advance` fires every timer due, in order, at its own time. */
class FakeTime implements Timers<number> {
  nowMs = 0;
  private nextId = 0;
  private readonly timers = new Map<number, { atMs: number; callback: () => void }>();

  setTimeout(callback: () => void, ms: number): number {
    this.timers.set(++this.nextId, { atMs: this.nowMs + ms, callback });
    return this.nextId;
  }

  clearTimeout(id: number | undefined): void {
    if (id !== undefined) this.timers.delete(id);
  }

  advance(ms: number): void {
    const endMs = this.nowMs + ms;
    for (;;) {
      const due = [...this.timers]
        .filter(([, t]) => t.atMs <= endMs)
        .sort((a, b) => a[1].atMs - b[1].atMs || a[0] - b[0])[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.nowMs = Math.max(this.nowMs, due[1].atMs);
      due[1].callback();
    }
    this.nowMs = endMs;
  }

  /** The event loop blocked: time passes and no timer fires until the next advance. */
  block(ms: number): void {
    this.nowMs += ms;
  }
}

interface Server {
  /** The reply to a write started at `startMs`, and how long it takes. */
  reply?: (startMs: number) => Result;
  latencyMs?: number;
}

/** A scheduler wired to a simulated server and a real recorder; everything it did is kept. */
function scheduled(
  settings: Partial<SchedulerSettings>,
  server: Server = {},
  io: (time: FakeTime) => { signal?: AbortSignal; deadline?: () => number } = () => ({}),
  /** When a planned change finished (writer ms), as the writer learns it; undefined until then. */
  changeFinishedAtMs: () => number | undefined = () => undefined,
) {
  const time = new FakeTime();
  const recorder = new HistoryRecorder({ armAtMs: settings.baselineMs ?? 0 });
  const sent: ScheduledWrite[] = [];
  const stops: { reason: StopReason; atMs: number }[] = [];
  let connected = true;
  const scheduler: WriteScheduler<Result> = new WriteScheduler<Result>(
    { rate: 1000, concurrency: 8, baselineMs: 0, settleMs: 100, maxDurationMs: 1000, ...settings },
    {
      now: () => time.nowMs,
      timers: time as Timers,
      ...io(time),
      quietForMs: (atMs) => recorder.quietForMs(atMs),
      changeQuietForMs: (atMs) => recorder.changeQuietForMs(atMs, changeFinishedAtMs()),
      settle: (seq, startMs, result) => recorder.settle(seq, startMs, time.nowMs, result),
      stopping: (reason, atMs) => stops.push({ reason, atMs }),
      send: (write) => {
        sent.push(write);
        if (!connected) return { outcome: 'fail', kind: 'NOT_CONNECTED' };
        const result = server.reply?.(write.startMs) ?? 'ok';
        time.setTimeout(() => scheduler.completed(write.seq, result), server.latencyMs ?? 0.2);
        return undefined;
      },
    },
  );
  return {
    time,
    recorder,
    sent,
    stops,
    scheduler,
    disconnect: (down: boolean) => {
      connected = !down;
    },
  };
}

describe('WriteScheduler', () => {
  it('sends one write per slot at the rate, on time, and stops at the hard cap', () => {
    // Prepare: 500 writes per second for 100 ms
    const { time, sent, stops, scheduler } = scheduled({ rate: 500, maxDurationMs: 100 });
    // Act
    scheduler.start();
    time.advance(150);
    // Assess: a write every 2 ms from 0, none late, then the cap
    expect(sent.map((w) => w.startMs)).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
    expect(Math.max(...sent.map((w) => w.latenessMs))).toBe(0);
    expect(stops).toEqual([{ reason: 'maxDuration', atMs: 100 }]);
    expect(scheduler.stopReason).toBe('maxDuration');
  });

  it('never has more writes in flight than the concurrency, skips the slots it could not send and does not call them late', () => {
    // Prepare: replies take 10 ms, 2 in flight at most, a write due every ms
    const { time, sent, scheduler } = scheduled(
      { rate: 1000, concurrency: 2, maxDurationMs: 100 },
      { latencyMs: 10 },
    );
    // Act
    scheduler.start();
    time.advance(200);
    // Assess: two writes per reply round, the rest skipped, none queued
    expect(sent.slice(0, 4).map((w) => w.startMs)).toEqual([0, 1, 10, 11]);
    expect(sent.length).toBeLessThanOrEqual(2 * 11);
    expect(scheduler.skipped).toBeGreaterThan(70);
    // A write that waited for a free slot was not late: it was sent the moment one freed
    expect(Math.max(...sent.map((w) => w.latenessMs))).toBe(0);
  });

  it('stops as settled once writes have succeeded for settleMs after the disruption, not during the baseline', () => {
    // Prepare: a blip in the baseline (until 100 ms), an outage of refusals in [300, 400), settle 100 ms
    const outage = (t: number) => (t >= 50 && t < 60) || (t >= 300 && t < 400);
    const { time, stops, recorder, scheduler } = scheduled(
      { rate: 1000, baselineMs: 100, settleMs: 100, maxDurationMs: 5000 },
      { reply: (t) => (outage(t) ? { outcome: 'fail', kind: 'READONLY' } : 'ok') },
    );
    // Act
    scheduler.start();
    time.advance(1000);
    // Assess: the last refusal completed at 399.2; 100 ms later, at the next slot, it stops
    expect(recorder.disruption).toMatchObject({ firstNonOkMs: 300.2, lastNonOkMs: 399.2, endMs: 400.2 });
    expect(recorder.recorded.baselineNonOk).toBe(10);
    expect(stops).toEqual([{ reason: 'settled', atMs: 500 }]);
  });

  it.each([
    // The tenth write goes out at 9 ms; the next slot sees the cap
    ['maxWrites', { maxWrites: 10 }, undefined, 10],
    ['deadline', {}, 40, 40],
  ] as const)('stops on %s', (reason, settings, deadlineAtMs, atMs) => {
    // Prepare
    const { time, stops, sent, scheduler } = scheduled(
      { rate: 1000, maxDurationMs: 1000, ...settings },
      {},
      (time) => (deadlineAtMs === undefined ? {} : { deadline: () => deadlineAtMs - time.nowMs }),
    );
    // Act
    scheduler.start();
    time.advance(100);
    // Assess
    expect(stops).toEqual([{ reason, atMs }]);
    if (reason === 'maxWrites') expect(sent).toHaveLength(10);
  });

  it('stops as changeFinished settleMs after a change that disrupted nothing, and not before it is known', () => {
    // Prepare: no failure at all; the change finishes at 400 ms, the writer learns it at 600 ms
    const change = { finishedAtMs: 400, knownAtMs: 600 };
    const { time, stops, recorder, scheduler } = scheduled(
      { rate: 1000, baselineMs: 100, settleMs: 100, maxDurationMs: 5000 },
      {},
      () => ({}),
      () => (time.nowMs >= change.knownAtMs ? change.finishedAtMs : undefined),
    );
    // Act
    scheduler.start();
    time.advance(1000);
    // Assess: no disruption; it stops at the first check once the end is known (its settle time has passed)
    expect(recorder.disruption).toBeNull();
    expect(stops).toEqual([{ reason: 'changeFinished', atMs: change.knownAtMs }]);
  });

  it('after a change, waits settleMs of continuous success from the later of its end and the last failure', () => {
    // Prepare: the change finishes at 300 ms, known at once; refusals in [250, 350) from a dropped node
    const outage = (t: number) => t >= 250 && t < 350;
    const { time, stops, recorder, scheduler } = scheduled(
      { rate: 1000, baselineMs: 100, settleMs: 200, maxDurationMs: 5000 },
      { reply: (t) => (outage(t) ? { outcome: 'fail', kind: 'CONNECTION_LOST' } : 'ok') },
      () => ({}),
      () => (time.nowMs >= 300 ? 300 : undefined),
    );
    // Act
    scheduler.start();
    time.advance(1000);
    // Assess: a disruption settles as it always did, 200 ms after its last non-ok write (349.2)
    expect(recorder.disruption).toMatchObject({ lastNonOkMs: 349.2 });
    expect(stops).toEqual([{ reason: 'settled', atMs: 550 }]);
  });

  it('without a change finished, a quiet writer runs to its hard cap as before', () => {
    // Prepare: no failure, no change
    const { time, stops, scheduler } = scheduled({
      rate: 1000,
      baselineMs: 100,
      settleMs: 100,
      maxDurationMs: 700,
    });
    // Act
    scheduler.start();
    time.advance(1000);
    // Assess
    expect(stops).toEqual([{ reason: 'maxDuration', atMs: 700 }]);
  });

  it('a change that finished during the baseline stops the writer no earlier than the baseline', () => {
    // Prepare: the change finished at 20 ms (before arming at 300 ms)
    const { time, stops, scheduler } = scheduled(
      { rate: 1000, baselineMs: 300, settleMs: 100, maxDurationMs: 5000 },
      {},
      () => ({}),
      () => 20,
    );
    // Act
    scheduler.start();
    time.advance(1000);
    // Assess: settle is counted from the arming, the later of the two
    expect(stops).toEqual([{ reason: 'changeFinished', atMs: 400 }]);
  });

  it('stops at once on an abort, and settles what was in flight', async () => {
    // Prepare: replies take 5 ms
    const abort = new AbortController();
    const { time, stops, recorder, scheduler } = scheduled({ rate: 1000 }, { latencyMs: 5 }, () => ({
      signal: abort.signal,
    }));
    scheduler.start();
    time.advance(20.5);
    // Act
    abort.abort();
    time.advance(10);
    // Assess: stopped at 20.5, the writes in flight still settled, then drained
    expect(stops).toEqual([{ reason: 'aborted', atMs: 20.5 }]);
    expect(scheduler.inFlight).toBe(0);
    expect(recorder.recorded.attempted).toBe(21);
    await scheduler.drained;
  });

  it('measures the lateness of a blocked event loop, and skips rather than bursts the slots it missed', () => {
    // Prepare: running on time, 1 write per ms, 4 in flight at most
    const { time, sent, scheduler } = scheduled({ rate: 1000, concurrency: 4, maxDurationMs: 200 });
    scheduler.start();
    time.advance(100.5);
    const before = sent.length;
    // Act: the loop is held for 50 ms, then runs again
    time.block(50);
    time.advance(10);
    // Assess: the write due at 101 went out at 150.5 (49.5 ms late), at most 4 at once, the rest skipped
    const after = sent.slice(before);
    expect(after[0]).toEqual({ seq: before, startMs: 150.5, latenessMs: 49.5 });
    expect(after.filter((w) => w.startMs === 150.5)).toHaveLength(4);
    expect(scheduler.skipped).toBeGreaterThanOrEqual(40);
    expect(after.filter((w) => w.startMs > 151).every((w) => w.latenessMs <= 1)).toBe(true);
  });

  it('at rate 0 fills every slot as replies come, with no schedule to be late against', () => {
    // Prepare: replies take 1 ms, 4 in flight
    const { time, sent, scheduler } = scheduled(
      { rate: 0, concurrency: 4, maxDurationMs: 10 },
      { latencyMs: 1 },
    );
    // Act
    scheduler.start();
    time.advance(20);
    // Assess: 4 writes per ms for 10 ms (the stop conditions are checked every 32 completions)
    expect(sent.length).toBeGreaterThanOrEqual(40);
    expect(sent.filter((w) => w.startMs === 0)).toHaveLength(4);
    expect(sent.every((w) => w.latenessMs === 0)).toBe(true);
    expect(scheduler.stopReason).toBe('maxDuration');
  });

  it('settles a write it could not send at once, and writes again the moment the client is ready', () => {
    // Prepare: a write every 10 ms; the client drops at 25 ms
    const { time, sent, recorder, scheduler, disconnect } = scheduled({ rate: 100, maxDurationMs: 1000 });
    scheduler.start();
    time.advance(25);
    disconnect(true);
    time.advance(20);
    // Act: back at 45 ms, between two slots
    disconnect(false);
    scheduler.ready();
    // Assess: the refusals at 30 and 40 are settled as NOT_CONNECTED; the next write goes out at 45, not 50
    expect(recorder.recorded.errors).toEqual({ NOT_CONNECTED: 2 });
    expect(sent.map((w) => w.startMs)).toEqual([0, 10, 20, 30, 40, 45]);
  });

  it('hands back what is still in flight when closed, and ignores replies after that', () => {
    // Prepare: replies never come in time (1 s), 3 in flight at most, stopped by maxWrites
    const { time, recorder, scheduler } = scheduled(
      { rate: 1000, concurrency: 3, maxWrites: 3 },
      { latencyMs: 1000 },
    );
    scheduler.start();
    time.advance(5);
    // Act
    const unsettled = scheduler.close();
    time.advance(2000);
    // Assess
    expect(scheduler.stopReason).toBe('maxWrites');
    expect(unsettled).toEqual([
      { seq: 0, startMs: 0 },
      { seq: 1, startMs: 1 },
      { seq: 2, startMs: 2 },
    ]);
    expect(recorder.recorded.attempted).toBe(0);
  });
});
