/**
 * The tool as people install it: `npm pack` (which compiles to dist/), the tarball installed into an empty
 * project from npm's cache (npm ci has filled it; the registry only for what it lacks), then the installed bin run on this Node — no TypeScript, no tsx.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillReport } from '../../functions/core/report/drill-report.js';
import { PROJECT_ROOT } from '../../local/template.js';

const run = promisify(execFile);
const pkg = JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
const INSTALL_TIMEOUT_MS = 240_000;

let dir: string;
let bin: string;

/** The installed bin on this test's Node (npm's own PATH would also do; this is the Node 22 of npm ci). */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: dir, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'failover-drill-installed-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: PROJECT_ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  await writeFile(join(dir, 'package.json'), '{ "name": "someone-elses-project", "private": true }\n');
  await run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=dev', join(dir, filename!)],
    { cwd: dir, timeout: INSTALL_TIMEOUT_MS },
  );
  bin = join(dir, 'node_modules/failover-drill/bin/failover-drill.js');
}, INSTALL_TIMEOUT_MS + 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the installed package', () => {
  it('ships compiled JavaScript with source maps, and no TypeScript toolchain comes with it', () => {
    // Assess
    const installed = join(dir, 'node_modules');
    expect(existsSync(join(installed, 'failover-drill/dist/cli/main.js'))).toBe(true);
    expect(existsSync(join(installed, 'failover-drill/dist/cli/main.js.map'))).toBe(true);
    expect(existsSync(join(installed, 'failover-drill/cli'))).toBe(false);
    for (const toolchain of ['tsx', 'typescript', 'esbuild']) {
      expect(existsSync(join(installed, toolchain)), toolchain).toBe(false);
    }
  });

  it('prints its version and its help', async () => {
    // Act: both at once (two Node start-ups, nothing shared)
    const [version, help] = await Promise.all([cli(['--version']), cli(['--help'])]);

    // Assess
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    expect(help.code).toBe(0);
    for (const command of ['local', 'measure', 'emulator', 'gate']) expect(help.stdout).toContain(command);
  });

  it('runs a whole local drill that loses writes, and stores its HTML report with the charts', async () => {
    // Act
    const result = await cli(['local', '--replication-lag-ms', '500', '--json', 'report.json']);

    // Assess
    expect(result.code, result.stderr).toBe(1);
    // Not a terminal: plain progress lines, no escape codes.
    expect(result.stderr).toMatch(/writer: disrupted|writer: settling/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape codes are what is asserted
    expect(result.stderr).not.toMatch(/\x1b\[/);
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as DrillReport;
    expect(report.verdict).toBe('fail');
    expect(report.writes.lost).toBeGreaterThan(0);
    const html = await readFile(report.files!.html, 'utf8');
    expect(html).toContain('<figure id="chart-rate"><div class="chart"><svg');
    expect(html).toContain('<figure id="chart-latency"><div class="chart"><svg');
  });
});
