/** The start's waits alone, without a server: they go on while the nodes advance, and fail naming laggards. */
import { describe, expect, it } from 'vitest';
import { ClusterStartStalledError, type Progress, waitWhileAdvancing } from './progress.js';

/** A look whose `reached` follows the given steps, then stays at the last one. */
function looks(steps: number[], doneAt?: number): () => Promise<Progress> {
  let i = 0;
  return async () => {
    const reached = steps[Math.min(i++, steps.length - 1)]!;
    return { done: reached === doneAt, reached, laggards: async () => ['node-2 knows 1 of 3 nodes'] };
  };
}

describe('waitWhileAdvancing', () => {
  it('waits past the stall window for as long as the nodes advance', async () => {
    // Prepare: one step every look (100 ms), 8 looks, a stall window of 300 ms
    const steps = Array.from({ length: 8 }, (_, i) => i);
    const started = Date.now();

    // Act
    await waitWhileAdvancing('meeting', looks(steps, 7), 300);

    // Assess: done, though far longer than the stall window
    expect(Date.now() - started).toBeGreaterThan(600);
  });

  it('fails once nothing advanced for the stall window, naming the laggards and the load', async () => {
    // Prepare: advances twice, then falls back and stays (a retry loop is not progress)
    const look = looks([1, 2, 1]);

    // Act
    const error = await waitWhileAdvancing('meeting', look, 300).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ClusterStartStalledError);
    expect((error as Error).name).toBe('ClusterStartStalledError');
    expect((error as Error).message).toMatch(
      /^meeting: nothing advanced for 0 s \(load average [\d.]+ on \d+ cores\): node-2 knows 1 of 3 nodes$/,
    );
  });
});
