/** `failover-drill …` run as a user runs it, for the end-to-end tests: exit code, output and the --json report. */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DrillReport } from '../../functions/core/report/drill-report.js';
import { cliCommand } from './cli-command.js';

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
  options: {
    reportDir?: string;
    timeoutMs?: number;
    /** Sees stderr as it comes (progress lines), e.g. to reach the local cloud while the drill runs. */
    onStderr?: (chunk: string) => void;
  } = {},
): Promise<CliRun> {
  const dir = await mkdtemp(join(tmpdir(), 'failover-drill-e2e-'));
  const json = join(dir, 'report.json');
  try {
    const child = spawn(
      process.execPath,
      [
        '--report-on-signal',
        '--report-signal=SIGUSR2',
        `--report-directory=${dir}`,
        '--report-filename=hung-report.json',
        ...cliCommand(),
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
      options.onStderr?.(chunk.toString());
    });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Bounded below the test's own timeout, so that a run that never ends fails with what it printed (and
    // its process report: where it waits) rather than as a bare vitest timeout.
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>((resolve) => {
      timer = setTimeout(() => resolve('hung'), options.timeoutMs ?? 50_000);
    });
    const code = await Promise.race([closed, hung]);
    clearTimeout(timer);
    if (code === 'hung') {
      const report = join(dir, 'hung-report.json');
      child.kill('SIGUSR2'); // --report-on-signal: the process report (handles, stacks) into `report`
      await new Promise((resolve) => setTimeout(resolve, 1000));
      child.kill('SIGKILL');
      await closed;
      const handles = await readFile(report, 'utf8')
        .then((text) => JSON.stringify((JSON.parse(text) as { libuv?: unknown }).libuv))
        .catch(() => 'no process report');
      throw new Error(
        `failover-drill ${args.join(' ')} did not exit within ${options.timeoutMs ?? 50_000} ms\n` +
          `stderr:\n${stderr.slice(-6000)}\nlibuv handles: ${handles.slice(0, 4000)}`,
      );
    }
    return { code, stdout, stderr, json: JSON.parse(await readFile(json, 'utf8')) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
