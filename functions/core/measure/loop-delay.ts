/**
 * How long the writer's event loop was held, on native timers (perf_hooks): the whole run in one histogram,
 * and windows of it into the precision tracker (`precision.ts`), so that the report can say how late the
 * loop ran around the disruption. The writer's I/O shell starts it; nothing here knows about writes.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { PrecisionTracker } from './precision.js';

/** The histograms' tick (ms): what they record beyond it is delay, so a stall is measured to within it. */
export const LOOP_RESOLUTION_MS = 1;
/** How often a window is read into the tracker (each window spans two of these). */
const LOOP_SAMPLE_MS = 100;

export interface EventLoopWatch {
  /** Reads the older window into the tracker and restarts it (the watch does this every LOOP_SAMPLE_MS). */
  sample(): void;
  /** Reads both windows, stops, and returns the whole run's delay (ms). */
  stop(): { p99: number; max: number };
}

/**
 * Starts watching the event loop. A histogram records the time between two of its ticks when the second
 * one comes, and its reset forgets when the first one was: a stall under way at a reset is never recorded
 * by the histogram reset. So two windows are reset in turn, LOOP_SAMPLE_MS apart: the stall under way at
 * one's reset is recorded by the other, and each reading covers the two intervals since its last reset.
 */
export function watchEventLoop(now: () => number, tracker: PrecisionTracker): EventLoopWatch {
  const whole = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const startMs = now();
  const windows = [0, 1].map(() => ({
    histogram: monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS }),
    fromMs: startMs,
  }));
  let older = 0;
  // The histograms record the whole time between two ticks: the delay is what exceeds the tick.
  const delayMs = (ns: number): number => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);
  const sample = (): void => {
    const window = windows[older]!;
    older = 1 - older;
    const atMs = now();
    if (window.histogram.count > 0) tracker.loopDelay(window.fromMs, atMs, delayMs(window.histogram.max));
    window.histogram.reset();
    window.fromMs = atMs;
  };
  whole.enable();
  for (const window of windows) window.histogram.enable();
  const timer = setInterval(sample, LOOP_SAMPLE_MS);
  return {
    sample,
    stop() {
      clearInterval(timer);
      sample();
      sample();
      for (const window of [...windows, { histogram: whole }]) window.histogram.disable();
      if (whole.count === 0) return { p99: 0, max: 0 };
      return { p99: delayMs(whole.percentile(99)), max: delayMs(whole.max) };
    },
  };
}
