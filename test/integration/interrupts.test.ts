/**
 * Ctrl-C and a CI job's SIGTERM, sent to real subprocesses: `measure` and `local` still write --json
 * (verdict error, Interrupted) with the writes made so far, clean the run's keys, stop every process they
 * started, and exit 130 / 143.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DrillReport } from '../../functions/core/report/drill-report.js';
import { RedisServer } from '../../local/redis/server.js';
import { cliCommand } from '../support/cli-command.js';
import { runMeasureCli, testTracker, trackedTempDir, until } from '../support/measure-kit.js';
import { alive, redisChildren } from '../support/process.js';

// Each case interrupts a process of its own and waits on it: the cases run concurrently.
describe.concurrent('interrupted commands', () => {
  it('measure on SIGTERM: the JSON says Interrupted, its keys are deleted, exit 143', async ({
    onTestFinished,
  }) => {
    // Prepare
    const track = testTracker(onTestFinished);
    const primary = track(await RedisServer.start({ name: 'interrupt-measure' }));
    const json = join(await trackedTempDir(track), 'report.json');
    const { child, done } = runMeasureCli(
      track,
      ['--endpoint', primary.url, '--rate', '500', '--max-duration', '60'],
      json,
    );
    await until('writes to flow', async () => Number(await primary.call('DBSIZE')) > 100, 20_000);

    // Act
    child.kill('SIGTERM');
    const { code, report } = await done;

    // Assess
    expect(code).toBe(143);
    expect(report).toMatchObject({ verdict: 'error', error: { name: 'Interrupted' } });
    expect(report.error?.message).toMatch(/^interrupted by SIGTERM/);
    expect(report.writes.acknowledged).toBeGreaterThan(100);
    expect(Number(await primary.call('DBSIZE'))).toBe(0);
  });

  it('local on SIGINT while the writer runs: JSON written, run cleaned, every redis-server stopped, exit 130', async ({
    onTestFinished,
  }) => {
    // Prepare
    const track = testTracker(onTestFinished);
    const dir = await trackedTempDir(track);
    const json = join(dir, 'report.json');
    const child = spawn(
      process.execPath,
      [...cliCommand(), 'local', '--json', json, '--report-dir', join(dir, 'reports')],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    track({ stop: async () => void child.kill('SIGKILL') });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    await until('Preflight to accept the drill', async () => stderr.includes('✓ Preflight'), 60_000);
    const servers = redisChildren(child.pid!);
    // The writer has written (its baseline is over), not a fixed time after Preflight: on a loaded machine
    // its cold start may take longer than that, and there would be no key to clean up yet.
    await until(
      'the writer to arm',
      async () => stderr.includes('writer: writing, waiting for the disruption'),
      60_000,
    );

    // Act
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number | null];
    const report = JSON.parse(await readFile(json, 'utf8')) as DrillReport;

    // Assess
    expect(code, stderr).toBe(130);
    expect(report).toMatchObject({ verdict: 'error', error: { name: 'Interrupted' } });
    expect(report.error?.message).toMatch(
      /^interrupted by SIGINT: the execution was stopped; Cleanup deleted [1-9]\d* keys, lock released/,
    );
    expect(servers.length).toBeGreaterThan(0);
    expect(servers.filter(alive)).toEqual([]);
    // The writer's figures so far are kept: counted, consistent with each other and with what Cleanup deleted.
    const { writes, cleanup } = report;
    expect(report.error?.message).toContain("the writer's figures so far are kept, not verified");
    expect(report.disruption.note).not.toBe('no writes were made');
    expect(writes.attempted).toBeGreaterThan(0);
    expect(writes.acknowledged).toBeGreaterThan(0);
    expect(writes.acknowledged + writes.failed + writes.indeterminate).toBe(writes.attempted);
    expect(report.run.stopReason).toBe('aborted');
    expect(cleanup.deleted).toBeGreaterThanOrEqual(writes.acknowledged);
    expect(cleanup.deleted).toBeLessThanOrEqual(writes.acknowledged + writes.indeterminate);
    expect(stdout).toContain(
      `writes           attempted ${writes.attempted}, acknowledged ${writes.acknowledged}, failed ${writes.failed}, indeterminate ${writes.indeterminate}`,
    );
    expect(stdout).toContain('after recovery   not verified: the run was interrupted');
  });
});
