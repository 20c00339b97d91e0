/**
 * Synthetic histories for unit tests: writes at a fixed rate whose outcome and latency are functions of
 * their start time, fed to the real HistoryRecorder in completion order, summarised as the writer does.
 */
import type { ErrorOutcome } from '../../functions/core/measure/outcomes.js';
import { HistoryRecorder, type RecorderOptions } from '../../functions/core/measure/recorder.js';
import type { IdentitySample, WriterSummary } from '../../functions/core/measure/summary.js';

export interface SyntheticRun {
  rate: number;
  writes: number;
  outcomeAt?: (startMs: number, seq: number) => 'ok' | ErrorOutcome;
  latencyAt?: (startMs: number, seq: number) => number;
  identityAt?: (atMs: number) => Omit<IdentitySample, 'atMs'> | undefined;
  identityEveryMs?: number;
  recorder?: Partial<RecorderOptions>;
}

export function synthesize(run: SyntheticRun): { summary: WriterSummary; recorder: HistoryRecorder } {
  const recorder = new HistoryRecorder({ armAtMs: 0, ...run.recorder });
  const interval = 1000 / run.rate;
  const completions: { seq: number; startMs: number; endMs: number; result: 'ok' | ErrorOutcome }[] = [];
  for (let seq = 0; seq < run.writes; seq++) {
    const startMs = seq * interval;
    const endMs = startMs + (run.latencyAt?.(startMs, seq) ?? 0.2);
    completions.push({ seq, startMs, endMs, result: run.outcomeAt?.(startMs, seq) ?? 'ok' });
  }
  completions.sort((a, b) => a.endMs - b.endMs || a.seq - b.seq);
  const durationMs = completions.at(-1)?.endMs ?? 0;
  const every = run.identityEveryMs ?? 50;
  let nextSampleMs = 0;
  for (const c of completions) {
    while (run.identityAt && nextSampleMs <= c.endMs) {
      const sample = run.identityAt(nextSampleMs);
      if (sample) recorder.observeIdentity({ atMs: nextSampleMs, ...sample });
      nextSampleMs += every;
    }
    recorder.settle(c.seq, c.startMs, c.endMs, c.result);
  }
  const summary: WriterSummary = {
    version: 1,
    runId: 'synthetic',
    writerId: 'w1',
    prefix: 'failover-drill',
    keyBase: 'failover-drill:synthetic',
    slot: null,
    cluster: false,
    endpoint: 'redis://127.0.0.1:6379',
    ttlSeconds: 3600,
    rate: run.rate,
    concurrency: 16,
    baselineMs: run.recorder?.armAtMs ?? 0,
    settleMs: 1000,
    maxDurationMs: 3_600_000,
    startedAtEpochMs: 1_700_000_000_000,
    durationMs,
    stopReason: 'settled',
    skipped: 0,
    ...recorder.summaryParts(),
  };
  return { summary, recorder };
}

/** A small seeded PRNG (mulberry32), so that "scattered" failures are the same on every run. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
