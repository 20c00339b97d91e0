/**
 * The harness, from outside the project: `harness/unattended.py` drives a real `failover-drill
 * emulator` through boto3 (AWS's own service models), fires a stop-condition alarm while a drill runs,
 * stops another execution while its writer runs, and runs a dry run.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LOCAL_DEFAULT_INPUT } from '../../local/drill.js';
import { PROJECT_ROOT } from '../../local/template.js';
import { cliCommand } from '../support/cli-command.js';
import { emulatorFor } from '../support/emulator.js';
import { redisClient } from '../support/local-cloud.js';

const run = promisify(execFile);
const ALARM = 'app-errors';

// Each case owns its emulator and mostly waits on drills' timers, so the two run concurrently.
describe.concurrent('unattended safety, judged by boto3', () => {
  it('a stop condition ends a drill, a stopped execution is reaped within 30 s, a dry run touches nothing', async ({
    onTestFinished,
  }) => {
    // Prepare
    const emulator = await emulatorFor(onTestFinished, ['--alarm', ALARM]);

    // Act
    const harness = await run(
      'python3',
      [join(PROJECT_ROOT, 'test/support/harness/unattended.py'), JSON.stringify(emulator.ready), ALARM],
      { timeout: 240_000 },
    ).catch((error: { stdout?: string; stderr?: string }) => error);
    const findings = JSON.parse(harness.stdout ?? '{}');

    // Assess
    expect(findings, harness.stderr).toMatchObject({
      ok: true,
      stopCondition: { status: 'FAILED', error: 'StopConditionError', testFailovers: 0, lock: [] },
      stopped: { status: 'ABORTED', keysLeft: 0, lock: [] },
      dryRun: { status: 'SUCCEEDED', dryRun: true, testFailovers: 0, keys: 0, lock: [] },
    });
    expect(findings.stopped.keysWhileRunning).toBeGreaterThan(0);
    expect(findings.stopped.cleanWithinSeconds).toBeLessThanOrEqual(30);
  });

  it('gate on SIGTERM stops its execution, waits for the reaper, writes JSON and JUnit, exits 143', async ({
    onTestFinished,
  }) => {
    // Prepare
    const emulator = await emulatorFor(onTestFinished);
    const dir = emulator.reportDir;
    const files = { json: join(dir, 'gate.json'), junit: join(dir, 'gate.xml'), input: join(dir, 'in.json') };
    // A baseline long enough for the signal to land in it; a fifth of the rate, as no count is asserted.
    const slow = {
      ...LOCAL_DEFAULT_INPUT,
      writer: { ...LOCAL_DEFAULT_INPUT.writer, rate: 100, baselineSeconds: 10 },
    };
    await writeFile(files.input, JSON.stringify(slow));
    const child = spawn(
      process.execPath,
      [
        ...cliCommand(),
        'gate',
        '--state-machine-arn',
        emulator.ready.stateMachineArn,
        '--replication-group',
        'drill-demo',
        '--name',
        'gate-interrupted',
        '--poll-interval',
        '0.2',
        '--input',
        files.input,
        '--json',
        files.json,
        '--junit',
        files.junit,
      ],
      {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...emulator.ready.env },
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    const deadline = Date.now() + 60_000;
    while (!stderr.includes('→ Write') && Date.now() < deadline) await sleep(100);
    await sleep(1000); // the writer is writing

    // Act
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    const report = JSON.parse(await readFile(files.json, 'utf8'));
    const junit = await readFile(files.junit, 'utf8');
    const redis = redisClient(emulator.ready.primaryEndpoint);
    let keys: string[] = [];
    try {
      await redis.connect();
      keys = await redis.keys('failover-drill:gate-interrupted:*');
    } finally {
      redis.disconnect();
    }

    // Assess
    expect(code, stderr).toBe(143);
    expect(report).toMatchObject({ verdict: 'error', error: { name: 'Interrupted' } });
    expect(report.error.message).toContain('(ABORTED); the reaper released its lock');
    expect(junit).toContain('type="Interrupted"');
    expect(keys).toEqual([]);
  });
});
