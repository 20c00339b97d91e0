import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FleetReport } from '../functions/core/report/fleet-report.js';
import { runGate } from './gate.js';
import { MACHINE_MARKERS } from './gate-machine.js';

const sfnMock = mockClient(SFNClient);
// Unit files share a worker (isolate: false): the stubbed client's prototype must not outlive this file.
afterAll(() => sfnMock.restore());
const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:failover-drill-fleet';
const EXECUTION = 'arn:aws:states:us-east-1:000000000000:execution:failover-drill-fleet:fleet-1';

let dir: string;
beforeEach(async () => {
  sfnMock.reset();
  // The gate asks what the machine is before it starts it: the fleet's.
  sfnMock.on(DescribeStateMachineCommand).resolves({
    stateMachineArn: MACHINE,
    name: 'failover-drill-fleet',
    type: 'STANDARD',
    definition: JSON.stringify({ Comment: `${MACHINE_MARKERS.fleet}…`, StartAt: 'A', States: {} }),
    roleArn: 'arn:aws:iam::000000000000:role/r',
    creationDate: new Date(),
  });
  dir = await mkdtemp(join(tmpdir(), 'gate-fleet-'));
});
afterEach(async () => {
  process.exitCode = undefined;
  await rm(dir, { recursive: true, force: true });
});

const sink = () => ({ write: () => true }) as unknown as NodeJS.WritableStream;

const row = (group: string, verdict: 'pass' | 'fail', lost: number) => ({
  replicationGroupId: group,
  nodeGroupId: '0001',
  runId: `fleet-1-${group}-0001`,
  verdict,
  writes: { acknowledged: 1000, lost },
  downtime: { ms: 120 },
  error: null,
  report: { json: `s3://b/reports/fleet-1-${group}-0001/report.json`, html: 'x' },
  trend: null,
  refused: false,
});

async function gateFleet(input: unknown, summary?: FleetReport) {
  const file = join(dir, 'fleet.json');
  await writeFile(file, JSON.stringify(input));
  sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: new Date() });
  sfnMock.on(DescribeExecutionCommand).resolves({
    executionArn: EXECUTION,
    status: summary?.verdict === 'pass' ? 'SUCCEEDED' : 'FAILED',
    output: summary?.verdict === 'pass' ? JSON.stringify(summary) : undefined,
    startDate: new Date(),
  });
  sfnMock.on(GetExecutionHistoryCommand).resolves({
    events: summary
      ? [
          {
            id: 1,
            type: 'TaskStateExited',
            timestamp: new Date(),
            stateExitedEventDetails: { name: 'FleetReport', output: JSON.stringify({ report: summary }) },
          },
        ]
      : [],
  });
  const json = join(dir, 'out.json');
  const junit = join(dir, 'junit.xml');
  const code = await runGate(
    {
      stateMachineArn: MACHINE,
      fleet: true,
      input: file,
      json,
      junit,
      pollInterval: 1,
      timeout: 60,
      name: 'fleet-1',
    },
    { sfn: new SFNClient({ region: 'us-east-1' }), stdout: sink(), stderr: sink(), sleep: async () => {} },
  );
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
    await readFile(junit, 'utf8'),
  );
  return { code, json: JSON.parse(await readFile(json, 'utf8')), junit: xml };
}

const summary = (targets: ReturnType<typeof row>[], verdict: 'pass' | 'fail'): FleetReport => ({
  version: 1,
  kind: 'fleet',
  verdict,
  runId: 'fleet-1',
  headline: `${verdict.toUpperCase()} fleet fleet-1`,
  targets,
  counts: { pass: 0, fail: 0, error: 0 },
  budget: null,
  maxConcurrency: 2,
  error: null,
});

describe('gate --fleet', () => {
  it('exits by the fleet verdict, with a JUnit test suite per target', async () => {
    // Act
    const run = await gateFleet(
      { targets: [{ replicationGroupId: 'a' }, { replicationGroupId: 'b' }] },
      summary([row('a', 'pass', 0), row('b', 'fail', 3)], 'fail'),
    );
    // Assess
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ kind: 'fleet', verdict: 'fail' });
    const suites = run.junit.testsuites.testsuite as {
      name: string;
      failures: string;
      testcase: { failure?: unknown };
    }[];
    expect(suites.map((s) => [s.name, s.failures])).toEqual([
      ['failover-drill.a.0001', '0'],
      ['failover-drill.b.0001', '1'],
    ]);
    expect(run.junit.testsuites).toMatchObject({ tests: '2', failures: '1', errors: '0' });
  });

  it('refuses a bad fleet input by name before starting anything (exit 2)', async () => {
    // Act
    const run = await gateFleet({ targets: [] });
    // Assess
    expect(run.code).toBe(2);
    expect(run.json.error).toMatchObject({
      name: 'FleetInputError',
      message: expect.stringMatching(/^targets-empty/),
    });
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});
