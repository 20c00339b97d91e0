/**
 * `npm run setup` (scripts/setup.sh) where it cannot install: no redis-server, and neither apt-get nor brew
 * on PATH. It must refuse with exit 2 and say what to install, touching nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../local/template.js';

const SCRIPT = join(PROJECT_ROOT, 'scripts/setup.sh');
const bin = mkdtempSync(join(tmpdir(), 'failover-drill-setup-'));

/** A PATH with only what the script itself runs: no redis-server, no apt-get, no brew, no sudo. */
for (const tool of ['bash', 'uname', 'sed', 'cut', 'id']) {
  const found = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
  symlinkSync(found, join(bin, tool));
}

afterAll(() => rmSync(bin, { recursive: true, force: true }));

describe('npm run setup', () => {
  it('refuses clearly, with exit 2, where it cannot install redis-server', () => {
    // Act
    const run = spawnSync(join(bin, 'bash'), [SCRIPT], { env: { PATH: bin }, encoding: 'utf8' });

    // Assess
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('redis-server 7+ with redis-benchmark is missing');
    expect(run.stderr).toContain('no apt-get (Debian/Ubuntu) or brew (macOS)');
    expect(run.stdout).toBe('');
  });

  it('changes nothing where everything is there', () => {
    // Act: the machine this runs on has redis-server (the suite needs it)
    const run = spawnSync('bash', [SCRIPT], {
      env: { ...process.env, CHROMIUM_PATH: '/bin/sh' },
      encoding: 'utf8',
    });

    // Assess
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/redis-benchmark found: nothing to install/);
    expect(run.stdout).not.toMatch(/running: apt-get|running: brew/);
  });
});
