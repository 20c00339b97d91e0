/**
 * Large clusters (issue 26): the shard writers' figures live in the report store, so no state's input or
 * output grows with the shard count. A 3-shard and a 12-shard drill run side by side through the real ASL,
 * handlers and redis-server processes; the largest state of each is compared. The 12 shards' writers fan
 * out over the ShardWriterGroups Map (4 an invocation: 3 groups), so the Map's state is compared too. (64 shards is a bench:
 * 128 redis-server processes do not belong in the suite; see BENCHMARKS.md.)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL_DEFAULT_INPUT } from '../../local/drill.js';
import { runCli } from '../support/run-cli.js';

/**
 * What may grow per group of the fan-out (never per shard): the plan's `{"group":n}`, the Write step's
 * group clock, the report's fan-out row (~100 bytes of JSON in all). The shard map is in the store, so a
 * shard adds nothing; before the figures moved to the store a shard added ~3.7 KB to the largest state.
 */
const FAN_OUT_BYTES_PER_GROUP = 256;
/** Two runs' own figures differ a little (the probe's timeline, its error kinds): not the shard count's. */
const RUN_TO_RUN_BYTES = 2048;

/** The CLI's `preflight state: N bytes` line: the request and the plan, the state every later one carries. */
function preflightState(stderr: string): number {
  const match = /preflight state: (\d+) bytes/.exec(stderr);
  if (!match) throw new Error(`no preflight-state line in:\n${stderr.slice(-3000)}`);
  return Number(match[1]);
}

/** The CLI's `largest state: N bytes (State), limit L` line. */
function largestState(stderr: string): { bytes: number; state: string } {
  const match = /largest state: (\d+) bytes \(([^)]+)\), limit 262144/.exec(stderr);
  if (!match) throw new Error(`no largest-state line in:\n${stderr.slice(-3000)}`);
  return { bytes: Number(match[1]), state: match[2]! };
}

describe('a large cluster drill', () => {
  it('keeps every state the same size at 12 shards fanned out as at 3 in one invocation, and reports every shard', async () => {
    // Prepare: 4 shard writers an invocation, so 12 shards make 3 groups (the probe's and 2 Map items).
    const drill = (shards: number, env: Record<string, string> = {}) =>
      runCli(['local', '--cluster-mode', 'enabled', '--shards', String(shards)], env, { timeoutMs: 100_000 });

    // Act
    const [small, large] = await Promise.all([drill(3), drill(12, { SHARD_WRITERS_PER_INVOCATION: '4' })]);

    // Assess
    for (const [run, shards] of [
      [small, 3],
      [large, 12],
    ] as const) {
      expect(run.code, `${JSON.stringify(run.json?.error)}\n${run.stderr.slice(-2000)}`).toBe(0);
      expect(run.json.verdict).toBe('pass');
      // The report assembled from the store has every shard, each with its figures.
      expect(run.json.shards.map((s) => s.nodeGroupId)).toHaveLength(shards);
      for (const shard of run.json.shards)
        expect(shard.writes.attempted, shard.nodeGroupId).toBeGreaterThan(0);
    }
    // The 3-shard drill fits one invocation; the 12 fanned out, each group stating its clock.
    expect(small.json.blastRadius?.fanOut).toBeUndefined();
    const fanOut = large.json.blastRadius?.fanOut as {
      perInvocation: number;
      groups: { group: number; writers: number; clockOffsetMs: number | null; withinMs: number | null }[];
    };
    expect(fanOut.perInvocation).toBe(4);
    expect(fanOut.groups.map((g) => [g.group, g.writers])).toEqual([
      [0, 4],
      [1, 4],
      [2, 4],
    ]);
    // One machine, one clock: the true offset is 0, and a midpoint estimate errs by at most half the round trips.
    for (const group of fanOut.groups)
      expect(Math.abs(group.clockOffsetMs ?? Number.NaN), `group ${group.group}`).toBeLessThanOrEqual(
        group.withinMs ?? -1,
      );
    expect(large.stderr.match(/✓ WriteShardGroup/g)).toHaveLength(2);
    const growth = largestState(large.stderr).bytes - largestState(small.stderr).bytes;
    expect(
      growth,
      `3 shards: ${largestState(small.stderr).bytes} B, 12: ${largestState(large.stderr).bytes} B`,
    ).toBeLessThanOrEqual(fanOut.groups.length * FAN_OUT_BYTES_PER_GROUP + RUN_TO_RUN_BYTES);
    // The plan names its shard map and the Map's groups by index: it differs only by the fan-out's
    // `shardGroups` and the count's digits, never by the shards' ids or slots.
    const shardGroups = JSON.stringify({ perInvocation: 4, groups: [{ group: 1 }, { group: 2 }] });
    expect(preflightState(large.stderr) - preflightState(small.stderr)).toBe(
      `,"shardGroups":${shardGroups}`.length + '12'.length - '3'.length,
    );
  }, 120_000);

  it('watches a sample of the shards when asked: the target, its neighbour and one drawn, named', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'blast-radius-'));
    const input = join(dir, 'input.json');
    await writeFile(input, JSON.stringify({ ...LOCAL_DEFAULT_INPUT, blastRadius: { sample: 3 } }));
    const args = ['local', '--cluster-mode', 'enabled', '--shards', '6', '--input', input];

    // Act
    const [drill, dryRun] = await Promise.all([
      runCli(args, {}, { timeoutMs: 100_000 }),
      runCli([...args, '--dry-run'], {}, { timeoutMs: 100_000 }),
    ]).finally(() => rm(dir, { recursive: true, force: true }));

    // Assess
    expect(drill.code, drill.stderr).toBe(0);
    const watched = drill.json.blastRadius as { watched: number; unwatched: number; shards: string[] };
    expect(watched).toMatchObject({ chosen: { sample: 3 }, watched: 3, unwatched: 3 });
    // The target (0001, the default) and its slot neighbour 0002 always; shards[] holds only the watched.
    expect(watched.shards).toEqual(expect.arrayContaining(['0001', '0002']));
    expect(drill.json.shards.map((s) => s.nodeGroupId)).toEqual(watched.shards);
    for (const shard of drill.json.shards)
      expect(shard.writes.attempted, shard.nodeGroupId).toBeGreaterThan(0);
    expect(drill.json.cost).toMatchObject({ shardsWatched: 3 });
    // The dry run costs the same blast radius, and names the shards it would watch.
    expect(dryRun.code, dryRun.stderr).toBe(0);
    const preview = dryRun.json.preview as {
      blastRadius: { watched: string[] };
      cost: { shardsWatched: number };
    };
    expect(preview.blastRadius.watched).toHaveLength(3);
    expect(preview.cost.shardsWatched).toBe(3);
    expect(preview.cost).toMatchObject({
      transitions: expect.any(Number),
      lambdaGbSeconds: expect.any(Number),
    });
  }, 120_000);
});
