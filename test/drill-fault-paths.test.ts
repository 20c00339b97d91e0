/**
 * The drill's ASL, the fault branch's paths: the real definition run in aws-local-stepfunctions with every
 * Lambda Task a stub and FIS a stub service (no Redis, no local cloud), its stop-fault state machine a real
 * nested execution, so that each path is walked in milliseconds — fis-az-power's success, its failures (the
 * writer, the experiment, the template, the stop itself), and TestFailover untouched by it.
 */
import { describe, expect, it } from 'vitest';
import { RestJsonFault } from '../local/protocols/rest-json.js';
import { nestedExecution } from '../local/stepfunctions/nested.js';
import {
  ASL_PATH,
  deployedMachine,
  type ExecutionOutcome,
  faultStopStateMachine,
  localStateMachine,
  startExecution,
} from '../local/stepfunctions/runner.js';
import type { SdkIntegrationService } from '../local/stepfunctions/sdk-integrations.js';
import { LocalStepFunctions } from '../local/stepfunctions/service.js';

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
  /** ListExperiments is refused (the stop-fault state machine fails). */
  failList?: boolean;
  /** ListExperiments answers these experiments, not the one of GetExperiment's statuses. */
  experiments?: { id: string; state: { status: string } }[];
  /** DeleteExperimentTemplate: the template is gone already. */
  templateGone?: boolean;
  /** WatchExperiment (a watched poll interval) finds an alarm in ALARM. */
  alarmDuringExperiment?: boolean;
  /** AwaitProbe never sees the probe measuring (the writer did not start within its window). */
  writerNeverStarts?: boolean;
}

/** A stub FIS as the local Step Functions' aws-sdk integration calls it, answering through `answer`. */
function fisStub(answer: (operation: string, input: Json) => Json | Promise<Json>): SdkIntegrationService {
  return {
    errorPrefix: 'Fis',
    mapMembers: new Set(['targets', 'actions', 'parameters', 'tags', 'resourceTags']),
    timestampMembers: new Set(['creationTime']),
    call: async (operation, input) => answer(operation, input),
  };
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
  const service = fisStub((operation, input) => {
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
        if (world.failList) throw new RestJsonFault('ValidationException', 400, 'injected: list refused');
        return {
          experiments: world.experiments ?? [
            { id: 'EXP1', state: { status: statuses[Math.min(polls, statuses.length - 1)] } },
          ],
        };
      case 'StopExperiment':
        return { experiment: { id: input.id, state: { status: 'stopping' } } };
      case 'DeleteExperimentTemplate':
        if (world.templateGone) throw new RestJsonFault('ResourceNotFoundException', 404, 'no such template');
        return {};
      default:
        return {};
    }
  });
  // The stop-fault state machine runs for real, nested, on the same stub FIS.
  const stepFunctions = new LocalStepFunctions();
  stepFunctions.addStateMachine(faultStopStateMachine({ sdk: { fis: service } }));
  const { definition, handlers } = deployedMachine(ASL_PATH, 'DrillStateMachine', {
    sdk: { fis: service },
    startExecutionSync: nestedExecution(stepFunctions),
  });
  const stub = (result: (input: Json) => unknown) => async (input: unknown) => result(input as Json);
  const recovery = { requestedAt: 1, polls: 1, done: true, events: [] };
  let report: Json = {};
  Object.assign(handlers, {
    Preflight: stub(() => world.plan ?? PLAN),
    Write: stub(() => {
      if (world.failWrite) throw Object.assign(new Error('the writer failed'), { name: 'DataPlaneError' });
      return { attempted: 1 };
    }),
    AwaitProbe: stub(() => {
      if (world.writerNeverStarts)
        throw Object.assign(new Error('the writer had not started measuring'), {
          name: 'WriterStartedLateError',
        });
      return { measuringSince: 1, waitedMs: 0, polls: 1 };
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

/** The stop-fault state machine alone, for template EXT1, on a stub FIS answering through `answer`. */
async function stopFault(answer: (operation: string) => Json): Promise<ExecutionOutcome> {
  return startExecution(
    faultStopStateMachine({ sdk: { fis: fisStub(answer) } }),
    { templateId: 'EXT1' },
    { executionName: 'stop' },
  ).outcome;
}

/** FIS listing EXP1 as running and refusing its stop, as it does once EXP1 has ended: GetExperiment then finds it `status`. */
function stopRefused(status: string, calls: string[]): (operation: string) => Json {
  return (operation) => {
    calls.push(operation);
    if (operation === 'ListExperiments')
      return { experiments: [{ id: 'EXP1', state: { status: 'running' } }] };
    if (operation === 'StopExperiment') throw new RestJsonFault('ValidationException', 400, 'EXP1 has ended');
    if (operation === 'GetExperiment') return { experiment: { id: 'EXP1', state: { status } } };
    return {};
  };
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
    expect(entered).toEqual(expect.arrayContaining(['StopFault', 'StopFaultExperiments']));
    expect(fis.map((c) => c.operation)).toContain('StopExperiment');
    expect(fis.find((c) => c.operation === 'ListExperiments')?.input).toEqual({
      experimentTemplateId: 'EXT1',
    });
    expect(fis.find((c) => c.operation === 'StopExperiment')?.input).toEqual({ id: 'EXP1' });
    expect(fis.at(-1)).toEqual({ operation: 'DeleteExperimentTemplate', input: { id: 'EXT1' } });
    expect(entered.indexOf('StopFaultExperiments')).toBeLessThan(entered.indexOf('Cleanup'));
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
    expect(entered).toContain('StopFaultExperiments');
    expect(fis.map((c) => c.operation)).toContain('ListExperiments');
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

  it('injects nothing when the probe never starts measuring: WriterStartedLateError, cleaned up', async () => {
    // Act
    const { outcome, entered, fis, report } = await drill({ writerNeverStarts: true });

    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(report.error).toMatchObject({ Error: 'WriterStartedLateError' });
    expect(entered).toContain('AwaitProbe');
    expect(entered).not.toContain('InjectFault');
    expect(fis.map((c) => c.operation)).not.toContain('StartExperiment');
    expect(entered).toEqual(expect.arrayContaining(['Cleanup', 'ReleaseLock', 'Report']));
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
    expect(entered).not.toContain('StopFaultExperiments');
  });

  it('keeps a failure of the stop as faultStopError and cleans up all the same', async () => {
    // Act
    const { outcome, entered, fis, report } = await drill({
      failWrite: true,
      statuses: ['running'],
      failList: true,
    });

    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(fis.filter((c) => c.operation === 'ListExperiments')).toHaveLength(3); // retried twice
    expect(report.faultStopError).toMatchObject({ Error: 'States.TaskFailed' });
    expect(String((report.faultStopError as Json).Cause)).toContain('Fis.ValidationException');
    expect(entered).toEqual(expect.arrayContaining(['Cleanup', 'ReleaseLock', 'Report']));
  });
});

describe('the stop-fault state machine', () => {
  it('stops exactly the experiments still running, deletes the template, and says what it found', async () => {
    // Act
    const { outcome, fis } = await drill({
      failWrite: true,
      experiments: [
        { id: 'EXP0', state: { status: 'completed' } },
        { id: 'EXP1', state: { status: 'running' } },
        { id: 'EXP2', state: { status: 'initiating' } },
      ],
    });
    const stopped = fis.filter((c) => c.operation === 'StopExperiment').map((c) => c.input.id);

    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(stopped.sort()).toEqual(['EXP1', 'EXP2']);
    expect(fis.at(-1)).toEqual({ operation: 'DeleteExperimentTemplate', input: { id: 'EXT1' } });
  });

  it('takes a stop refused because the experiment ended after the list for what it is: nothing left to stop', async () => {
    // Prepare
    const calls: string[] = [];
    const answer = stopRefused('completed', calls);

    // Act
    const outcome = await stopFault(answer);

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.output).toEqual({
      templateId: 'EXT1',
      experiments: [{ id: 'EXP1', status: 'completed' }],
    });
    expect(calls).toEqual(['ListExperiments', 'StopExperiment', 'GetExperiment', 'DeleteExperimentTemplate']);
  });

  it('fails, the template kept, when the stop is refused and the experiment runs on', async () => {
    // Prepare
    const calls: string[] = [];
    const answer = stopRefused('running', calls);

    // Act
    const outcome = await stopFault(answer);

    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('Fis.ValidationException');
    expect(calls).toEqual(['ListExperiments', 'StopExperiment', 'GetExperiment']);
  });

  it('succeeds when the template is gone already (idempotent: the reaper may run it again)', async () => {
    // Act
    const outcome = await stopFault((operation) => {
      if (operation === 'DeleteExperimentTemplate')
        throw new RestJsonFault('ResourceNotFoundException', 404, 'no such template');
      if (operation === 'ListExperiments')
        return { experiments: [{ id: 'EXP1', state: { status: 'stopped' } }] };
      return {};
    });

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.output).toEqual({ templateId: 'EXT1', experiments: [{ id: 'EXP1', status: 'stopped' }] });
  });
});
