/**
 * One measured region failover: the cross-region probe writes through a baseline, the secondary's lag is
 * sampled, FailoverGlobalReplicationGroup is requested, DescribeGlobalReplicationGroups is followed until
 * the roles swapped and every member is associated, the probe settles in the promoted region, and the old
 * region's acknowledged writes are read back from the new primary region (report.global). With failBack
 * the same runs again the other way. The ElastiCache calls and the clients are injected.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { GlobalReplicationGroup } from '@aws-sdk/client-elasticache';
import { CLIENT_DEFAULTS, type RedisClient, waitUntilReady } from '../../shared/redis-client.js';
import { type CrossRegionWrite, type GlobalReport, globalFigures } from '../measure/global-figures.js';
import { GlobalProbe, type GlobalProbeOptions, type RegionEndpoint } from '../measure/global-probe.js';
import { regionTimeline } from '../measure/region-timelines.js';

export interface RegionMember extends RegionEndpoint {
  replicationGroupId: string;
}

export interface RegionFailoverOptions extends Omit<GlobalProbeOptions, 'primary' | 'secondary'> {
  globalReplicationGroupId: string;
  primary: RegionMember;
  secondary: RegionMember;
  baselineMs: number;
  pollIntervalMs: number;
  maxWaitMs: number;
}

export interface RegionFailoverDeps {
  createClient: (endpoint: string) => RedisClient;
  /** FailoverGlobalReplicationGroup naming the secondary to promote. */
  failover: (region: string, replicationGroupId: string) => Promise<void>;
  /** DescribeGlobalReplicationGroups with ShowMemberInfo, of this datastore. */
  describe: () => Promise<GlobalReplicationGroup | undefined>;
  /** The last look before the request, on the lag the probe measured: throws to refuse (nothing failed over). */
  beforeRequest?: (lagMeasuredMs: number | undefined) => void;
  /** CloudWatch's GlobalDatastoreReplicationLag at the request (ms), when published. */
  lagMetric?: () => Promise<number | null>;
}

export interface RegionFailoverResult {
  report: GlobalReport;
  /** The probe's key base: Cleanup unlinks its keys in both regions. */
  keyBase: string;
  attempted: number;
  /** Every write of the probe, for the report's timeline of both regions. */
  writes: readonly CrossRegionWrite[];
}

/** The roles swapped: `promoted` is the primary, and the datastore and every member are settled. */
export function rolesSwapped(d: GlobalReplicationGroup | undefined, promoted: RegionMember): boolean {
  const members = d?.Members ?? [];
  return (
    d?.Status === 'available' &&
    members.length > 1 &&
    members.every((m) => m.Status === 'associated') &&
    members.some(
      (m) =>
        m.Role === 'primary' &&
        m.ReplicationGroupRegion === promoted.region &&
        m.ReplicationGroupId === promoted.replicationGroupId,
    )
  );
}

export async function runRegionFailover(
  options: RegionFailoverOptions,
  deps: RegionFailoverDeps,
): Promise<RegionFailoverResult> {
  const probe = new GlobalProbe(options, { createClient: deps.createClient });
  const { done } = probe.start();
  try {
    await sleep(options.baselineMs);
    const lagMeasuredMs = await probe.sampleLag();
    deps.beforeRequest?.(lagMeasuredMs);
    const lagMetricMs = (await deps.lagMetric?.()) ?? null;
    const requestedAtEpochMs = Date.now();
    await deps.failover(options.secondary.region, options.secondary.replicationGroupId);
    let rolesSwappedAtEpochMs: number | undefined;
    const deadline = requestedAtEpochMs + options.maxWaitMs;
    while (rolesSwappedAtEpochMs === undefined && Date.now() < deadline) {
      if (rolesSwapped(await deps.describe(), options.secondary)) rolesSwappedAtEpochMs = Date.now();
      else await sleep(options.pollIntervalMs);
    }
    await done;
    await probe.stop();
    const acked = probe.writes.filter((w) => w.region === options.primary.region && w.outcome === 'ok');
    const present = await readBack(
      deps.createClient(options.secondary.endpoint),
      acked.map((w) => w.seq),
      (s) => probe.key(s),
    );
    return {
      report: {
        ...globalFigures({
          globalReplicationGroupId: options.globalReplicationGroupId,
          beforePrimaryRegion: options.primary.region,
          afterPrimaryRegion: options.secondary.region,
          requestedAtEpochMs,
          rolesSwappedAtEpochMs,
          writes: probe.writes,
          present,
          lagMeasuredMs,
          lagMetricMs,
        }),
        timeline: regionTimeline(probe.writes, requestedAtEpochMs),
      },
      keyBase: probe.keyBase,
      attempted: probe.writes.length,
      writes: probe.writes,
    };
  } finally {
    await probe.stop();
  }
}

/** The sequences present in the new primary region, read back by name (MGET in batches, never a SCAN). */
async function readBack(
  client: RedisClient,
  seqs: number[],
  key: (seq: number) => string,
): Promise<Set<number>> {
  const present = new Set<number>();
  try {
    await waitUntilReady(client, 5 * CLIENT_DEFAULTS.connectTimeoutMs);
    for (let i = 0; i < seqs.length; i += 1000) {
      const batch = seqs.slice(i, i + 1000);
      const values = (await client.mget(...batch.map(key))) as (string | null)[];
      batch.forEach((seq, j) => {
        if (values[j] !== null) present.add(seq);
      });
    }
  } finally {
    client.disconnect();
  }
  return present;
}
