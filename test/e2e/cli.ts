import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DrillReport } from '../../functions/core/report/drill-report.js';
import { PROJECT_ROOT } from '../../local/template.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The report written by --json. */
  json: DrillReport;
}

/** Runs `failover-drill …` as a user would (a child process on the same Node), with --json into a temp dir. */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
  options: { reportDir?: string } = {},
): Promise<CliRun> {
  const dir = await mkdtemp(join(tmpdir(), 'failover-drill-e2e-'));
  const json = join(dir, 'report.json');
  try {
    const child = spawn(
      process.execPath,
      [
        join(PROJECT_ROOT, 'bin/failover-drill.js'),
        ...args,
        '--json',
        json,
        '--report-dir',
        options.reportDir ?? join(dir, 'reports'),
      ],
      { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code, stdout, stderr, json: JSON.parse(await readFile(json, 'utf8')) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
