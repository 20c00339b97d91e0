/**
 * A second client nobody here wrote: the AWS CLI v1 (botocore's parsers validate every answer) runs a whole
 * drill against `failover-drill emulator` — start-execution, describe-execution while it runs and once it
 * has ended, get-execution-history (the CLI pages it) — stops a second one, and reads the failover from
 * `aws elasticache describe-events`. Only the endpoint, dummy credentials and the region join them. The
 * wait in between polls through the SDK: a Python start per poll would cost more CPU than the drill.
 */
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../local/account.js';
import { LOCAL_DEFAULT_INPUT } from '../../local/drill.js';
import { type Emulator, startEmulator, stopEmulator } from '../support/emulator.js';

const run = promisify(execFile);
const DRILL_TIMEOUT_MS = 120_000;
/** The drill's own bound, and the CLI's start-up (a Python process per call, slow on a loaded machine). */
const TEST_TIMEOUT_MS = DRILL_TIMEOUT_MS + 60_000;

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator(['--replicas', '1']);
});
afterAll(async () => {
  await stopEmulator(emulator);
});

/** `aws <args> --endpoint-url … --region us-east-1 --output json` with dummy credentials; the parsed answer. */
async function aws<T = Record<string, unknown>>(...args: string[]): Promise<T> {
  const { stdout } = await run(
    'aws',
    [...args, '--endpoint-url', emulator.ready.endpoint, '--region', 'us-east-1', '--output', 'json'],
    {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_MAX_ATTEMPTS: '1',
      },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return (stdout.trim() ? JSON.parse(stdout) : {}) as T;
}

/** The CLI v1 prints a timestamp as it came (cli_timestamp_format none): epoch seconds, or ISO 8601. */
const ms = (value: unknown) => (typeof value === 'number' ? value * 1000 : Date.parse(String(value)));

interface Execution {
  status: string;
  output?: string;
  error?: string;
  startDate: unknown;
  stopDate?: unknown;
}

interface HistoryEvent {
  type: string;
  id: number;
  [details: string]: unknown;
}

/** The CLI's describe-execution once the execution has ended (awaited through the SDK, which starts no process). */
async function until(executionArn: string): Promise<Execution> {
  const sfn = new SFNClient({
    endpoint: emulator.ready.endpoint,
    region: emulator.ready.region,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    const deadline = Date.now() + DRILL_TIMEOUT_MS;
    while ((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'RUNNING') {
      if (Date.now() > deadline)
        throw new Error(`${executionArn} still running after ${DRILL_TIMEOUT_MS} ms`);
      await sleep(500);
    }
  } finally {
    sfn.destroy();
  }
  return aws<Execution>('stepfunctions', 'describe-execution', '--execution-arn', executionArn);
}

describe('the AWS CLI drives the emulator', () => {
  it(
    'runs a whole drill: SUCCEEDED, a passing report, the history AWS writes, the failover in describe-events',
    async () => {
      // Prepare
      const input = JSON.stringify({
        replicationGroupId: emulator.ready.groupId,
        // The shortest settle and a fifth of the rate: no count or duration of the writer is asserted.
        writer: { ...LOCAL_DEFAULT_INPUT.writer, rate: 100, settleSeconds: 1 },
        recovery: LOCAL_DEFAULT_INPUT.recovery,
      });

      // Act
      const started = await aws<{ executionArn: string; startDate: string }>(
        'stepfunctions',
        'start-execution',
        '--state-machine-arn',
        emulator.ready.stateMachineArn,
        '--name',
        'aws-cli-drill',
        '--input',
        input,
      );
      const running = await aws<Execution>(
        'stepfunctions',
        'describe-execution',
        '--execution-arn',
        started.executionArn,
      );
      const execution = await until(started.executionArn);
      const { events } = await aws<{ events: HistoryEvent[] }>(
        'stepfunctions',
        'get-execution-history',
        '--execution-arn',
        started.executionArn,
        '--page-size',
        '20',
      );
      const described = await aws<{ definition: string; creationDate: string }>(
        'stepfunctions',
        'describe-state-machine',
        '--state-machine-arn',
        emulator.ready.stateMachineArn,
      );
      const { Events } = await aws<{ Events: { Message: string; SourceType: string }[] }>(
        'elasticache',
        'describe-events',
        '--duration',
        '60',
      );

      // Assess
      // Asked right after the start: botocore parsed an answer (running, or on a slow machine already ended).
      expect(['RUNNING', 'SUCCEEDED']).toContain(running.status);
      expect(execution.status, execution.error).toBe('SUCCEEDED');
      const report = JSON.parse(execution.output!) as {
        verdict: string;
        writes: { lost: number };
        failoverTriggered: boolean;
      };
      expect(report).toMatchObject({ verdict: 'pass', failoverTriggered: true, writes: { lost: 0 } });
      expect(ms(execution.stopDate)).toBeGreaterThan(ms(execution.startDate));
      const types = events.map((e) => e.type);
      expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1)); // every page, in order
      expect(types[0]).toBe('ExecutionStarted');
      expect(types.at(-1)).toBe('ExecutionSucceeded');
      for (const type of [
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionSucceeded',
        'ParallelStateStarted',
        'ParallelStateSucceeded',
        'WaitStateEntered',
        'ChoiceStateExited',
        'SucceedStateEntered',
        'SucceedStateExited',
      ])
        expect(types, type).toContain(type);
      expect(types.filter((t) => /^Task(Scheduled|Started|Succeeded)$/.test(t))).toEqual([]);
      expect(JSON.parse(described.definition).StartAt).toBe('Start');
      expect(ms(described.creationDate)).toBeGreaterThan(Date.UTC(2020, 0, 1));
      const messages = Events.map((e) => e.Message);
      expect(messages).toContain('Test Failover API called for node group 0001');
      expect(messages).toContain('Finished recovery for cache nodes 0001');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'stops an execution: ABORTED with the given error, an ExecutionAborted event, listed by status',
    async () => {
      // Prepare
      const { executionArn } = await aws<{ executionArn: string }>(
        'stepfunctions',
        'start-execution',
        '--state-machine-arn',
        emulator.ready.stateMachineArn,
        '--name',
        'aws-cli-stopped',
        '--input',
        JSON.stringify({ replicationGroupId: emulator.ready.groupId, writer: LOCAL_DEFAULT_INPUT.writer }),
      );

      // Act
      const stopped = await aws<{ stopDate: string }>(
        'stepfunctions',
        'stop-execution',
        '--execution-arn',
        executionArn,
        '--error',
        'GameDayOver',
        '--cause',
        'stopped from the AWS CLI',
      );
      const execution = await aws<Execution & { cause?: string }>(
        'stepfunctions',
        'describe-execution',
        '--execution-arn',
        executionArn,
      );
      const { events } = await aws<{ events: HistoryEvent[] }>(
        'stepfunctions',
        'get-execution-history',
        '--execution-arn',
        executionArn,
        '--reverse-order',
        '--max-items',
        '1',
      );
      const aborted = await aws<{ executions: { name: string }[] }>(
        'stepfunctions',
        'list-executions',
        '--state-machine-arn',
        emulator.ready.stateMachineArn,
        '--status-filter',
        'ABORTED',
      );

      // Assess
      expect(ms(stopped.stopDate)).toBeGreaterThan(Date.UTC(2020, 0, 1));
      expect(execution).toMatchObject({
        status: 'ABORTED',
        error: 'GameDayOver',
        cause: 'stopped from the AWS CLI',
      });
      expect(events.map((e) => e.type)).toEqual(['ExecutionAborted']);
      expect(events[0]!.executionAbortedEventDetails).toEqual({
        error: 'GameDayOver',
        cause: 'stopped from the AWS CLI',
      });
      expect(aborted.executions.map((e) => e.name)).toEqual(['aws-cli-stopped']);
    },
    TEST_TIMEOUT_MS,
  );
});
