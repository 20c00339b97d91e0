/**
 * The drill's ASL, the fault branch's paths: the real definition run in aws-local-stepfunctions with every
 * Lambda Task a stub and FIS a stub service (no Redis, no local cloud), so that each path is walked in
 * milliseconds — fis-az-power's success, its failures (the writer, the experiment, the template), and
 * TestFailover untouched by it.
 */
import { describe, expect, it } from 'vitest';
import { RestJsonFault } from '../local/protocols/rest-json.js';
import {
  ASL_PATH,
  deployedMachine,
  type ExecutionOutcome,
  localStateMachine,
  startExecution,
} from '../local/stepfunctions/runner.js';
import type { SdkIntegrationService } from '../local/stepfunctions/sdk-integrations.js';

type Json = Record<string, unknown>;

const PLAN = {
  runId: 'run-1',
  lock: 'run-1@1796000000',
  target: { replicationGroupId: 'drill-demo', nodeGroupId: '0001' },
  request: {
    dryRun: false,
    fault: { source: 'fis-az-power', duration: 'PT4S' },
    writer: { baselineSeconds: 0, settleSeconds: 0 },
    guardrails: { stopAlarmNames: [] },
  },
  fis: { availabilityZone: 'us-east-1a', nodeIds: ['drill-demo-001'], pollSeconds: 0 },
};

interface World {
  plan?: Json;
  /** GetExperiment answers these statuses in turn (the last one again after). */
  statuses?: string[];
  failWrite?: boolean;
  failCreate?: boolean;
  /** WatchExperiment (a watched poll interval) finds an alarm in ALARM. */
  alarmDuringExperiment?: boolean;
}

async function drill(world: World = {}): Promise<{
  outcome: ExecutionOutcome;
  entered: string[];
  fis: { operation: string; input: Json }[];
  report: Json;
}> {
  const fis: { operation: string; input: Json }[] = [];
  let polls = 0;
  const statuses = world.statuses ?? ['running', 'completed'];
  const service: SdkIntegrationService = {
    errorPrefix: 'Fis',
    mapMembers: new Set(['targets', 'actions', 'parameters', 'tags', 'resourceTags']),
    timestampMembers: new Set(['creationTime']),
    call: async (operation, input) => {
      fis.push({ operation, input });
      switch (operation) {
        case 'CreateExperimentTemplate':
          if (world.failCreate) throw new RestJsonFault('ValidationException', 400, 'duration under PT1M');
          return { experimentTemplate: { id: 'EXT1' } };
        case 'StartExperiment':
          return { experiment: { id: 'EXP1', creationTime: 1_796_000_000, state: { status: 'initiating' } } };
        case 'GetExperiment': {
          const status = statuses[Math.min(polls++, statuses.length - 1)]!;
          return { experiment: { id: 'EXP1', state: { status, reason: `it is ${status}` } } };
        }
        case 'ListExperiments':
          return {
            experiments: [{ id: 'EXP1', state: { status: statuses[Math.min(polls, statuses.length - 1)] } }],
          };
        default:
          return {};
      }
    },
  };
  const { definition, handlers } = deployedMachine(ASL_PATH, 'DrillStateMachine', { sdk: { fis: service } });
  const stub = (result: (input: Json) => unknown) => async (input: unknown) => result(input as Json);
  const recovery = { requestedAt: 1, polls: 1, done: true, events: [] };
  let report: Json = {};
  Object.assign(handlers, {
    Preflight: stub(() => world.plan ?? PLAN),
    Write: stub(() => {
      if (world.failWrite) throw Object.assign(new Error('the writer failed'), { name: 'DataPlaneError' });
      return { attempted: 1 };
    }),
    TriggerFailover: stub(() => ({ ...recovery, done: false })),
    AwaitRecovery: stub((input) => ({ ...recovery, requestedAt: (input.recovery as Json).requestedAt })),
    WatchBaseline: stub(() => ({})),
    WatchExperiment: stub(() => {
      if (world.alarmDuringExperiment)
        throw Object.assign(new Error('stop-condition alarm app-errors is in ALARM'), {
          name: 'StopConditionError',
        });
      return {};
    }),
    WatchSettle: stub(() => ({})),
    Verify: stub(() => ({ lost: 0 })),
    Cleanup: stub(() => ({ deleted: 0 })),
    ReleaseLock: stub(() => ({ released: true, reason: 'released' })),
    Report: stub((input) => {
      report = input;
      return { verdict: input.error ? 'error' : 'pass', error: { name: (input.error as Json)?.Error } };
    }),
  });
  const entered: string[] = [];
  const machine = localStateMachine({ name: 'failover-drill', definition, handlers });
  const outcome = await startExecution(
    machine,
    { replicationGroupId: 'drill-demo' },
    {
      executionName: 'run-1',
      onEvent: (event) => {
        if (event.type === 'StateEntered') entered.push((event as { state: { name: string } }).state.name);
      },
    },
  ).outcome;
  return { outcome, entered, fis, report };
}

describe('the drill state machine with fault fis-az-power', () => {
  it('creates the template, starts and follows the experiment to completed, deletes the template, then awaits recovery from T0', async () => {
    // Act
    const { outcome, entered, fis, report } = await drill({
      statuses: ['initiating', 'running', 'completed'],
    });

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(fis.map((c) => c.operation)).toEqual([
      'CreateExperimentTemplate',
      'StartExperiment',
      'GetExperiment',
      'GetExperiment',
      'GetExperiment',
      'DeleteExperimentTemplate',
    ]);
    expect(entered).not.toContain('TriggerFailover');
    expect(entered.indexOf('FaultEnded')).toBeLessThan(entered.indexOf('AwaitRecovery'));
    // The template: the group by this run's lock tag, the zone and the duration the plan holds.
    expect(fis[0]!.input).toMatchObject({
      roleArn: expect.stringMatching(/:role\/FisExperimentRole$/),
      stopConditions: [{ source: 'none' }],
      targets: {
        drilledGroup: {
          resourceType: 'aws:elasticache:replicationgroup',
          resourceTags: { 'failover-drill:lock': PLAN.lock },
          selectionMode: 'ALL',
          parameters: { availabilityZoneIdentifier: 'us-east-1a' },
        },
      },
      actions: {
        interruptAzPower: {
          actionId: 'aws:elasticache:replicationgroup-interrupt-az-power',
          parameters: { duration: 'PT4S' },
          targets: { ReplicationGroups: 'drilledGroup' },
        },
      },
      tags: { 'failover-drill:run': 'run-1' },
    });
    expect(fis[1]!.input).toMatchObject({ experimentTemplateId: 'EXT1' });
    // T0 is the experiment's creation time, handed to AwaitRecovery as Step Functions gives it.
    expect((report.results as Json[])[1]).toMatchObject({ requestedAt: '2026-11-30T00:53:20.000Z' });
  });

  it('stops the running experiment and deletes its template when the writer fails', async () => {
    // Act
    const { outcome, entered, fis, report } = await drill({ failWrite: true, statuses: ['running'] });

    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(entered).toEqual(expect.arrayContaining(['StopFault', 'ListFaultExperiments', 'StopExperiment']));
    expect(fis.map((c) => c.operation)).toContain('StopExperiment');
    expect(fis.find((c) => c.operation === 'ListExperiments')?.input).toEqual({
      experimentTemplateId: 'EXT1',
    });
    expect(fis.find((c) => c.operation === 'StopExperiment')?.input).toEqual({ id: 'EXP1' });
    expect(fis.at(-1)).toEqual({ operation: 'DeleteExperimentTemplate', input: { id: 'EXT1' } });
    expect(entered.indexOf('DeleteFaultTemplate')).toBeLessThan(entered.indexOf('Cleanup'));
    expect(report.error).toMatchObject({ Error: 'DataPlaneError' });
    expect(report.faultStopError).toBeUndefined();
  });

  it('fails with FaultExperimentError when the experiment ends without completing, and stops nothing that ended', async () => {
    // Act
    const { outcome, entered, fis, report } = await drill({ statuses: ['running', 'failed'] });

    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(report.error).toMatchObject({ Error: 'FaultExperimentError' });
    expect(String((report.error as Json).Cause)).toMatch(/EXP1 ended without completing.*it is failed/);
    expect(entered).toContain('ExperimentNotRunning');
    expect(fis.map((c) => c.operation)).not.toContain('StopExperiment');
    expect(fis.at(-1)?.operation).toBe('DeleteExperimentTemplate');
  });

  it('reads the stop conditions between the polls, and stops the experiment when one fires', async () => {
    // Prepare
    const watched = { ...PLAN, request: { ...PLAN.request, guardrails: { stopAlarmNames: ['app-errors'] } } };

    // Act
    const calm = await drill({ plan: watched, statuses: ['running', 'completed'] });
    const fired = await drill({ plan: watched, statuses: ['running'], alarmDuringExperiment: true });

    // Assess
    expect(calm.outcome.status).toBe('SUCCEEDED');
    expect(calm.entered.filter((s) => s === 'WatchExperiment')).toHaveLength(2);
    expect(calm.entered).not.toContain('WaitExperiment');
    expect(fired.outcome.status).toBe('FAILED');
    expect(fired.report.error).toMatchObject({ Error: 'StopConditionError' });
    expect(fired.fis.find((c) => c.operation === 'StopExperiment')?.input).toEqual({ id: 'EXP1' });
    expect(fired.fis.map((c) => c.operation)).not.toContain('GetExperiment');
  });

  it('goes to Cleanup with the FIS error, no drill started, when the template is refused', async () => {
    // Act
    const { entered, fis, report } = await drill({ failCreate: true });

    // Assess
    expect(report.error).toMatchObject({ Error: 'Fis.ValidationException' });
    expect(entered).not.toContain('Drill');
    expect(entered).not.toContain('Write');
    expect(fis.map((c) => c.operation)).toEqual(['CreateExperimentTemplate']);
  });

  it('leaves TestFailover as it was: no FIS call, no StopFault', async () => {
    // Act
    const { outcome, entered, fis } = await drill({
      plan: { ...PLAN, fis: undefined, request: { ...PLAN.request, fault: 'test-failover' } },
      failWrite: true,
    });

    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(fis).toEqual([]);
    expect(entered).toContain('StopFault');
    expect(entered).not.toContain('ListFaultExperiments');
  });
});
