/**
 * CloudWatch's GlobalDatastoreReplicationLag for a region failover: seconds, the maximum across shards,
 * published by the secondary's nodes in the secondary's region. The drill reads it at the request, beside
 * the lag its own probe measured (report.global.crossRegionLagMs.metric). Reads only.
 */
import { type CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeReplicationGroupsCommand, type ElastiCacheClient } from '@aws-sdk/client-elasticache';

/** ElastiCache publishes its metrics at a one-minute period. */
const PERIOD_S = 60;
/** How far back the last published minute is looked for: a minute's datapoint lands a few minutes late. */
const LOOKBACK_MS = 5 * 60_000;

/**
 * The latest minute's maximum of GlobalDatastoreReplicationLag for `replicationGroupId`'s primary node (ms),
 * up to `atMs`; null when CloudWatch holds none (not yet published, or the node is not a secondary's).
 */
export async function globalLagMetricMs(
  clients: { elastiCache: ElastiCacheClient; cloudWatch: CloudWatchClient },
  replicationGroupId: string,
  atMs: number,
): Promise<number | null> {
  const group = (
    await clients.elastiCache.send(
      new DescribeReplicationGroupsCommand({ ReplicationGroupId: replicationGroupId }),
    )
  ).ReplicationGroups?.[0];
  const node = group?.NodeGroups?.[0]?.NodeGroupMembers?.find(
    (m) => m.CurrentRole === 'primary',
  )?.CacheClusterId;
  if (!node) return null;
  const out = await clients.cloudWatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(atMs - LOOKBACK_MS),
      EndTime: new Date(atMs),
      ScanBy: 'TimestampDescending',
      MetricDataQueries: [
        {
          Id: 'lag',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/ElastiCache',
              MetricName: 'GlobalDatastoreReplicationLag',
              Dimensions: [{ Name: 'CacheClusterId', Value: node }],
            },
            Period: PERIOD_S,
            Stat: 'Maximum',
          },
        },
      ],
    }),
  );
  const latest = out.MetricDataResults?.[0]?.Values?.[0];
  return latest === undefined ? null : Math.round(latest * 1000);
}
