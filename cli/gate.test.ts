import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListStateMachinesCommand,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildReport, type Report } from '../functions/core/report/report.js';
import { type GateFlags, gateInput, progressPrinter, runGate } from './gate.js';
import { MACHINE_MARKERS } from './gate-machine.js';
import { junitXml } from './junit.js';

const sfnMock = mockClient(SFNClient);
// Unit files share a worker (isolate: false): the stubbed client's prototype must not outlive this file.
afterAll(() => sfnMock.restore());
const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:failover-drill';
const EXECUTION = 'arn:aws:states:us-east-1:000000000000:execution:failover-drill:run-1';

/** DescribeStateMachine's answer for a machine of this type whose Comment opens with `marker`. */
const described = (name: string, type: 'STANDARD' | 'EXPRESS', marker: string) => ({
  stateMachineArn: `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`,
  name,
  type,
  definition: JSON.stringify({ Comment: `${marker} …`, StartAt: 'A', States: { A: { Type: 'Succeed' } } }),
  roleArn: 'arn:aws:iam::000000000000:role/r',
  creationDate: new Date(),
});
const DRILL_MACHINE = described('failover-drill', 'STANDARD', MACHINE_MARKERS.drill);

let dir: string;
beforeEach(async () => {
  sfnMock.reset();
  sfnMock.on(DescribeStateMachineCommand).resolves(DRILL_MACHINE);
  dir = await mkdtemp(join(tmpdir(), 'gate-test-'));
});
afterEach(async () => {
  process.exitCode = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** A fleet input the fleet's schema accepts. */
async function fleetInput(): Promise<string> {
  const file = join(dir, 'fleet.json');
  await writeFile(file, JSON.stringify({ targets: [{ replicationGroupId: 'drill-demo' }] }));
  return file;
}

/** A writable that keeps what it is given. */
function sink(): NodeJS.WritableStream & { text: string } {
  const stream = {
    text: '',
    write(chunk: string) {
      stream.text += chunk;
      return true;
    },
  };
  return stream as unknown as NodeJS.WritableStream & { text: string };
}

/** An injected clock: sleeping advances it, so timeouts are exact and instant. */
function clock() {
  const state = { now: 1_000_000, slept: [] as number[] };
  return {
    state,
    now: () => state.now,
    sleep: async (ms: number) => {
      state.slept.push(ms);
      state.now += ms;
    },
  };
}

function flags(overrides: Partial<GateFlags> = {}): GateFlags {
  return {
    stateMachineArn: MACHINE,
    replicationGroup: 'drill-demo',
    pollInterval: 2,
    timeout: 60,
    name: 'run-1',
    json: join(dir, 'report.json'),
    junit: join(dir, 'junit.xml'),
    ...overrides,
  };
}

async function gate(f: GateFlags) {
  const stdout = sink();
  const stderr = sink();
  const time = clock();
  const code = await runGate(f, { sfn: new SFNClient({ region: 'us-east-1' }), stdout, stderr, ...time });
  const json = JSON.parse(await readFile(f.json!, 'utf8')) as Report;
  const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
    await readFile(f.junit!, 'utf8'),
  ) as { testsuites: { testsuite: Record<string, unknown> & { testcase: unknown } } };
  return { code, json, suite: junit.testsuites.testsuite, stdout: stdout.text, stderr: stderr.text, time };
}

const at = (second: number) => new Date(1_700_000_000_000 + second * 1000);
const entered = (id: number, name: string, second: number): HistoryEvent => ({
  id,
  previousEventId: id - 1,
  timestamp: at(second),
  type: 'TaskStateEntered',
  stateEnteredEventDetails: { name, input: '{}' },
});
const exited = (id: number, name: string, second: number, output: unknown = {}): HistoryEvent => ({
  id,
  previousEventId: id - 1,
  timestamp: at(second),
  type: 'TaskStateExited',
  stateExitedEventDetails: { name, output: JSON.stringify(output) },
});
const failed = (id: number, error: string, second: number, resource?: string): HistoryEvent => ({
  id,
  previousEventId: id - 1,
  timestamp: at(second),
  type: 'TaskFailed',
  taskFailedEventDetails: { resource, resourceType: 'lambda', error, cause: '' },
});

/** Answers GetExecutionHistory from `events`, `pageSize` per page, with nextToken as AWS does. */
function history(events: HistoryEvent[], pageSize = 1000) {
  sfnMock.on(GetExecutionHistoryCommand).callsFake((input: { nextToken?: string }) => {
    const from = Number(input.nextToken ?? 0);
    const next = from + pageSize;
    return { events: events.slice(from, next), nextToken: next < events.length ? String(next) : undefined };
  });
}

const PASS: Report = { ...buildReport({ thresholds: { maxDowntimeMs: 5000 } }), runId: 'run-1' };
const FAIL: Report = {
  ...PASS,
  verdict: 'fail',
  writes: { ...PASS.writes, acknowledged: 2000, lost: 3 },
  violations: [{ threshold: 'maxLostWrites', limit: 0, actual: 3, message: 'lost writes 3 > 0' }],
};
const throttled = () =>
  new SFNServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    message: 'Rate exceeded',
    $metadata: { httpStatusCode: 400 },
  });

describe('failover-drill gate', () => {
  it('starts the execution with the flags over --input, prints each state once, and passes with the execution output', async () => {
    // Prepare
    const input = join(dir, 'input.json');
    const base = {
      replicationGroupId: 'other',
      writer: { rate: 500 },
      thresholds: { maxLostWrites: 5, maxUnexpectedWrites: 0 },
    };
    await writeFile(input, JSON.stringify(base));
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: at(0) });
    sfnMock
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'RUNNING' })
      .resolvesOnce({ status: 'RUNNING' })
      .resolves({ status: 'SUCCEEDED', output: JSON.stringify(PASS) });
    history(
      [
        entered(1, 'Start', 0),
        exited(2, 'Start', 0),
        entered(3, 'Preflight', 0),
        exited(4, 'Preflight', 0.075),
        entered(5, 'Report', 5),
      ],
      2,
    );

    // Act
    const result = await gate(
      flags({ input, nodeGroup: '0001', maxLostWrites: 0, maxDowntimeMs: 5000, pollInterval: 0.5 }),
    );

    // Assess
    expect(result.code).toBe(0);
    expect(process.exitCode).toBe(0);
    expect(sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: MACHINE,
      name: 'run-1',
      input: JSON.stringify({
        replicationGroupId: 'drill-demo',
        writer: { rate: 500 },
        thresholds: { maxLostWrites: 0, maxUnexpectedWrites: 0, maxDowntimeMs: 5000 },
        nodeGroupId: '0001',
      }),
    });
    expect(sfnMock.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input.nextToken)).toEqual([
      undefined,
      '2',
      '4',
      undefined,
      '2',
      '4',
      undefined,
      '2',
      '4',
    ]);
    expect(result.time.state.slept).toEqual([500, 500]);
    expect(result.stderr.split('\n').filter((l) => l.startsWith('  '))).toEqual([
      '  → Start',
      '  ✓ Start            0 ms',
      '  → Preflight',
      '  ✓ Preflight        75 ms',
      '  → Report',
    ]);
    expect(result.stderr).toContain(`started ${EXECUTION}`);
    expect(result.stderr).toContain('execution run-1: SUCCEEDED, 3 state transitions, 1000 ms');
    expect(result.json).toEqual(PASS);
    expect(result.stdout).toContain('failover-drill gate: PASS');
    expect(result.suite).toMatchObject({ name: 'failover-drill', tests: '3', failures: '0', errors: '0' });
    expect((result.suite.testcase as { name: string }[]).map((c) => c.name)).toEqual([
      'maxDowntimeMs',
      'maxLostWrites',
      'maxUnexpectedWrites',
    ]);
  });

  it("prints and writes the whole stored report when the state's copy left its shards in files.json", async () => {
    // Prepare: the report as the Report step stored it, and the state's copy naming it (stored-figures.ts)
    const stored = join(dir, 'run-1', 'report.json');
    const whole = {
      ...PASS,
      collateral: [],
      files: { json: stored, html: join(dir, 'run-1', 'report.html') },
    };
    const { shards: _, collateral: __, ...rest } = whole;
    const stateCopy = { ...rest, shardsStored: { count: 0, collateral: 0, file: stored } };
    await mkdir(join(dir, 'run-1'));
    await writeFile(stored, JSON.stringify(whole));
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION });
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', output: JSON.stringify(stateCopy) });
    history([entered(1, 'Report', 0), exited(2, 'Report', 0.02)]);

    // Act
    const read = await gate(flags());
    await rm(stored);
    const unread = await gate(flags());

    // Assess: read back whole; unreadable, the state's copy and its verdict stand, the gap said
    expect(read.code).toBe(0);
    expect(read.json).toEqual(whole);
    expect(read.stdout).toContain('failover-drill gate: PASS');
    expect(unread.code).toBe(0);
    expect(unread.json).toEqual(stateCopy);
    expect(unread.stdout).toContain('failover-drill gate: PASS');
    expect(unread.stderr).toContain(`the shards' figures are left out (0 shards in ${stored})`);
  });

  it('takes the Report state output from the history of a FAILED execution and fails with exit 1', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION });
    sfnMock.on(DescribeExecutionCommand).resolves({
      status: 'FAILED',
      error: 'DrillThresholdExceeded',
      cause: 'FAIL drill-demo/0001: lost writes 3 > 0',
    });
    history([
      entered(1, 'Report', 0),
      exited(2, 'Report', 0.02, { execution: 'run-1', report: FAIL }),
      entered(3, 'ThresholdExceeded', 0.03),
      {
        id: 4,
        type: 'ExecutionFailed',
        timestamp: at(0.03),
        executionFailedEventDetails: { error: 'DrillThresholdExceeded', cause: 'FAIL' },
      },
    ]);

    // Act
    const result = await gate(flags());

    // Assess
    expect(result.code).toBe(1);
    expect(result.json).toEqual(FAIL);
    expect(result.stderr).toContain('  ✗ ThresholdExceeded DrillThresholdExceeded');
    expect(result.suite).toMatchObject({ tests: '3', failures: '1', errors: '0' });
    expect(result.suite.testcase).toEqual([
      { name: 'maxDowntimeMs', classname: 'failover-drill.drill-demo', time: '0' },
      {
        name: 'maxLostWrites',
        classname: 'failover-drill.drill-demo',
        time: '0',
        failure: { message: 'lost writes 3 > 0', type: 'maxLostWrites', '#text': 'limit 0, actual 3' },
      },
      { name: 'maxUnexpectedWrites', classname: 'failover-drill.drill-demo', time: '0' },
    ]);
  });

  it("reports the execution's own error when the Report step failed, its Lambda cause unwrapped", async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION });
    sfnMock.on(DescribeExecutionCommand).resolves({
      status: 'FAILED',
      error: 'SNSPublishError',
      cause: JSON.stringify({ errorType: 'SNSPublishError', errorMessage: 'topic gone' }),
    });
    history([
      entered(1, 'Report', 0),
      failed(2, 'SNSPublishError', 0.01, 'Report'),
      exited(3, 'Report', 0.01, { reportError: { Error: 'SNSPublishError', Cause: '{}' } }),
      entered(4, 'ReportFailed', 0.01),
    ]);

    // Act
    const result = await gate(flags());

    // Assess
    expect(result.code).toBe(2);
    expect(result.json.verdict).toBe('error');
    expect(result.json.error).toEqual({ name: 'SNSPublishError', message: 'topic gone' });
    expect(result.stderr).toContain('  ✗ Report           10 ms  SNSPublishError');
    expect(result.suite).toMatchObject({ tests: '3', failures: '0', errors: '1', skipped: '2' });
    expect((result.suite.testcase as { error?: unknown }[])[2]!.error).toEqual({
      message: 'topic gone',
      type: 'SNSPublishError',
      '#text': 'SNSPublishError: topic gone',
    });
  });

  it('refuses a bad request before calling Step Functions, and still writes JSON and JUnit', async () => {
    // Prepare
    const unknownField = join(dir, 'unknown.json');
    await writeFile(unknownField, JSON.stringify({ writer: { rate: 500, bogus: 1 } }));
    const cases = [
      flags({ maxLostWrites: -1 }),
      flags({ input: unknownField }),
      flags({ input: join(dir, 'missing.json') }),
      flags({ nodeGroup: 'one' }),
    ];

    // Act
    const results = [];
    for (const f of cases) results.push(await gate(f));

    // Assess
    expect(sfnMock.calls()).toHaveLength(0);
    expect(results.map((r) => [r.code, r.json.verdict, r.json.error?.name])).toEqual(
      cases.map(() => [2, 'error', 'DrillInputError']),
    );
    expect(results[0]!.json.error?.message).toContain('thresholds.maxLostWrites');
    expect(results[1]!.json.error?.message).toContain('bogus');
    expect(results[2]!.json.error?.message).toContain('ENOENT');
    expect(results[3]!.json.error?.message).toContain('nodeGroupId');
    expect(results.map((r) => r.suite.errors)).toEqual(['1', '1', '1', '1']);
  });

  it('reports StateMachineDoesNotExist on StartExecution as an error, following nothing', async () => {
    // Prepare
    sfnMock
      .on(StartExecutionCommand)
      .rejects(new StateMachineDoesNotExist({ message: 'State Machine Does Not Exist', $metadata: {} }));

    // Act
    const result = await gate(flags());

    // Assess
    expect(result.code).toBe(2);
    expect(result.json.error).toEqual({
      name: 'StateMachineDoesNotExist',
      message: 'State Machine Does Not Exist',
    });
    expect(sfnMock.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  it('refuses the fleet, the stop-fault or a foreign machine before starting it, naming the ARN to use', async () => {
    // Prepare
    const fleet = described('failover-drill-fleet', 'STANDARD', MACHINE_MARKERS.fleet);
    const stopFault = described('failover-drill-stop-fault', 'EXPRESS', MACHINE_MARKERS['stop-fault']);
    const foreign = described('orders-workflow', 'STANDARD', 'Orders: charge, ship');
    sfnMock.on(ListStateMachinesCommand).resolves({
      stateMachines: [stopFault, foreign, fleet, DRILL_MACHINE].map(({ definition, roleArn, ...m }) => m),
    });
    for (const machine of [fleet, stopFault, foreign, DRILL_MACHINE])
      sfnMock.on(DescribeStateMachineCommand, { stateMachineArn: machine.stateMachineArn }).resolves(machine);

    // Act
    const results = [];
    for (const machine of [fleet, stopFault, foreign])
      results.push(await gate(flags({ stateMachineArn: machine.stateMachineArn })));
    const asFleet = await gate(flags({ stateMachineArn: MACHINE, fleet: true, input: await fleetInput() }));

    // Assess
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect([...results, asFleet].map((r) => [r.code, r.json.verdict, r.json.error?.name])).toEqual(
      [1, 2, 3, 4].map(() => [2, 'error', 'WrongStateMachineError']),
    );
    const messages = results.map((r) => r.json.error?.message);
    expect(messages[0]).toContain(
      `${fleet.stateMachineArn} (failover-drill-fleet, STANDARD) is failover-drill's fleet`,
    );
    expect(messages[0]).toContain('pass --fleet');
    expect(messages[1]).toContain("failover-drill's stop-fault state machine");
    expect(messages[2]).toContain('is not a failover-drill state machine');
    for (const message of messages)
      expect(message).toContain(`use ${MACHINE} (the stack's output StateMachineArn)`);
    expect(asFleet.json.error?.message).toContain(
      `use ${fleet.stateMachineArn} (the stack's output FleetStateMachineArn)`,
    );
    expect(asFleet.json.error?.message).toContain('leave out --fleet');
  });

  it("names the stack's output when it may not list state machines, and passes DescribeStateMachine's own errors on", async () => {
    // Prepare
    const fleet = described('failover-drill-fleet', 'STANDARD', MACHINE_MARKERS.fleet);
    sfnMock.on(DescribeStateMachineCommand, { stateMachineArn: fleet.stateMachineArn }).resolves(fleet);
    sfnMock
      .on(DescribeStateMachineCommand, { stateMachineArn: `${MACHINE}-absent` })
      .rejects(new StateMachineDoesNotExist({ message: 'State Machine Does Not Exist', $metadata: {} }));
    sfnMock.on(ListStateMachinesCommand).rejects(
      new SFNServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        message: 'no',
        $metadata: {},
      }),
    );

    // Act
    const wrong = await gate(flags({ stateMachineArn: fleet.stateMachineArn }));
    const absent = await gate(flags({ stateMachineArn: `${MACHINE}-absent` }));

    // Assess
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect([wrong.code, wrong.json.error?.name]).toEqual([2, 'WrongStateMachineError']);
    expect(wrong.json.error?.message).toContain("use the ARN in the stack's output StateMachineArn");
    expect([absent.code, absent.json.error?.name]).toEqual([2, 'StateMachineDoesNotExist']);
  });

  it('reports ExecutionDoesNotExist while following as an error', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION });
    sfnMock
      .on(DescribeExecutionCommand)
      .rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));

    // Act
    const result = await gate(flags());

    // Assess
    expect(result.code).toBe(2);
    expect(result.json.error).toEqual({ name: 'ExecutionDoesNotExist', message: 'Execution Does Not Exist' });
    expect(sfnMock.commandCalls(DescribeExecutionCommand)).toHaveLength(1);
  });

  it('keeps polling through throttling of DescribeExecution and GetExecutionHistory', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION });
    sfnMock
      .on(DescribeExecutionCommand)
      .rejectsOnce(throttled())
      .resolves({ status: 'SUCCEEDED', output: JSON.stringify(PASS) });
    sfnMock
      .on(GetExecutionHistoryCommand)
      .rejectsOnce(throttled())
      .resolves({ events: [entered(1, 'Start', 0), exited(2, 'Start', 0)] });

    // Act
    const result = await gate(flags());

    // Assess
    expect(result.code).toBe(0);
    expect(sfnMock.commandCalls(DescribeExecutionCommand)).toHaveLength(3);
    expect(sfnMock.commandCalls(GetExecutionHistoryCommand)).toHaveLength(2);
    expect(result.time.state.slept).toEqual([2000, 2000]);
    expect(result.stderr.match(/throttled: ThrottlingException/g)).toHaveLength(2);
  });

  it('gives up with GateTimeoutError after --timeout, polling every --poll-interval until then', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION });
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    history([entered(1, 'Start', 0)]);

    // Act
    const result = await gate(flags({ timeout: 1, pollInterval: 0.4 }));

    // Assess
    expect(result.code).toBe(2);
    expect(result.json.error?.name).toBe('GateTimeoutError');
    expect(result.json.error?.message).toContain(`${EXECUTION} did not end within 1 s`);
    expect(result.time.state.slept).toEqual([400, 400, 200]);
    expect(sfnMock.commandCalls(DescribeExecutionCommand)).toHaveLength(4);
  });
});

describe('gateInput', () => {
  it('leaves what is not an object for the request schema to refuse', () => {
    // Prepare
    const f = flags({ maxLostWrites: 1 });

    // Act
    const results = [gateInput([1], f), gateInput({ thresholds: 'none' }, f), gateInput(undefined, f)];

    // Assess
    expect(results).toEqual([
      [1],
      { thresholds: 'none', replicationGroupId: 'drill-demo' },
      { replicationGroupId: 'drill-demo', thresholds: { maxLostWrites: 1 } },
    ]);
  });
});

describe('progressPrinter', () => {
  it('closes the states of an abandoned Parallel branch with the exit of the Parallel state', () => {
    // Prepare
    const stderr = sink();
    const print = progressPrinter(stderr);
    const events = [
      entered(1, 'Drill', 0),
      entered(2, 'Write', 0),
      entered(3, 'AwaitRecovery', 1),
      { ...failed(4, 'Lambda.ServiceException', 2), type: 'LambdaFunctionFailed' as const },
      { id: 5, type: 'LambdaFunctionScheduled' as const, timestamp: at(3) },
      failed(6, 'RecoveryTimeoutError', 12),
      failed(7, 'RecoveryTimeoutError', 12, 'Drill'),
      exited(8, 'Drill', 12),
      entered(9, 'Cleanup', 12),
      exited(10, 'Cleanup', 12.5),
    ];

    // Act
    for (const event of events) print(event);

    // Assess
    expect(stderr.text.split('\n')).toEqual([
      '  → Drill',
      '  → Write',
      '  → AwaitRecovery',
      '  ↻ AwaitRecovery    Lambda.ServiceException, retrying',
      '  – Write            stopped',
      '  ✗ AwaitRecovery    RecoveryTimeoutError',
      '  ✗ Drill            12000 ms  RecoveryTimeoutError',
      '  → Cleanup',
      '  ✓ Cleanup          500 ms',
      '',
    ]);
  });
});

describe('junitXml', () => {
  it('escapes what it is given and round-trips through an XML parser', () => {
    // Prepare
    const report = buildReport({ error: Object.assign(new Error('a <b> & "c"\u0001'), { name: 'X&Y' }) });

    // Act
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
      junitXml(report, { classname: 'c', properties: { executionArn: 'arn:x' } }),
    ) as { testsuites: { testsuite: { testcase: { error?: unknown }[]; properties: unknown } } };

    // Assess
    const suite = parsed.testsuites.testsuite;
    expect(suite.testcase.at(-1)!.error).toEqual({
      message: 'a <b> & "c"\uFFFD',
      type: 'X&Y',
      '#text': 'X&Y: a <b> & "c"\uFFFD',
    });
    expect(suite.properties).toEqual({
      property: [
        { name: 'verdict', value: 'error' },
        { name: 'executionArn', value: 'arn:x' },
      ],
    });
  });
});
