/**
 * Large clusters (issue 26): the shard writers' figures live in the report store, so no state's input or
 * output grows with the shard count. A 3-shard and a 12-shard drill run side by side through the real ASL,
 * handlers and redis-server processes; the largest state of each is compared. (64 shards is a bench:
 * 128 redis-server processes do not belong in the suite; see BENCHMARKS.md.)
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

/**
 * What may grow per shard: the plan's shard map (a node group's id and its slot range, ~45 bytes of
 * JSON). Before the figures moved to the store a shard added ~3.7 KB to the largest state.
 */
const PLAN_BYTES_PER_SHARD = 64;
/** Two runs' own figures differ a little (the probe's timeline, its error kinds): not the shard count's. */
const RUN_TO_RUN_BYTES = 2048;

/** The CLI's `largest state: N bytes (State), limit L` line. */
function largestState(stderr: string): { bytes: number; state: string } {
  const match = /largest state: (\d+) bytes \(([^)]+)\), limit 262144/.exec(stderr);
  if (!match) throw new Error(`no largest-state line in:\n${stderr.slice(-3000)}`);
  return { bytes: Number(match[1]), state: match[2]! };
}

describe('a large cluster drill', () => {
  it('keeps every state the same size at 12 shards as at 3, and reports every shard', async () => {
    // Prepare
    const drill = (shards: number) =>
      runCli(['local', '--cluster-mode', 'enabled', '--shards', String(shards)], {}, { timeoutMs: 100_000 });

    // Act
    const [small, large] = await Promise.all([drill(3), drill(12)]);

    // Assess
    for (const [run, shards] of [
      [small, 3],
      [large, 12],
    ] as const) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.verdict).toBe('pass');
      // The report assembled from the store has every shard, each with its figures.
      expect(run.json.shards.map((s) => s.nodeGroupId)).toHaveLength(shards);
      for (const shard of run.json.shards)
        expect(shard.writes.attempted, shard.nodeGroupId).toBeGreaterThan(0);
    }
    const growth = largestState(large.stderr).bytes - largestState(small.stderr).bytes;
    expect(
      growth,
      `3 shards: ${largestState(small.stderr).bytes} B, 12: ${largestState(large.stderr).bytes} B`,
    ).toBeLessThanOrEqual(9 * PLAN_BYTES_PER_SHARD + RUN_TO_RUN_BYTES);
  }, 120_000);
});
