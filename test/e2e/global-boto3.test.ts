/**
 * The boto3 harness, from outside the project: `harness/global.py` drives `failover-drill emulator
 * --global` as an operator with AWS's own client would (describe, failover, describe until the roles swap),
 * walking every answer against botocore's model of its output shape.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../local/template.js';
import { emulatorFor } from '../support/emulator.js';

const run = promisify(execFile);

describe('a regional failover driven by boto3', () => {
  it('describes, fails over to eu-west-1 and sees the roles swapped, every answer valid in botocore’s model', async ({
    onTestFinished,
  }) => {
    // Prepare: no WAN latency, since the figures here are the answers and the roles, not the link's timing.
    const emulator = await emulatorFor(onTestFinished, ['--global', '--cross-region-latency-ms', '0']);

    // Act
    const harness = await run(
      'python3',
      [join(PROJECT_ROOT, 'test/support/harness/global.py'), JSON.stringify(emulator.ready)],
      { timeout: 90_000 },
    ).catch((error: { stdout?: string; stderr?: string }) => error);
    const findings = JSON.parse(harness.stdout ?? '{}');

    // Assess
    // Every finding in the message: `ok` is the harness's conjunction of them all.
    expect(findings, `${JSON.stringify(findings)}\n${harness.stderr}`).toMatchObject({
      ok: true,
      before: { status: 'available', roles: { 'us-east-1': 'primary', 'eu-west-1': 'secondary' } },
      failoverStatus: 'modifying',
      after: { status: 'available', roles: { 'us-east-1': 'secondary', 'eu-west-1': 'primary' } },
      operations: ['DescribeGlobalReplicationGroups', 'FailoverGlobalReplicationGroup'],
      problems: [],
    });
    expect(findings.answers).toBeGreaterThanOrEqual(3);
  }, 120_000);
});
