import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULT_INPUT } from '../../local/drill.js';
import { runCli } from './cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'failover-drill-profiles-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

// What the harness runs: a preset and a user's profile FILE beside the probe, in one local drill.
describe('failover-drill local --client', () => {
  it('reports each profile beside the probe, and judges them only by thresholds.clients', async () => {
    // Prepare: a fail-fast user profile, and a threshold that only a client that saw no error passes
    const profile = join(dir, 'fail-fast.json');
    await writeFile(
      profile,
      JSON.stringify({
        name: 'fail-fast',
        library: 'ioredis',
        options: { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 200 },
      }),
    );
    const input = join(dir, 'input.json');
    await writeFile(
      input,
      JSON.stringify({ ...LOCAL_DEFAULT_INPUT, thresholds: { clients: { maxNonOkWrites: 0 } } }),
    );

    // Act
    const run = await runCli([
      'local',
      '--input',
      input,
      '--client',
      'ioredis-defaults',
      '--client',
      profile,
    ]);

    // Assess: the probe's own figures are intact
    expect(run.json.writes).toMatchObject({ lost: 0, failedButPresent: 0, unexpected: 0 });
    expect(run.json.writes.acknowledged).toBeGreaterThan(1000);
    expect(run.json.clients.map((c) => c.name)).toEqual(['ioredis-defaults', 'fail-fast']);
    for (const c of run.json.clients) {
      expect(c.verified).toBe(true);
      expect(c.writes.acknowledged + c.writes.failed + c.writes.indeterminate).toBe(c.writes.attempted);
      expect(c.writes.recovered + c.writes.indeterminateAbsent).toBe(c.writes.indeterminate);
      expect(c.writes.lost).toBe(0);
      expect(c.reference).toBe('T0');
    }
    const [queued, failFast] = run.json.clients;
    // The primary crashes 500 ms after T0: the queueing client waits, the fail-fast one fails.
    expect(failFast!.writes.failed + failFast!.writes.indeterminate).toBeGreaterThan(0);
    expect(queued!.latency.max).toBeGreaterThan(failFast!.latency.max ?? 0);
    // Judged only by the client threshold: the fail-fast profile exceeds it; exit 1, a violation named after it
    expect(run.code, run.stderr).toBe(1);
    expect(run.json.violations).toContainEqual(
      expect.objectContaining({
        threshold: 'clients',
        client: 'fail-fast',
        clientThreshold: 'maxNonOkWrites',
      }),
    );
    expect(run.json.violations.every((v) => v.threshold === 'clients')).toBe(true);
    // Every key of probe and profiles is gone: what was present is what was deleted
    const present = (w: { acknowledged: number; lost: number; recovered: number }) =>
      w.acknowledged - w.lost + w.recovered;
    expect(run.json.cleanup.deleted).toBe(
      present(run.json.writes) +
        run.json.clients.reduce((n, c) => n + present(c.writes) + c.writes.failedButPresent, 0),
    );
    expect(run.stdout).toMatch(/what each client saw/);
    expect(run.stdout).toMatch(/fail-fast\s+ioredis 6\.0\.0/);
  });

  it('shows every shard in cluster mode: a writer on each, the failed-over one marked, collateral named', async () => {
    // Act
    const run = await runCli(['local', '--cluster-mode', 'enabled', '--shards', '3']);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.writes).toMatchObject({ lost: 0, failedButPresent: 0 });
    expect(run.json.shards.map((s) => s.nodeGroupId).sort()).toEqual(['0001', '0002', '0003']);
    expect(run.json.shards.filter((s) => s.target).map((s) => s.nodeGroupId)).toEqual([
      run.json.drill.nodeGroupId,
    ]);
    for (const shard of run.json.shards) {
      expect(shard.verified).toBe(true);
      expect(shard.writes.attempted).toBeGreaterThan(100);
      expect(shard.writes.acknowledged + shard.writes.failed + shard.writes.indeterminate).toBe(
        shard.writes.attempted,
      );
      expect(shard.writes.lost).toBe(0);
    }
    // The failed-over shard saw the failover; collateral is exactly the other shards with non-ok writes
    const target = run.json.shards.find((s) => s.target)!;
    expect(target.writes.failed + target.writes.indeterminate).toBeGreaterThan(0);
    expect(run.json.collateral).toEqual(
      run.json.shards
        .filter((s) => !s.target && s.writes.failed + s.writes.indeterminate > 0)
        .map((s) => s.nodeGroupId),
    );
    expect(run.stdout).toMatch(/every shard/);
    expect(run.stdout).toMatch(/collateral/);
    // Probe and shard writers: every key they left is deleted
    const present = (w: {
      acknowledged: number;
      lost: number;
      recovered: number;
      failedButPresent?: number;
    }) => w.acknowledged - w.lost + w.recovered + (w.failedButPresent ?? 0);
    expect(run.json.cleanup.deleted).toBe(
      present({ ...run.json.writes, failedButPresent: 0 }) +
        run.json.shards.reduce((n, c) => n + present(c.writes), 0),
    );
  });

  it('refuses an option the library does not take, by name, before anything starts', async () => {
    // Prepare
    const profile = join(dir, 'bad.json');
    await writeFile(
      profile,
      JSON.stringify({ name: 'mine', library: 'ioredis', options: { retryStratgy: {} } }),
    );

    // Act
    const run = await runCli(['local', '--client', profile]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.json.error).toMatchObject({ name: 'DrillInputError' });
    expect(run.json.error?.message).toMatch(/mine.*retryStratgy/);
    expect(run.stderr).not.toMatch(/local cloud up/);
  });
});
