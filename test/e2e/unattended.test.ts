/**
 * The harness, from outside the project: `harness/unattended.py` drives a real `failover-drill
 * emulator` through boto3 (AWS's own service models), fires a stop-condition alarm while a drill runs,
 * stops another execution while its writer runs, and runs a dry run.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../local/template.js';
import { type Emulator, startEmulator, stopEmulator } from '../support/emulator.js';

const run = promisify(execFile);
const ALARM = 'app-errors';

describe('unattended safety, judged by boto3', () => {
  let emulator: Emulator | undefined;
  afterEach(async () => {
    await stopEmulator(emulator);
    emulator = undefined;
  });

  it('a stop condition ends a drill, a stopped execution is reaped within 30 s, a dry run touches nothing', async () => {
    // Prepare
    emulator = await startEmulator(['--alarm', ALARM]);

    // Act
    const harness = await run(
      'python3',
      [join(PROJECT_ROOT, 'test/e2e/harness/unattended.py'), JSON.stringify(emulator.ready), ALARM],
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
});
