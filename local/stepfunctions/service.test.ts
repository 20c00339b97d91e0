import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { faultOf } from '../../test/support/local-cloud.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localArn } from '../account.js';
import { ControlPlane } from '../control-plane.js';
import { localStateMachine } from './runner.js';
import { type ExecutionSummary, LocalStepFunctions, SFN_TARGET_PREFIX } from './service.js';

const lambda = (name: string) => localArn.lambda(name);

/** Pass → Parallel(Work | Nap → Shout) → Choice → Succeed or Fail; Work retries Flaky once. */
const DEFINITION = JSON.stringify({
  StartAt: 'Begin',
  States: {
    Begin: { Type: 'Pass', Next: 'Both' },
    Both: {
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'Work',
          States: {
            Work: {
              Type: 'Task',
              Resource: lambda('Work'),
              TimeoutSeconds: 30,
              Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, MaxAttempts: 1 }],
              End: true,
            },
          },
        },
        {
          StartAt: 'Nap',
          States: {
            Nap: { Type: 'Wait', Seconds: 0, Next: 'Shout' },
            Shout: { Type: 'Task', Resource: lambda('Shout'), End: true },
          },
        },
      ],
      ResultPath: '$.results',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }],
      Next: 'Decide',
    },
    Decide: {
      Type: 'Choice',
      Choices: [{ Variable: '$.results[0].ok', BooleanEquals: true, Next: 'Done' }],
      Default: 'Failed',
    },
    Done: { Type: 'Succeed' },
    Failed: { Type: 'Fail', Error: 'DemoFailed', Cause: 'a branch failed' },
  },
});

interface Input {
  flakyOnce?: boolean;
  shout?: 'ok' | 'fail' | 'hang';
}

class Named extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

let plane: ControlPlane;
let sfn: SFNClient;
let service: LocalStepFunctions;
let arn: string;
let ended: ExecutionSummary[];
let release: () => void;
let shoutCalls: number;
let workCalls: number;

beforeEach(async () => {
  ended = [];
  shoutCalls = 0;
  workCalls = 0;
  const hang = new Promise<void>((resolve) => {
    release = resolve;
  });
  service = new LocalStepFunctions({ onExecutionEnd: (e) => ended.push(e) });
  arn = service.addStateMachine(
    localStateMachine({
      name: 'demo',
      definition: DEFINITION,
      handlers: {
        Work: async (input) => {
          workCalls++;
          if ((input as Input).flakyOnce && workCalls === 1) throw new Named('Flaky', 'first try fails');
          return { ok: true };
        },
        Shout: async (input) => {
          shoutCalls++;
          const mode = (input as Input).shout ?? 'ok';
          if (mode === 'fail') throw new Named('ShoutError', 'too loud');
          if (mode === 'hang') await hang;
          return { shouted: true };
        },
      },
    }),
  );
  plane = await ControlPlane.start();
  plane.mount('states', service.handle, { targetPrefix: SFN_TARGET_PREFIX });
  plane.open();
  sfn = new SFNClient({
    endpoint: plane.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
});

afterEach(async () => {
  release();
  await service.drain();
  sfn.destroy();
  await plane.close();
});

async function run(name: string, input: Input) {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: arn, name, input: JSON.stringify(input) }),
  );
  await service.drain();
  return executionArn!;
}

async function history(executionArn: string): Promise<HistoryEvent[]> {
  return (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
}

const types = (events: HistoryEvent[]) => events.map((e) => String(e.type));

describe('LocalStepFunctions history', () => {
  it('writes a Lambda task, its retry, a Parallel, a Choice and a Succeed state as AWS does', async () => {
    // Prepare
    const input: Input = { flakyOnce: true };

    // Act
    const executionArn = await run('ok', input);
    const events = await history(executionArn);
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));

    // Assess
    expect(described.status).toBe('SUCCEEDED');
    expect(types(events.slice(0, 5))).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'ParallelStateEntered',
      'ParallelStateStarted',
    ]);
    expect(types(events.slice(-7))).toEqual([
      'ParallelStateSucceeded',
      'ParallelStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    // The retry is a second scheduling after the failure; no Task* events for a Lambda ARN.
    const workEvents = types(events).filter((t) => t.startsWith('Lambda') || t.startsWith('Task'));
    expect(workEvents.filter((t) => t === 'LambdaFunctionScheduled')).toHaveLength(3);
    expect(workEvents.filter((t) => t === 'LambdaFunctionFailed')).toHaveLength(1);
    expect(
      workEvents.filter((t) => t.startsWith('TaskS') && t !== 'TaskStateEntered' && t !== 'TaskStateExited'),
    ).toEqual([]);
    const scheduled = events.find((e) => e.type === 'LambdaFunctionScheduled')!;
    expect(scheduled.lambdaFunctionScheduledEventDetails).toMatchObject({
      resource: lambda('Work'),
      timeoutInSeconds: 30,
    });
    const failed = events.find((e) => e.type === 'LambdaFunctionFailed')!;
    expect(failed.lambdaFunctionFailedEventDetails).toEqual({ error: 'Flaky', cause: 'first try fails' });
    // Every Lambda event of a state sits between its entry and its exit.
    const enteredAt = events.findIndex((e) => e.stateEnteredEventDetails?.name === 'Shout');
    const exitedAt = events.findIndex((e) => e.stateExitedEventDetails?.name === 'Shout');
    // (Parallel branches interleave, as on AWS.)
    const shout = types(events.slice(enteredAt + 1, exitedAt));
    expect(shout.indexOf('LambdaFunctionScheduled')).toBeLessThan(shout.indexOf('LambdaFunctionStarted'));
    expect(shout.indexOf('LambdaFunctionStarted')).toBeLessThan(shout.lastIndexOf('LambdaFunctionSucceeded'));
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(ended.map((e) => e.status)).toEqual(['SUCCEEDED']);
  });

  it('writes a failed branch: the Lambda failure, what it aborted, the Parallel failure caught, the Fail state', async () => {
    // Prepare
    const input: Input = { shout: 'fail' };

    // Act
    const executionArn = await run('fails', input);
    const events = await history(executionArn);
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));

    // Assess
    expect(described).toMatchObject({ status: 'FAILED', error: 'DemoFailed', cause: 'a branch failed' });
    expect(types(events).slice(-4)).toEqual([
      'ParallelStateFailed',
      'ParallelStateExited',
      'FailStateEntered',
      'ExecutionFailed',
    ]);
    expect(types(events).indexOf('LambdaFunctionFailed')).toBeLessThan(
      types(events).indexOf('ParallelStateFailed'),
    );
    expect(events.find((e) => e.type === 'LambdaFunctionFailed')!.lambdaFunctionFailedEventDetails).toEqual({
      error: 'ShoutError',
      cause: 'too loud',
    });
    expect(events.at(-1)!.executionFailedEventDetails).toEqual({
      error: 'DemoFailed',
      cause: 'a branch failed',
    });
    expect(types(events)).not.toContain('ParallelStateSucceeded');
  });
});

describe('StopExecution', () => {
  it('aborts the execution: status ABORTED, the running task aborted, no state entered after it', async () => {
    // Prepare
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, name: 'stopped', input: '{"shout":"hang"}' }),
    );
    while (shoutCalls === 0) await new Promise((resolve) => setTimeout(resolve, 10));

    // Act
    const stopped = await sfn.send(
      new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'game day over' }),
    );
    release();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const events = await history(executionArn!);

    // Assess
    expect(stopped.stopDate).toBeInstanceOf(Date);
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'game day over' });
    expect(described.stopDate!.getTime()).toBe(stopped.stopDate!.getTime());
    expect(types(events).slice(-3)).toEqual(['TaskStateAborted', 'ParallelStateAborted', 'ExecutionAborted']);
    expect(events.at(-1)!.executionAbortedEventDetails).toEqual({
      error: 'Operator',
      cause: 'game day over',
    });
    expect(types(events)).not.toContain('ChoiceStateEntered');
    expect(events.filter((e) => e.type === 'LambdaFunctionSucceeded')).toHaveLength(1); // Work's, not Shout's
    expect(ended.map((e) => [e.status, e.error])).toEqual([['ABORTED', 'Operator']]);
  });

  it('refuses an unknown execution and a malformed ARN by the model’s names', async () => {
    // Prepare
    const unknown = localArn.execution('nope', 'demo');

    // Act
    const faults = [
      await faultOf(sfn.send(new StopExecutionCommand({ executionArn: unknown }))),
      await faultOf(sfn.send(new StopExecutionCommand({ executionArn: 'not-an-arn' }))),
    ];

    // Assess
    expect(faults).toEqual([
      ['ExecutionDoesNotExist', 400],
      ['InvalidArn', 400],
    ]);
  });
});

describe('listing and paging', () => {
  it('filters executions by status and pages them, newest first', async () => {
    // Prepare
    await run('one', {});
    await run('two', { shout: 'fail' });
    await run('three', {});

    // Act
    const succeeded = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'SUCCEEDED', maxResults: 1 }),
    );
    const next = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: arn,
        statusFilter: 'SUCCEEDED',
        maxResults: 1,
        nextToken: succeeded.nextToken,
      }),
    );
    const failed = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'FAILED' }),
    );
    const badToken = await faultOf(
      sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, nextToken: 'garbage' })),
    );

    // Assess
    expect(succeeded.executions!.map((e) => e.name)).toEqual(['three']);
    expect(next.executions!.map((e) => e.name)).toEqual(['one']);
    expect(next.nextToken).toBeUndefined();
    expect(failed.executions!.map((e) => [e.name, e.status])).toEqual([['two', 'FAILED']]);
    expect(failed.executions![0]!.stopDate).toBeInstanceOf(Date);
    expect(badToken).toEqual(['InvalidToken', 400]);
  });

  it('pages a history forwards and backwards', async () => {
    // Prepare
    const executionArn = await run('paged', {});
    const all = await history(executionArn);

    // Act
    const pages: HistoryEvent[][] = [];
    let nextToken: string | undefined;
    do {
      const out = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 4, reverseOrder: true, nextToken }),
      );
      pages.push(out.events ?? []);
      nextToken = out.nextToken;
    } while (nextToken);
    const bare = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }),
    );

    // Assess
    expect(pages.slice(0, -1).every((p) => p.length === 4)).toBe(true);
    expect(pages.flat().map((e) => e.id)).toEqual(all.map((e) => e.id).reverse());
    expect(bare.events![0]!.executionStartedEventDetails).not.toHaveProperty('input');
  });

  it('describes the state machine with its definition and a real creation date', async () => {
    // Prepare
    const before = Date.now();

    // Act
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));

    // Assess
    expect(JSON.parse(described.definition!)).toEqual(JSON.parse(DEFINITION));
    expect(described.creationDate!.getTime()).toBeGreaterThan(before - 60_000);
    expect(described.creationDate!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(described).toMatchObject({ name: 'demo', type: 'STANDARD', status: 'ACTIVE' });
  });
});

describe('timeouts', () => {
  it('times a Lambda task out (LambdaFunctionTimedOut) and the execution (TIMED_OUT, what ran aborted)', async () => {
    // Prepare
    const slow = () => new Promise((resolve) => setTimeout(() => resolve({ late: true }), 2500));
    const machineArn = service.addStateMachine(
      localStateMachine({
        name: 'slow',
        definition: JSON.stringify({
          StartAt: 'Slow',
          TimeoutSeconds: 2,
          States: {
            Slow: {
              Type: 'Task',
              Resource: lambda('Slow'),
              TimeoutSeconds: 1,
              Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'Nap' }],
              Next: 'Nap',
            },
            Nap: { Type: 'Wait', Seconds: 10, End: true },
          },
        }),
        handlers: { Slow: slow },
      }),
    );

    // Act
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name: 'slow' }),
    );
    await service.drain();
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const events = await history(executionArn!);

    // Assess
    expect(described.status).toBe('TIMED_OUT');
    expect(types(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionTimedOut',
      'TaskStateExited',
      'WaitStateEntered',
      'WaitStateAborted',
      'ExecutionTimedOut',
    ]);
    expect(events[4]!.lambdaFunctionTimedOutEventDetails).toMatchObject({ error: 'States.Timeout' });
    expect(ended.map((e) => e.status)).toEqual(['TIMED_OUT']);
  });
});

describe('EXPRESS state machines', () => {
  it('runs one to its end with StartSyncExecution (a failure is a 200 with its error), refuses what AWS refuses', async () => {
    // Prepare: the reaper's client — no sync- host prefix on a configured endpoint
    const sync = new SFNClient({
      endpoint: plane.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
      disableHostPrefix: true,
    });
    const express = service.addStateMachine(
      localStateMachine({
        name: 'quick',
        type: 'EXPRESS',
        definition: JSON.stringify({
          StartAt: 'How',
          States: {
            How: {
              Type: 'Choice',
              Choices: [{ Variable: '$.fail', IsPresent: true, Next: 'No' }],
              Default: 'Yes',
            },
            Yes: { Type: 'Pass', Parameters: { 'echo.$': '$.word' }, End: true },
            No: { Type: 'Fail', Error: 'Refused', Cause: 'told to' },
          },
        }),
        handlers: {},
      }),
    );

    // Act
    const ok = await sync.send(
      new StartSyncExecutionCommand({ stateMachineArn: express, input: '{"word":"hi"}' }),
    );
    const failed = await sync.send(
      new StartSyncExecutionCommand({ stateMachineArn: express, input: '{"fail":1}' }),
    );
    const standard = await faultOf(
      sync.send(new StartSyncExecutionCommand({ stateMachineArn: arn, input: '{}' })),
    );
    const listed = await faultOf(sfn.send(new ListExecutionsCommand({ stateMachineArn: express })));
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: express }));
    sync.destroy();

    // Assess
    expect(ok).toMatchObject({ status: 'SUCCEEDED', output: '{"echo":"hi"}' });
    expect(ok.executionArn).toMatch(/:express:quick:[\w-]+:[\w-]+$/);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Refused', cause: 'told to' });
    expect(standard).toEqual(['StateMachineTypeNotSupported', 400]);
    expect(listed).toEqual(['StateMachineTypeNotSupported', 400]);
    expect(described.type).toBe('EXPRESS');
  });
});
