/**
 * The unit tier's guard (test/support/unit-tier.ts) holds: in the `unit` project, starting redis-server, a
 * browser or the CLI throws UnitTierError before any process starts, whichever child_process call is used.
 */
import { execFile, execFileSync, fork, spawn, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { takeRefusals } from './support/unit-tier.js';

describe('the unit tier', () => {
  it.each([
    ['spawn', () => spawn('redis-server', ['--port', '0'])],
    ['spawnSync', () => spawnSync('/usr/bin/redis-server', ['--version'])],
    ['execFile', () => execFile('/usr/bin/chromium', ['--headless'])],
    ['execFileSync', () => execFileSync(process.execPath, ['bin/failover-drill.js', 'local'])],
    ['fork', () => fork('cli/main.ts', ['emulator'])],
    ['promisify(execFile)', () => promisify(execFile)('redis-server', ['--version'])],
  ])('refuses what needs a server or a browser: %s', (_, start) => {
    // Act
    const started = () => start();
    // Assess
    expect(started).toThrow(expect.objectContaining({ name: 'UnitTierError' }));
    // Recorded too, so that a refusal the code under test swallows still fails its file.
    expect(takeRefusals()).toHaveLength(1);
  });

  it('lets other child processes run, promisified ones answering as node:child_process does', async () => {
    // Act
    const run = spawnSync('git', ['--version'], { encoding: 'utf8' });
    const promised = await promisify(execFile)('git', ['--version']);
    // Assess
    expect(run.status).toBe(0);
    expect(promised.stdout).toMatch(/^git version/);
  });
});
