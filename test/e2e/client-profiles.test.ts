import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../local/template.js';
import { cliCommand } from '../support/cli-command.js';
import { runCli } from '../support/run-cli.js';

const execute = promisify(execFile);

/** One shard as the harness found it in the report. */
interface ShardFinding {
  nodeGroupId: string;
  target: boolean;
  writes: { failed: number; indeterminate: number; lost: number };
  downtimeMs: number;
  errors: Record<string, number>;
  verified: boolean;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'failover-drill-profiles-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/**
 * The harness, from outside the project: `harness/client-profiles.py` runs `failover-drill local`
 * as a user would and judges only the --json report, the summary and the exit code (one part per case).
 */
async function harness(part: 'profiles' | 'cluster') {
  const cli = JSON.stringify([process.execPath, ...cliCommand()]);
  const script = join(PROJECT_ROOT, 'test/support/harness/client-profiles.py');
  const out = await execute('python3', [script, cli, dir, part], { timeout: 120_000 }).catch(
    (error: { stdout?: string; stderr?: string }) => error,
  );
  return { findings: JSON.parse(out.stdout || '{}'), stderr: out.stderr };
}

// Each drill has its own local cloud and mostly waits on its timers, so the cases run concurrently.
describe.concurrent('failover-drill local --client', () => {
  it('reports each profile beside the probe, and judges them only by thresholds.clients', async () => {
    // Act: --client ioredis-defaults --client FILE (a fail-fast profile), a client threshold
    const { findings, stderr } = await harness('profiles');

    // Assess: figures that add up, queueing as latency, the fail-fast profile failing, the probe intact
    expect(findings, stderr).toMatchObject({
      ok: true,
      profiles: {
        exitCode: 1,
        probe: { lost: 0, failedButPresent: 0, unexpected: 0 },
        violations: [{ threshold: 'clients', client: 'fail-fast', clientThreshold: 'maxNonOkWrites' }],
        cleanedUp: true,
      },
    });
    const { 'ioredis-defaults': queued, 'fail-fast': failFast } = findings.profiles.clients;
    expect(queued.writes.failed).toBe(0);
    expect(queued.latencyMax).toBeGreaterThan(failFast.latencyMax);
    expect(failFast.writes.failed + failFast.writes.indeterminate).toBeGreaterThan(0);
  });

  it('shows every shard in cluster mode under the realistic failover model: the failed-over one marked, collateral named', async () => {
    // Act: --cluster-mode enabled --shards 3 --failover-model realistic (each delay given)
    const { findings, stderr } = await harness('cluster');

    // Assess
    expect(findings, stderr).toMatchObject({
      ok: true,
      cluster: { exitCode: 0, probe: { lost: 0, failedButPresent: 0 }, cleanedUp: true },
    });
    const { collateral, failedOver } = findings.cluster;
    const shards: ShardFinding[] = findings.cluster.shards;
    expect(shards.map((s) => s.nodeGroupId).sort()).toEqual(['0001', '0002', '0003']);
    for (const shard of shards) {
      expect(shard).toMatchObject({ verified: true, writes: { lost: 0 } });
      expect(shard.downtimeMs).toEqual(expect.any(Number));
      expect(shard.errors).toEqual(expect.any(Object));
    }
    const target = shards.find((s) => s.target)!;
    expect(target.nodeGroupId).toBe(failedOver);
    expect(target.writes.failed + target.writes.indeterminate).toBeGreaterThan(0);
    expect(collateral).toEqual(
      shards
        .filter((s) => !s.target && s.writes.failed + s.writes.indeterminate > 0)
        .map((s) => s.nodeGroupId),
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
