import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { planFixture } from './plan.fixture.js';
import { reap } from './reap.js';

const sfn = mockClient(SFNClient);
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
  };
}

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

  it('leaves an abandoned FIS experiment to its bounded duration, and says so', async () => {
    // Prepare
    const fisPlan = {
      ...plan,
      request: { ...plan.request, fault: { source: 'fis-az-power' as const, duration: 'PT5M' } },
      fis: { availabilityZone: 'us-east-1a', nodeIds: ['drill-demo-001'], pollSeconds: 5 },
    };
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [exited('Preflight', { plan: fisPlan })] });
    const d = deps();

    // Act
    const reaped = await reap(event('ABORTED'), d);

    // Assess
    expect(reaped).toMatchObject({ reaped: true, deleted: 42, lockReleased: true });
    expect(reaped.note).toContain('the FIS experiment of us-east-1a ends by itself within its duration PT5M');
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
