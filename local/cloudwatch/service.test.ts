import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  ResourceNotFound,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsCli } from '../../test/support/aws-cli.js';
import { ControlPlane } from '../control-plane.js';
import { CLOUDWATCH_TARGET_PREFIX, CloudWatchService } from './service.js';

const account = { region: 'us-east-1', accountId: '000000000000' };
let plane: ControlPlane;
let cloudWatch: CloudWatchService;

beforeEach(async () => {
  cloudWatch = new CloudWatchService(account, () => Date.parse('2026-12-01T10:00:00Z'));
  plane = await ControlPlane.start();
  plane.mount('monitoring', cloudWatch.handler, { targetPrefix: CLOUDWATCH_TARGET_PREFIX });
  plane.open();
});
afterEach(async () => {
  await plane.close();
});

const client = () =>
  new CloudWatchClient({
    endpoint: plane.endpoint,
    region: account.region,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 1,
  });

describe('CloudWatch alarms through the pinned SDK (AWS JSON 1.0)', () => {
  it('creates an alarm, changes its state and describes it by name', async () => {
    // Prepare
    const cw = client();

    // Act
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'checkout-5xx',
        Namespace: 'App',
        MetricName: 'Errors5xx',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 10,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    const created = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['checkout-5xx'] }));
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: 'checkout-5xx', StateValue: 'ALARM', StateReason: 'game day' }),
    );
    const fired = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['checkout-5xx', 'other'] }));
    const inAlarm = await cw.send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }));

    // Assess
    expect(created.MetricAlarms).toEqual([
      expect.objectContaining({
        AlarmName: 'checkout-5xx',
        AlarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:checkout-5xx',
        StateValue: 'INSUFFICIENT_DATA',
        Threshold: 10,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    ]);
    expect(fired.MetricAlarms?.map((a) => [a.AlarmName, a.StateValue, a.StateReason])).toEqual([
      ['checkout-5xx', 'ALARM', 'game day'],
    ]);
    expect(fired.MetricAlarms?.[0]?.StateUpdatedTimestamp).toEqual(new Date('2026-12-01T10:00:00Z'));
    expect(inAlarm.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['checkout-5xx']);
  });

  it('refuses an unknown alarm with ResourceNotFound, and a bad state with InvalidParameterValue', async () => {
    // Prepare
    const cw = client();
    cloudWatch.putMetricAlarm('known', {}, 'OK');

    // Act
    const unknown = await cw
      .send(new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'ALARM', StateReason: 'x' }))
      .catch((e: unknown) => e);
    const badState = await cw
      .send(
        new SetAlarmStateCommand({
          AlarmName: 'known',
          StateValue: 'BROKEN' as 'ALARM',
          StateReason: 'x',
        }),
      )
      .catch((e: unknown) => e);

    // Assess
    expect(unknown).toBeInstanceOf(ResourceNotFound);
    expect(badState).toMatchObject({
      name: 'InvalidParameterValueException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(cloudWatch.alarm('known')?.StateValue).toBe('OK');
  });

  it('pages DescribeAlarms with NextToken', async () => {
    // Prepare
    for (let i = 0; i < 7; i++) cloudWatch.putMetricAlarm(`alarm-${i}`, {}, 'OK');

    // Act
    const first = await client().send(new DescribeAlarmsCommand({ MaxRecords: 5 }));
    const second = await client().send(
      new DescribeAlarmsCommand({ MaxRecords: 5, NextToken: first.NextToken }),
    );

    // Assess
    expect(first.MetricAlarms).toHaveLength(5);
    expect(second.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['alarm-5', 'alarm-6']);
    expect(second.NextToken).toBeUndefined();
  });
});

describe('CloudWatch alarms through the AWS CLI v1 (botocore)', () => {
  it('puts, fires and describes an alarm, and gets ResourceNotFound for an unknown one', async () => {
    // Act
    const put = await awsCli(plane.endpoint, [
      'cloudwatch',
      'put-metric-alarm',
      '--alarm-name',
      'orders-latency',
      '--namespace',
      'App',
      '--metric-name',
      'LatencyP99',
      '--statistic',
      'Maximum',
      '--period',
      '60',
      '--evaluation-periods',
      '1',
      '--threshold',
      '250',
      '--comparison-operator',
      'GreaterThanThreshold',
    ]);
    const set = await awsCli(plane.endpoint, [
      'cloudwatch',
      'set-alarm-state',
      '--alarm-name',
      'orders-latency',
      '--state-value',
      'ALARM',
      '--state-reason',
      'fired by the harness',
    ]);
    const described = await awsCli(plane.endpoint, [
      'cloudwatch',
      'describe-alarms',
      '--alarm-names',
      'orders-latency',
    ]);
    const unknown = await awsCli(plane.endpoint, [
      'cloudwatch',
      'set-alarm-state',
      '--alarm-name',
      'nope',
      '--state-value',
      'OK',
      '--state-reason',
      'x',
    ]);

    // Assess
    expect([put.code, set.code, described.code], `${put.stderr}${set.stderr}${described.stderr}`).toEqual([
      0, 0, 0,
    ]);
    expect(described.json).toMatchObject({
      MetricAlarms: [
        { AlarmName: 'orders-latency', StateValue: 'ALARM', StateReason: 'fired by the harness' },
      ],
    });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/ResourceNotFound/);
  });
});
