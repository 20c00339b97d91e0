/**
 * `fault: { source: "global-failover", … }`: a region failover of an ElastiCache Global Datastore.
 * ElastiCache does not fail over from one region to another by itself; an operator calls
 * FailoverGlobalReplicationGroup naming the secondary to promote (PrimaryRegion, PrimaryReplicationGroupId:
 * the new primary). This module holds its input schema and its guardrails over what
 * DescribeGlobalReplicationGroups (ShowMemberInfo) and each region's tags say; the calls stay out of it.
 */
import type { GlobalReplicationGroup, ReplicationGroup } from '@aws-sdk/client-elasticache';
import * as z from 'zod';
import type { FaultSource } from './index.js';

/** An AWS region name: us-east-1, eu-west-1, ap-southeast-2, us-gov-west-1. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

export const globalFailoverSchema = z.strictObject({
  source: z.literal('global-failover'),
  /** The Global Datastore, e.g. ldgnf-drill-demo. */
  globalReplicationGroupId: z
    .string()
    .regex(/^[a-z]{5}-[A-Za-z0-9-]{1,40}$/, 'must be a Global Datastore id such as ldgnf-orders'),
  /** The secondary to promote: its region and its replication group id. */
  secondaryRegion: z.string().regex(REGION_PATTERN, 'must be an AWS region such as eu-west-1'),
  secondaryReplicationGroupId: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be a replication group id'),
  /** Fail back to the original region afterwards, and measure that failover too. */
  failBack: z.boolean().default(false),
  /** The most the secondary may lag (ms, by the probe's own writes) just before the request; else refused. */
  maxLagBeforeMs: z.number().int().min(0).max(600_000).optional(),
});
export type GlobalFailover = z.output<typeof globalFailoverSchema>;

/** The guardrails' bound on the secondary's lag before the request, unless the request says otherwise. */
export const DEFAULT_MAX_LAG_BEFORE_MS = 5000;

/** What the guardrails see: the request's primary group and region, the datastore, tags and the lag. */
export interface GlobalScope {
  primaryRegion: string;
  primaryReplicationGroupId: string;
  datastore: GlobalReplicationGroup | undefined;
  /** Each member's tags, by `<region>/<groupId>`. */
  tags: Record<string, Record<string, string>>;
  optInTag: { key: string; value: string };
  /** The secondary's replication lag before the request (ms), as the drill measured it. */
  lagMs: number | undefined;
  maxLagMs: number;
  /** Another drill holds the lock on the Global Datastore. */
  lockedBy: string | undefined;
}

/** A refusal: the guardrail's name and why; nothing has been failed over. */
export interface GlobalRefusal {
  guardrail: string;
  message: string;
}

/**
 * Checked against the request before anything is described: the primary named as the secondary is refused.
 */
export function checkGlobalRequest(
  fault: GlobalFailover,
  primary: { region: string; replicationGroupId: string },
): string | undefined {
  if (
    fault.secondaryRegion === primary.region &&
    fault.secondaryReplicationGroupId === primary.replicationGroupId
  )
    return `fault.secondaryReplicationGroupId ${fault.secondaryReplicationGroupId} in ${fault.secondaryRegion} is the primary: name the secondary to promote`;
  if (fault.secondaryRegion === primary.region)
    return `fault.secondaryRegion ${fault.secondaryRegion} is the primary's region: a Global Datastore's secondary is in another region`;
  return undefined;
}

/** Every refusal, in order; an empty list lets the drill request the failover. */
export function judgeGlobalFailover(fault: GlobalFailover, scope: GlobalScope): GlobalRefusal[] {
  const d = scope.datastore;
  if (!d)
    return [
      {
        guardrail: 'global-datastore',
        message: `Global Datastore ${fault.globalReplicationGroupId} not found`,
      },
    ];
  const members = d.Members ?? [];
  const primary = members.find(
    (m) =>
      m.ReplicationGroupRegion === scope.primaryRegion &&
      m.ReplicationGroupId === scope.primaryReplicationGroupId,
  );
  const secondary = members.find(
    (m) =>
      m.ReplicationGroupRegion === fault.secondaryRegion &&
      m.ReplicationGroupId === fault.secondaryReplicationGroupId,
  );
  const refusals: GlobalRefusal[] = [];
  const refuse = (guardrail: string, message: string) => refusals.push({ guardrail, message });
  if (primary?.Role !== 'primary')
    refuse(
      'global-primary',
      `${scope.primaryReplicationGroupId} in ${scope.primaryRegion} is not the primary of ${d.GlobalReplicationGroupId}`,
    );
  if (secondary?.Role !== 'secondary')
    refuse(
      'global-secondary',
      `${fault.secondaryReplicationGroupId} in ${fault.secondaryRegion} is not a secondary of ${d.GlobalReplicationGroupId}`,
    );
  if (d.Status !== 'available')
    refuse('global-status', `${d.GlobalReplicationGroupId} is ${d.Status}, not available`);
  for (const m of members)
    if (m.Status !== 'associated')
      refuse(
        'global-member-status',
        `${m.ReplicationGroupId} in ${m.ReplicationGroupRegion} is ${m.Status}, not associated`,
      );
  for (const m of [primary, secondary]) {
    if (!m) continue;
    const tags = scope.tags[`${m.ReplicationGroupRegion}/${m.ReplicationGroupId}`] ?? {};
    if (tags[scope.optInTag.key] !== scope.optInTag.value)
      refuse(
        'opt-in-tag',
        `${m.ReplicationGroupId} in ${m.ReplicationGroupRegion} lacks the tag ${scope.optInTag.key}=${scope.optInTag.value}`,
      );
  }
  if (scope.lagMs === undefined || scope.lagMs > scope.maxLagMs)
    refuse(
      'global-lag',
      scope.lagMs === undefined
        ? `the secondary's replication lag could not be measured before the request`
        : `the secondary lags ${scope.lagMs} ms behind, more than ${scope.maxLagMs} ms`,
    );
  if (scope.lockedBy !== undefined)
    refuse('lock', `another drill (${scope.lockedBy}) holds the lock on ${d.GlobalReplicationGroupId}`);
  return refusals;
}

/** A member of the drilled Global Datastore as later steps need it: where it is and its primary endpoint. */
export const regionMemberSchema = z.object({
  region: z.string(),
  replicationGroupId: z.string(),
  /** redis[s]://HOST:PORT of the group's primary endpoint. */
  endpoint: z.string(),
});

/** What Preflight adds to the plan: the datastore, its two members, and the lag bound before the request. */
export const globalPlanSchema = z.object({
  globalReplicationGroupId: z.string(),
  primary: regionMemberSchema,
  secondary: regionMemberSchema,
  failBack: z.boolean(),
  maxLagMs: z.number().min(0),
});
export type GlobalPlan = z.infer<typeof globalPlanSchema>;

/**
 * What Preflight read across regions for the guardrails: the datastore (ShowMemberInfo), each member's
 * tags by `<region>/<groupId>`, the secondary group as its own region describes it, and the region the
 * drill runs in (the primary's).
 */
export interface GlobalFacts {
  primaryRegion: string;
  datastore: GlobalReplicationGroup | undefined;
  tags: Record<string, Record<string, string>>;
  secondaryGroup: ReplicationGroup | undefined;
  /** The run holding a live lock on a member (its lock tag), if another run does. */
  lockedBy: string | undefined;
}

/** The primary endpoint of a group (cluster mode disabled: a Global Datastore's members here). */
function primaryEndpointOf(group: ReplicationGroup | undefined, tls: boolean): string | undefined {
  const e = group?.NodeGroups?.[0]?.PrimaryEndpoint;
  return e?.Address && e.Port ? `${tls ? 'rediss' : 'redis'}://${e.Address}:${e.Port}` : undefined;
}

export const globalFailover: FaultSource<'global-failover', GlobalFailover> = {
  name: 'global-failover',
  summary: "FailoverGlobalReplicationGroup: a Global Datastore's secondary region promoted",
  schema: globalFailoverSchema,
  checkRequest: () => undefined,
  guardrails: {
    // A region failover is the operator's call: it needs no automatic failover and no TestFailover budget.
    needsAutomaticFailover: false,
    spendsTestFailoverBudget: false,
    judge: (fault, { request, group, global }, refuse) => {
      const [key, value] = request.guardrails.optInTag.split('=') as [string, string];
      const primary = {
        region: global?.primaryRegion ?? '',
        replicationGroupId: group.ReplicationGroupId ?? request.replicationGroupId,
      };
      const named = checkGlobalRequest(fault, primary);
      if (named) refuse('global-secondary', named);
      if (!global) {
        refuse('global-datastore', `Global Datastore ${fault.globalReplicationGroupId} was not described`);
        return {};
      }
      // The lag is judged by the RegionFailover step on the probe's own writes, just before the request.
      const refusals = judgeGlobalFailover(fault, {
        ...global,
        primaryRegion: primary.region,
        primaryReplicationGroupId: primary.replicationGroupId,
        optInTag: { key, value },
        lagMs: 0,
        maxLagMs: DEFAULT_MAX_LAG_BEFORE_MS,
      });
      for (const r of refusals) refuse(r.guardrail, r.message);
      const tls = group.TransitEncryptionEnabled === true;
      const primaryEndpoint = primaryEndpointOf(group, tls);
      const secondaryEndpoint = primaryEndpointOf(
        global.secondaryGroup,
        global.secondaryGroup?.TransitEncryptionEnabled === true,
      );
      if (!primaryEndpoint || !secondaryEndpoint) {
        refuse(
          'global-secondary',
          `${fault.secondaryReplicationGroupId} in ${fault.secondaryRegion} reports no primary endpoint`,
        );
        return {};
      }
      const plan: GlobalPlan = {
        globalReplicationGroupId: fault.globalReplicationGroupId,
        primary: { ...primary, endpoint: primaryEndpoint },
        secondary: {
          region: fault.secondaryRegion,
          replicationGroupId: fault.secondaryReplicationGroupId,
          endpoint: secondaryEndpoint,
        },
        failBack: fault.failBack,
        maxLagMs: fault.maxLagBeforeMs ?? DEFAULT_MAX_LAG_BEFORE_MS,
      };
      return {
        plan: { global: plan },
        preview: {
          global: {
            globalReplicationGroupId: plan.globalReplicationGroupId,
            from: primary.region,
            to: plan.secondary.region,
            failBack: plan.failBack,
          },
        },
      };
    },
  },
  start: { state: 'RegionFailover', by: 'lambda' },
  recovery: {
    endedBy: 'DescribeGlobalReplicationGroups showing the roles swapped and every member associated',
    recoveredBy: 'writer',
  },
  // A region failover is not undone (failBack is measured, not an undo): Cleanup unlinks both regions' keys.
  undo: null,
  report: {
    injects: true,
    requested: 'FailoverGlobalReplicationGroup requested',
    dryRun: (preview) =>
      preview.global
        ? `would fail Global Datastore ${preview.global.globalReplicationGroupId} over from ${preview.global.from} to ${preview.global.to}${preview.global.failBack ? ' and back' : ''}`
        : 'would fail a Global Datastore over to its secondary region',
  },
  asl: { entry: 'RegionFailover', branch: ['RegionFailover'], outside: [] },
};
