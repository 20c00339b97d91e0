import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { localArn } from '../account.js';
import { nestedExecution } from './nested.js';
import { localStateMachine, START_EXECUTION_SYNC_2 } from './runner.js';
import { LocalStepFunctions } from './service.js';

/** A child that ends as told: succeeds with its input, fails by name, or waits (to be stopped). */
const CHILD = JSON.stringify({
  StartAt: 'How',
  States: {
    How: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.end', StringEquals: 'fail', Next: 'Failed' },
        { Variable: '$.end', StringEquals: 'wait', Next: 'Nap' },
      ],
      Default: 'Done',
    },
    Nap: { Type: 'Wait', Seconds: 30, Next: 'Done' },
    Done: { Type: 'Pass', Parameters: { echoed: true, 'end.$': '$.end' }, End: true },
    Failed: { Type: 'Fail', Error: 'GuardrailError', Cause: 'refused' },
  },
});

/** A parent running the child as a nested execution, its outcome caught into the output. */
const PARENT = JSON.stringify({
  StartAt: 'Nested',
  States: {
    Nested: {
      Type: 'Task',
      Resource: START_EXECUTION_SYNC_2,
      Parameters: {
        StateMachineArn: localArn.stateMachine('child'),
        'Name.$': '$.name',
        Input: { 'end.$': '$.end', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
      },
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
      End: true,
    },
    Caught: { Type: 'Pass', End: true },
  },
});

function given() {
  const service = new LocalStepFunctions();
  service.addStateMachine(localStateMachine({ name: 'child', definition: CHILD, handlers: {} }));
  const parent = service.addStateMachine(
    localStateMachine({ name: 'parent', definition: PARENT, handlers: { Nested: nestedExecution(service) } }),
  );
  return { service, parent };
}

describe('startExecution.sync:2 in the local Step Functions', () => {
  it('returns the nested execution described, its input and output as JSON', async () => {
    // Prepare
    const { service, parent } = given();
    // Act
    const ended = await service.runToEnd(parent, 'p1', { name: 'c1', end: 'ok' });
    // Assess
    expect(ended.status).toBe('SUCCEEDED');
    expect(ended.output).toMatchObject({
      ExecutionArn: localArn.execution('c1', 'child'),
      Name: 'c1',
      Status: 'SUCCEEDED',
      Output: { echoed: true, end: 'ok' },
      Input: { end: 'ok', AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: localArn.execution('p1', 'parent') },
    });
  });

  it('fails with States.TaskFailed, the nested Error and Cause inside the Cause', async () => {
    // Prepare
    const { service, parent } = given();
    // Act
    const ended = await service.runToEnd(parent, 'p2', { name: 'c2', end: 'fail' });
    // Assess
    const caught = ended.output as { Error: string; Cause: string };
    expect(caught.Error).toBe('States.TaskFailed');
    expect(JSON.parse(caught.Cause)).toMatchObject({
      Status: 'FAILED',
      Error: 'GuardrailError',
      Cause: 'refused',
    });
  });

  it('stopping the parent stops the nested execution it waits for', async () => {
    // Prepare
    const { service, parent } = given();
    const running = service.runToEnd(parent, 'p3', { name: 'c3', end: 'wait' });
    while (!service.executionsOf(localArn.stateMachine('child')).some((e) => e.name === 'c3'))
      await sleep(10);
    // Act
    const stop = JSON.stringify({ executionArn: localArn.execution('p3', 'parent') });
    await service.handle({
      method: 'POST',
      url: '/',
      headers: { 'x-amz-target': 'AWSStepFunctions.StopExecution' },
      body: Buffer.from(stop),
    });
    // Assess
    expect((await running).status).toBe('ABORTED');
    expect(service.executionsOf(localArn.stateMachine('child')).map((e) => [e.name, e.status])).toEqual([
      ['c3', 'ABORTED'],
    ]);
  });
});
