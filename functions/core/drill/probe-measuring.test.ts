/** The fault branch's wait for the probe: polls until it measures, and names a writer that never starts. */
import { describe, expect, it } from 'vitest';
import { WriterStartedLateError } from '../../shared/errors.js';
import { awaitMeasuring, PROBE_POLL_MS } from './probe-measuring.js';

/** A clock that only moves when the wait sleeps: the polls are counted, never timed. */
function fakeClock(start: number) {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
  };
}

describe('awaitMeasuring', () => {
  it('returns when the marker appears, with when the probe started', async () => {
    // Prepare: the probe starts measuring on the fourth read
    const clock = fakeClock(1_000);
    const reads = [undefined, undefined, undefined, 1_700];
    // Act
    const wait = await awaitMeasuring(10_000, { ...clock, read: async () => reads.shift() });
    // Assess
    expect(wait).toEqual({ measuringSince: 1_700, waitedMs: 3 * PROBE_POLL_MS, polls: 4 });
  });

  it('keeps polling through a failed read, until the deadline bounds it', async () => {
    // Prepare
    const clock = fakeClock(0);
    let reads = 0;
    const read = async () => {
      reads += 1;
      if (reads === 1) throw new Error('connection reset');
      return reads === 3 ? 42 : undefined;
    };
    // Act
    const wait = await awaitMeasuring(5_000, { ...clock, read });
    // Assess
    expect(wait.measuringSince).toBe(42);
    expect(wait.polls).toBe(3);
  });

  it('throws WriterStartedLateError at the deadline, never sleeping past it', async () => {
    // Prepare: the deadline falls between two polls
    const clock = fakeClock(0);
    const slept: number[] = [];
    const sleep = async (ms: number) => {
      slept.push(ms);
      await clock.sleep(ms);
    };
    // Act
    const wait = awaitMeasuring(600, { now: clock.now, sleep, read: async () => undefined });
    // Assess
    await expect(wait).rejects.toBeInstanceOf(WriterStartedLateError);
    await expect(wait).rejects.toThrow(/had not started measuring 600 ms/);
    expect(slept).toEqual([250, 250, 100]);
  });
});
