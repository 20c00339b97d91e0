import { GetExecutionHistoryCommand, SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { planFixture } from '../../../test/support/plan-fixture.js';
import { reap, stopFault } from './reap.js';

const sfn = mockClient(SFNClient);
// Unit files share a worker (isolate: false): the stubbed client's prototype must not outlive this file.
afterAll(() => sfn.restore());
afterEach(() => sfn.reset());

const plan = planFixture();

const exited = (name: string, output: unknown) => ({
  timestamp: new Date(),
  type: 'TaskStateExited' as const,
  id: 1,
  stateExitedEventDetails: { name, output: JSON.stringify(output) },
});

const event = (status: string) => ({
  source: 'aws.states' as const,
  'detail-type': 'Step Functions Execution Status Change' as const,
  detail: {
    executionArn: 'arn:aws:states:us-east-1:000000000000:execution:failover-drill:run-1',
    stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:failover-drill',
    name: 'run-1',
    status,
  },
});

function deps() {
  return {
    sfn: new SFNClient({ region: 'us-east-1' }),
    cleanup: vi.fn(async () => ({ deleted: 42 })),
    releaseLock: vi.fn(async () => ({ released: true, reason: 'released' })),
    stopFault: vi.fn(async (templateId: string) => ({
      templateId,
      experiments: [{ id: 'EXP1', status: 'stopping' }],
    })),
  };
}

const fisPlan = {
  ...plan,
  request: { ...plan.request, fault: { source: 'fis-az-power' as const, duration: 'PT5M' } },
  fis: { availabilityZone: 'us-east-1a', nodeIds: ['drill-demo-001'], pollSeconds: 5 },
};
const templateCreated = exited('CreateExperimentTemplate', {
  plan: { ...fisPlan, fis: { ...fisPlan.fis, template: { id: 'EXT1' } } },
});

describe('reap', () => {
  it('cleans up an execution stopped after Preflight: Cleanup on the accepted plan, then the lock', async () => {
    // Prepare
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [exited('Preflight', { plan })] });
    const d = deps();

    // Act
    const reaped = await reap(event('ABORTED'), d);

    // Assess
    expect(reaped).toMatchObject({ reaped: true, deleted: 42, lockReleased: true });
    expect(d.cleanup).toHaveBeenCalledWith({ execution: 'run-1', plan });
    expect(d.releaseLock).toHaveBeenCalledWith(plan);
  });

  it.each([
    ['SUCCEEDED', [exited('Preflight', { plan })], 'the execution succeeded'],
    ['ABORTED', [], 'Preflight accepted no plan'],
    ['TIMED_OUT', [exited('Preflight', { plan: { ...plan, dryRun: {} } })], 'Preflight accepted no plan'],
    [
      'FAILED',
      [exited('Preflight', { plan }), exited('ReleaseLock', { plan, lockReleased: {} })],
      'cleaned up after itself',
    ],
  ])('leaves alone a %s execution when there is nothing to reap (%#)', async (status, events, note) => {
    // Prepare
    sfn.on(GetExecutionHistoryCommand).resolves({ events });
    const d = deps();

    // Act
    const reaped = await reap(event(status), d);

    // Assess
    expect(reaped.reaped).toBe(false);
    expect(reaped.note).toContain(note);
    expect(d.cleanup).not.toHaveBeenCalled();
  });

  it('stops an abandoned FIS experiment first, then cleans up the keys and the lock', async () => {
    // Prepare
    sfn
      .on(GetExecutionHistoryCommand)
      .resolves({ events: [exited('Preflight', { plan: fisPlan }), templateCreated] });
    const d = deps();
    const order: string[] = [];
    d.stopFault.mockImplementation(async (templateId) => {
      order.push('stopFault');
      return { templateId, experiments: [{ id: 'EXP1', status: 'stopping' }] };
    });
    d.cleanup.mockImplementation(async () => {
      order.push('cleanup');
      return { deleted: 42 };
    });

    // Act
    const reaped = await reap(event('ABORTED'), d);

    // Assess
    expect(d.stopFault).toHaveBeenCalledWith('EXT1');
    expect(order).toEqual(['stopFault', 'cleanup']);
    expect(reaped).toMatchObject({ reaped: true, deleted: 42, lockReleased: true });
    expect(reaped.note).toContain(
      'the FIS experiment EXP1 of us-east-1a stopped (power back), template EXT1 deleted',
    );
  });

  it('stops the experiment of an execution that cleaned up but could not stop it (faultStopError)', async () => {
    // Prepare
    const released = exited('ReleaseLock', { plan: fisPlan, faultStopError: { Error: 'States.TaskFailed' } });
    sfn
      .on(GetExecutionHistoryCommand)
      .resolves({ events: [exited('Preflight', { plan: fisPlan }), templateCreated, released] });
    const d = deps();

    // Act
    const reaped = await reap(event('FAILED'), d);

    // Assess
    expect(d.stopFault).toHaveBeenCalledWith('EXT1');
    expect(d.cleanup).not.toHaveBeenCalled();
    expect(reaped.reaped).toBe(true);
  });

  it('leaves the experiment alone once the execution stopped it itself', async () => {
    // Prepare
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        exited('Preflight', { plan: fisPlan }),
        templateCreated,
        exited('ReleaseLock', { plan: fisPlan }),
      ],
    });
    const d = deps();

    // Act
    const reaped = await reap(event('FAILED'), d);

    // Assess
    expect(reaped.reaped).toBe(false);
    expect(d.stopFault).not.toHaveBeenCalled();
  });

  it('cleans up the keys and the lock even when the experiment cannot be stopped, then fails by name', async () => {
    // Prepare
    sfn
      .on(GetExecutionHistoryCommand)
      .resolves({ events: [exited('Preflight', { plan: fisPlan }), templateCreated] });
    const d = deps();
    d.stopFault.mockRejectedValue(Object.assign(new Error('FIS refused'), { name: 'FaultStopError' }));

    // Act
    const reaping = reap(event('TIMED_OUT'), d);

    // Assess
    await expect(reaping).rejects.toMatchObject({ name: 'FaultStopError' });
    expect(d.cleanup).toHaveBeenCalledOnce();
    expect(d.releaseLock).toHaveBeenCalledOnce();
  });

  it('reaps a failed execution whose own Cleanup failed', async () => {
    // Prepare
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        exited('Preflight', { plan }),
        exited('ReleaseLock', { plan, cleanupError: { Error: 'DataPlaneError' }, lockReleased: {} }),
      ],
    });
    const d = deps();

    // Act
    const reaped = await reap(event('FAILED'), d);

    // Assess
    expect(reaped.reaped).toBe(true);
    expect(d.cleanup).toHaveBeenCalledOnce();
  });
});

describe('stopFault', () => {
  const arn = 'arn:aws:states:us-east-1:000000000000:stateMachine:failover-drill-stop-fault';

  it('runs the stop-fault state machine synchronously on the template and returns what it found', async () => {
    // Prepare
    const found = { templateId: 'EXT1', experiments: [{ id: 'EXP1', status: 'stopping' }] };
    sfn.on(StartSyncExecutionCommand).resolves({
      executionArn: `${arn}:x`,
      status: 'SUCCEEDED',
      startDate: new Date(),
      stopDate: new Date(),
      output: JSON.stringify(found),
    });

    // Act
    const stopped = await stopFault(new SFNClient({ region: 'us-east-1' }), arn, 'EXT1');

    // Assess
    expect(stopped).toEqual(found);
    expect(sfn.commandCalls(StartSyncExecutionCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: arn,
      input: JSON.stringify({ templateId: 'EXT1' }),
    });
  });

  it('is FaultStopError when the execution does not succeed (a 200 all the same)', async () => {
    // Prepare
    sfn.on(StartSyncExecutionCommand).resolves({
      executionArn: `${arn}:x`,
      status: 'FAILED',
      startDate: new Date(),
      stopDate: new Date(),
      error: 'Fis.ConflictException',
      cause: 'the experiment is not running',
    });

    // Act
    const stopping = stopFault(new SFNClient({ region: 'us-east-1' }), arn, 'EXT1');

    // Assess
    await expect(stopping).rejects.toMatchObject({
      name: 'FaultStopError',
      message: expect.stringContaining('Fis.ConflictException'),
    });
  });
});
