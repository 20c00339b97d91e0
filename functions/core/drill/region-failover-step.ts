/**
 * The drill's RegionFailover step (fault `global-failover`): one measured region failover of the plan's
 * Global Datastore (runRegionFailover), and with failBack a second one back to the original region, each
 * with its own key space. It refuses before the request when the secondary lags more than the plan's bound
 * on the probe's own writes. The RegionFailover handler is middy wiring around `regionFailoverStep`.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  DescribeGlobalReplicationGroupsCommand,
  type ElastiCacheClient,
  FailoverGlobalReplicationGroupCommand,
} from '@aws-sdk/client-elasticache';
import { DrillInputError, GuardrailError } from '../../shared/errors.js';
import type { StepLog } from '../../shared/powertools.js';
import { createRedisClient } from '../../shared/redis-client.js';
import { WRITER_DEFAULTS } from '../measure/defaults.js';
import type { GlobalReport } from '../measure/global-figures.js';
import { withDataPlane } from './data-plane.js';
import type { GlobalPlan } from './faults/global-failover.js';
import { type RegionFailoverOptions, runRegionFailover } from './global-failover-step.js';
import { globalLagMetricMs } from './global-lag-metric.js';
import { type RegionKeys, regionRunIds } from './global-steps.js';
import type { DrillPlan } from './plan.js';

export interface RegionFailoverStepDeps {
  /** An ElastiCache client signing for a region. */
  elastiCacheIn: (region: string) => ElastiCacheClient;
  /** A CloudWatch client in a region: GlobalDatastoreReplicationLag is read where the secondary is. */
  cloudWatchIn?: (region: string) => CloudWatchClient;
  log: StepLog;
  env?: NodeJS.ProcessEnv;
}

export interface RegionFailoverStepResult {
  report: GlobalReport & { failBack?: GlobalReport };
  keys: RegionKeys[];
}

export async function regionFailoverStep(
  plan: DrillPlan,
  deps: RegionFailoverStepDeps,
): Promise<RegionFailoverStepResult> {
  const global = plan.global;
  if (!global) throw new DrillInputError('RegionFailover needs a plan of fault global-failover');
  return withDataPlane(
    plan.target,
    async ({ clientTarget: { username, password, tlsCa } }) => {
      const createClient = (endpoint: string) =>
        createRedisClient({ endpoint, username, password, tlsCa, connectionName: 'failover-drill' });
      const legs: [GlobalPlan['primary'], GlobalPlan['secondary']][] = [[global.primary, global.secondary]];
      if (global.failBack) legs.push([global.secondary, global.primary]);
      const runIds = regionRunIds(plan.runId, global.failBack);
      const reports: GlobalReport[] = [];
      const keys: RegionKeys[] = [];
      for (const [i, [from, to]] of legs.entries()) {
        const result = await runRegionFailover(optionsOf(plan, global, runIds[i]!, from, to), {
          createClient,
          failover: async (region, replicationGroupId) => {
            await deps.elastiCacheIn(region).send(
              new FailoverGlobalReplicationGroupCommand({
                GlobalReplicationGroupId: global.globalReplicationGroupId,
                PrimaryRegion: region,
                PrimaryReplicationGroupId: replicationGroupId,
              }),
            );
          },
          describe: async () =>
            (
              await deps.elastiCacheIn(to.region).send(
                new DescribeGlobalReplicationGroupsCommand({
                  GlobalReplicationGroupId: global.globalReplicationGroupId,
                  ShowMemberInfo: true,
                }),
              )
            ).GlobalReplicationGroups?.[0],
          ...(deps.cloudWatchIn && {
            lagMetric: () =>
              globalLagMetricMs(
                { elastiCache: deps.elastiCacheIn(to.region), cloudWatch: deps.cloudWatchIn!(to.region) },
                to.replicationGroupId,
                Date.now(),
              ),
          }),
          beforeRequest: (lagMs) => {
            if (lagMs === undefined || lagMs > global.maxLagMs)
              throw new GuardrailError(
                `drill refused, nothing was failed over — global-lag: ${to.replicationGroupId} in ${to.region} ${lagMs === undefined ? 'showed none of the probe’s writes' : `lags ${lagMs} ms behind, more than ${global.maxLagMs} ms`}`,
                'global-lag',
              );
          },
        });
        keys.push({ keyBase: result.keyBase, attempted: result.attempted });
        reports.push(result.report);
        deps.log.info('region failover measured', {
          from: from.region,
          to: to.region,
          lost: result.report.rpo.lost,
          firstWriteOkMs: result.report.rto.firstWriteOkMs,
        });
      }
      const [out, back] = reports as [GlobalReport, GlobalReport?];
      return { report: back ? { ...out, failBack: back } : out, keys };
    },
    deps.env,
  );
}

function optionsOf(
  plan: DrillPlan,
  global: GlobalPlan,
  runId: string,
  primary: GlobalPlan['primary'],
  secondary: GlobalPlan['secondary'],
): RegionFailoverOptions {
  const { writer, recovery } = plan.request;
  return {
    globalReplicationGroupId: global.globalReplicationGroupId,
    runId,
    prefix: writer.keyPrefix,
    primary,
    secondary,
    intervalMs: 1000 / (writer.rate ?? WRITER_DEFAULTS.rate),
    settleMs: writer.settleSeconds * 1000,
    maxDurationMs: writer.maxDurationSeconds * 1000,
    ttlSeconds: writer.ttlSeconds ?? WRITER_DEFAULTS.ttlSeconds,
    baselineMs: writer.baselineSeconds * 1000,
    pollIntervalMs: recovery.pollIntervalSeconds * 1000,
    maxWaitMs: recovery.maxWaitSeconds * 1000,
  };
}
