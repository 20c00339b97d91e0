import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { StopConditionError } from '../../shared/errors.js';

export interface AlarmStates {
  /** Named alarms in state ALARM. */
  alarmsInAlarm: string[];
  /** Named alarms that do not exist. */
  alarmsMissing: string[];
}

/** The states of the stop-condition alarms (one DescribeAlarms: at most 100 names, as the request allows). */
export async function alarmStates(cloudWatch: CloudWatchClient, names: string[]): Promise<AlarmStates> {
  if (names.length === 0) return { alarmsInAlarm: [], alarmsMissing: [] };
  const out = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: names, MaxRecords: 100 }));
  const found = [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])];
  return {
    alarmsInAlarm: found.filter((a) => a.StateValue === 'ALARM').map((a) => a.AlarmName ?? ''),
    alarmsMissing: names.filter((n) => !found.some((a) => a.AlarmName === n)),
  };
}

/**
 * Throws StopConditionError when a stop-condition alarm is in ALARM, or has gone (an alarm nobody can
 * see any more protects nothing: stopping is the safe reading).
 */
export async function checkStopConditions(cloudWatch: CloudWatchClient, names: string[]): Promise<void> {
  const { alarmsInAlarm, alarmsMissing } = await alarmStates(cloudWatch, names);
  const reasons = [
    ...alarmsInAlarm.map((name) => `stop-condition alarm ${name} is in ALARM`),
    ...alarmsMissing.map((name) => `stop-condition alarm ${name} no longer exists`),
  ];
  const [first] = [...alarmsInAlarm, ...alarmsMissing];
  if (first !== undefined) throw new StopConditionError(`drill stopped: ${reasons.join('; ')}`, first);
}

export interface WatchClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/**
 * Checks the stop conditions every `intervalMs` for `forMs` (first at once, last at the end), throwing
 * StopConditionError on the first alarm in ALARM.
 */
export async function watchStopAlarms(
  cloudWatch: CloudWatchClient,
  names: string[],
  options: { forMs: number; intervalMs: number },
  clock: WatchClock,
): Promise<{ checks: number }> {
  const end = clock.now() + options.forMs;
  let checks = 0;
  for (;;) {
    await checkStopConditions(cloudWatch, names);
    checks++;
    const left = end - clock.now();
    if (left <= 0) return { checks };
    await clock.sleep(Math.min(options.intervalMs, left));
  }
}
