/**
 * The local CloudWatch's GetMetricData through the pinned SDK and the AWS CLI v1 (botocore's model parses
 * the answer): a metric source's per-second values aggregated into the query's periods by its statistic,
 * a metric nobody publishes answered with no datapoints, and AWS's refusals.
 */
import { CloudWatchClient, GetMetricDataCommand, InvalidNextToken } from '@aws-sdk/client-cloudwatch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsCli } from '../../test/support/aws-cli.js';
import { ControlPlane } from '../control-plane.js';
import { CLOUDWATCH_TARGET_PREFIX, CloudWatchService } from './service.js';

const account = { region: 'us-east-1', accountId: '000000000000' };
const T0 = Date.parse('2026-12-07T00:00:00Z');
let plane: ControlPlane;

beforeEach(async () => {
  const cloudWatch = new CloudWatchService(account);
  // One node's lag each second of two minutes: 10 s at 900 ms in the second minute, 0 otherwise.
  cloudWatch.serveMetrics((q) =>
    q.namespace === 'AWS/ElastiCache' &&
    q.dimensions.CacheClusterId === 'g-001' &&
    q.metricName === 'DurabilityLag'
      ? Array.from({ length: 120 }, (_, s) => ({ atMs: T0 + s * 1000, value: s >= 70 && s < 80 ? 900 : 0 }))
      : undefined,
  );
  plane = await ControlPlane.start();
  plane.mount('monitoring', cloudWatch.handler, { targetPrefix: CLOUDWATCH_TARGET_PREFIX });
  plane.open();
});
afterEach(async () => {
  await plane.close();
});

const query = (id: string, metric: string, stat: string) => ({
  Id: id,
  MetricStat: {
    Metric: {
      Namespace: 'AWS/ElastiCache',
      MetricName: metric,
      Dimensions: [{ Name: 'CacheClusterId', Value: 'g-001' }],
    },
    Period: 60,
    Stat: stat,
  },
});

describe('GetMetricData', () => {
  it('aggregates a source’s seconds into periods by statistic, oldest first when asked, and nothing where none is published', async () => {
    // Prepare
    const cw = new CloudWatchClient({
      endpoint: plane.endpoint,
      region: account.region,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
    });

    // Act
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 120_000),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [
          query('lag', 'DurabilityLag', 'Maximum'),
          query('mean', 'DurabilityLag', 'Average'),
          query('traffic', 'TrafficManagementActive', 'Maximum'),
        ],
      }),
    );
    const refused = await cw
      .send(
        new GetMetricDataCommand({
          StartTime: new Date(T0),
          EndTime: new Date(T0 + 60_000),
          NextToken: 'bogus',
          MetricDataQueries: [query('lag', 'DurabilityLag', 'Maximum')],
        }),
      )
      .catch((e: unknown) => e);
    const backwards = await cw
      .send(
        new GetMetricDataCommand({
          StartTime: new Date(T0 + 60_000),
          EndTime: new Date(T0),
          MetricDataQueries: [query('lag', 'DurabilityLag', 'Maximum')],
        }),
      )
      .catch((e: unknown) => e);

    // Assess
    const [lag, mean, traffic] = out.MetricDataResults ?? [];
    expect(lag).toMatchObject({
      Id: 'lag',
      Timestamps: [new Date(T0), new Date(T0 + 60_000)],
      Values: [0, 900],
      StatusCode: 'Complete',
    });
    expect(mean?.Values).toEqual([0, 150]);
    expect(traffic).toMatchObject({ Id: 'traffic', Timestamps: [], Values: [], StatusCode: 'Complete' });
    expect(refused).toBeInstanceOf(InvalidNextToken);
    expect(backwards).toMatchObject({
      name: 'InvalidParameterValueException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('answers the AWS CLI v1, parsed by botocore’s model', async () => {
    // Act
    const got = await awsCli(plane.endpoint, [
      'cloudwatch',
      'get-metric-data',
      '--start-time',
      new Date(T0).toISOString(),
      '--end-time',
      new Date(T0 + 120_000).toISOString(),
      '--metric-data-queries',
      JSON.stringify([query('lag', 'DurabilityLag', 'Maximum')]),
    ]);

    // Assess: newest first, CloudWatch's default
    expect(got.code, got.stderr).toBe(0);
    expect(got.json).toMatchObject({
      MetricDataResults: [{ Id: 'lag', Values: [900, 0], StatusCode: 'Complete' }],
    });
  });
});
