/**
 * The issue's harness, from outside the project: `harness/reshard.py` runs `failover-drill gate` with
 * fault { source: "reshard", nodeGroupCount: 3 } against `failover-drill emulator --cluster-mode enabled
 * --shards 2`, and judges the report, boto3's DescribeReplicationGroups and the cluster's CLUSTER SHARDS.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../local/template.js';
import { emulatorFor } from '../support/emulator.js';

const run = promisify(execFile);

describe('a reshard drill, judged by boto3 and CLUSTER SHARDS', () => {
  it('passes with nothing lost: 3 node groups cover 0–16383, the change and redirections reported', async ({
    onTestFinished,
  }) => {
    // Prepare
    const emulator = await emulatorFor(onTestFinished, ['--cluster-mode', 'enabled', '--shards', '2']);

    // Act
    const harness = await run(
      'python3',
      [
        join(PROJECT_ROOT, 'test/support/harness/reshard.py'),
        JSON.stringify(emulator.ready),
        emulator.reportDir,
      ],
      { timeout: 240_000 },
    ).catch((error: { stdout?: string; stderr?: string }) => error);
    const findings = JSON.parse(harness.stdout ?? '{}');

    // Assess
    // Every finding in the message: `ok` is the harness's conjunction of them all.
    expect(findings, `${JSON.stringify(findings)}\n${harness.stderr}`).toMatchObject({
      ok: true,
      exitCode: 0,
      verdict: 'pass',
      writes: { lost: 0, unexpected: 0 },
      status: 'available',
      covers: true,
      change: {
        source: 'reshard',
        requested: { nodeGroupCount: 3 },
        finished: true,
        lastPercent: 100,
        before: 2,
        after: 3,
      },
    });
    expect(findings.boto3.map(([id]: [string]) => id)).toEqual(['0001', '0002', '0003']);
    // The redirection figures are filled in, the probe's first. Their count is chance here (each writer's one
    // slot is hashed from the run id, and may not move): reshard-redirections.test.ts pins it on a moving slot.
    expect(findings.redirectionClients[0]).toBe('probe');
    expect(findings.redirections).toBeGreaterThanOrEqual(0);
  }, 300_000);
});
