import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { checkStopConditions, watchStopAlarms } from './stop-conditions.js';

const cloudWatch = mockClient(CloudWatchClient);
// Unit files share a worker (isolate: false): the stubbed client's prototype must not outlive this file.
afterAll(() => cloudWatch.restore());
afterEach(() => cloudWatch.reset());

/** A clock that only moves when the watch sleeps. */
function fakeClock() {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
  };
}

const alarm = (AlarmName: string, StateValue: 'OK' | 'ALARM') => ({ AlarmName, StateValue });

describe('stop conditions', () => {
  it('holds while every alarm is OK, reading them through the whole watch', async () => {
    // Prepare
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('app-5xx', 'OK')] });

    // Act
    const watched = await watchStopAlarms(
      new CloudWatchClient({}),
      ['app-5xx'],
      { forMs: 5000, intervalMs: 1000 },
      fakeClock(),
    );

    // Assess
    expect(watched.checks).toBe(6); // at 0, 1, 2, 3, 4 and 5 s
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand)[0]!.args[0].input).toMatchObject({
      AlarmNames: ['app-5xx'],
    });
  });

  it('stops the watch at the first alarm in ALARM, with StopConditionError naming it', async () => {
    // Prepare
    cloudWatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [alarm('app-5xx', 'OK'), alarm('latency', 'OK')] })
      .resolves({ MetricAlarms: [alarm('app-5xx', 'OK'), alarm('latency', 'ALARM')] });
    const clock = fakeClock();

    // Act
    const error = await watchStopAlarms(
      new CloudWatchClient({}),
      ['app-5xx', 'latency'],
      { forMs: 60_000, intervalMs: 500 },
      clock,
    ).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'StopConditionError', alarm: 'latency' });
    expect((error as Error).message).toBe('drill stopped: stop-condition alarm latency is in ALARM');
    expect(clock.now()).toBe(500);
  });

  it('stops when a stop-condition alarm has gone, and reads nothing without alarms', async () => {
    // Prepare
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });

    // Act
    const gone = await checkStopConditions(new CloudWatchClient({}), ['deleted-alarm']).catch(
      (e: unknown) => e,
    );
    const none = await watchStopAlarms(
      new CloudWatchClient({}),
      [],
      { forMs: 0, intervalMs: 1 },
      fakeClock(),
    );

    // Assess
    expect(gone).toMatchObject({ name: 'StopConditionError', alarm: 'deleted-alarm' });
    expect(none.checks).toBe(1);
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand)).toHaveLength(1);
  });
});
