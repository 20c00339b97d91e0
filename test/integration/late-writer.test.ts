/**
 * A drill whose Write Lambda starts late — after the whole baseline has passed since Preflight's acceptance,
 * which used to be WriterStartedLateError — still measures: the fault branch waits for the probe to be
 * measuring, and the fault comes a whole baseline after that.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { measuringMarkerKey } from '../../functions/core/measure/measuring-marker.js';
import { LOCAL_DEFAULT_INPUT } from '../../local/drill.js';
import { drillStateMachine, startExecution } from '../../local/stepfunctions/runner.js';
import { redisClient, useLocalCloud } from '../support/local-cloud.js';

const context = useLocalCloud({ detectionDelayMs: 100 });

/** LOCAL_DEFAULT_INPUT's baseline: 2 s, as the quick-start drill has it. */
const BASELINE_MS = LOCAL_DEFAULT_INPUT.writer.baselineSeconds * 1000;

describe('a Write step that starts after the baseline', () => {
  it('is waited for: the fault comes a baseline after its start, and the drill measures the failover', async () => {
    // Prepare: the Write Task's handler starts a baseline and a half late, as a cold Lambda on a loaded machine
    const machine = drillStateMachine(context.cloud.machineOptions);
    const write = machine.handlers.Write!;
    const entered: { state: string; atMs: number }[] = [];
    machine.handlers.Write = async (input) => {
      await sleep(BASELINE_MS * 1.5);
      return write(input);
    };

    // Act
    const outcome = await startExecution(machine, LOCAL_DEFAULT_INPUT, {
      executionName: 'late-writer',
      onEvent: (event) => {
        if (event.type === 'StateEntered')
          entered.push({ state: (event as { state: { name: string } }).state.name, atMs: Date.now() });
      },
    }).outcome;

    // Assess
    const at = (state: string) => entered.find((e) => e.state === state)!.atMs;
    const { plan, results } = outcome.outputs.Report as {
      plan: { acceptedAt: number };
      results: [{ startedAtEpochMs: number }, unknown];
    };
    // The premise: the writer started after a whole baseline since the acceptance (the old start-by time).
    expect(results[0].startedAtEpochMs - plan.acceptedAt).toBeGreaterThan(BASELINE_MS);
    expect(outcome.status).toBe('SUCCEEDED');
    // The fault came a whole baseline after the writer's late start, and the writer saw it armed.
    expect(at('TriggerFailover') - at('Write')).toBeGreaterThanOrEqual(BASELINE_MS * 2.5);
    expect(outcome.output).toMatchObject({
      verdict: 'pass',
      failoverTriggered: true,
      disruption: { observed: true },
      writes: { lost: 0, baselineNonOk: 0 },
      downtime: { complete: true },
    });
    // Cleanup deleted the run's measuring marker by name.
    const client = redisClient(context.cloud.group.primaryEndpoint!);
    await client.connect();
    const left = await client.exists(measuringMarkerKey('failover-drill', 'late-writer'));
    client.disconnect();
    expect(left).toBe(0);
  });
});
