/**
 * The event-loop watch on this process's own event loop: a stall reaches the precision tracker near the
 * time it happened, even when a window is read and restarted the moment the stall ends. No server.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { LOOP_RESOLUTION_MS as TICK_MS, watchEventLoop } from './loop-delay.js';
import { PrecisionTracker } from './precision.js';
import { holdEventLoop } from './stall.fixture.js';

/** How long the test holds the event loop. */
const STALL_MS = 50;

describe('the event-loop watch', () => {
  it('keeps a stall when a window is restarted before the histograms tick again', async () => {
    // Prepare
    const tracker = new PrecisionTracker();
    const zero = performance.now();
    const now = (): number => performance.now() - zero;
    const watch = watchEventLoop(now, tracker);
    await sleep(20);

    // Act: the loop is held, then a window is read and restarted at once, as its timer does when it is
    // the first callback after a stall; a restart forgets the stall under way
    const fromMs = now();
    holdEventLoop(STALL_MS);
    const toMs = now();
    watch.sample();
    await sleep(20);
    const whole = watch.stop();

    // Assess: the other window, not restarted then, recorded it for the time it happened
    const around = tracker.summary(whole, { fromMs, toMs }).aroundDisruption!;
    expect(whole.max).toBeGreaterThanOrEqual(STALL_MS - TICK_MS);
    expect(around.eventLoopDelayMaxMs).toBeGreaterThanOrEqual(STALL_MS - TICK_MS);
  });
});
