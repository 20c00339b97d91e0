import type { ReplicationGroup, Tag } from '@aws-sdk/client-elasticache';
import * as z from 'zod';
import { GuardrailError } from '../../shared/errors.js';
import type { GlobalFacts } from './faults/global-failover.js';
import { type FaultJudgement, type NodeGroup, sourceOf } from './faults/index.js';
import type { DrillRequest } from './request.js';

/** The tag that marks a group as being drilled: `<runId>@<expiry epoch seconds>`. */
export const LOCK_TAG = 'failover-drill:lock';

/** Everything the guardrails judge, gathered from the control plane before anything is touched. */
export interface GuardrailFacts {
  group: ReplicationGroup;
  tags: Tag[];
  /** Node groups TestFailover was called for in the last 24 h, account-wide. */
  testFailoversLast24h: number;
  /** Stop-condition alarms in state ALARM, and the named ones that do not exist. */
  alarmsInAlarm: string[];
  alarmsMissing: string[];
  /** global-failover: what Preflight read across regions. */
  global?: GlobalFacts;
}

/** What the drill aims at, as later steps need it (plain data). */
export const drillTargetSchema = z.object({
  replicationGroupId: z.string(),
  arn: z.string(),
  nodeGroupId: z.string(),
  clusterMode: z.boolean(),
  /** Primary endpoint (cluster mode disabled) or configuration endpoint (enabled). */
  endpoint: z.object({ host: z.string(), port: z.number().int() }),
  tls: z.boolean(),
  primaryNodeId: z.string(),
  replicaNodeIds: z.array(z.string()),
  /** Cluster mode: the node group's slot ranges, inclusive. */
  slots: z.array(z.tuple([z.number().int(), z.number().int()])),
  /** Cluster mode: every node group and its slots (the blast radius is measured on each). */
  shards: z
    .array(
      z.object({ nodeGroupId: z.string(), slots: z.array(z.tuple([z.number().int(), z.number().int()])) }),
    )
    .optional(),
});
export type DrillTarget = z.infer<typeof drillTargetSchema>;

export interface Refusal {
  guardrail: string;
  message: string;
}

export interface LockHolder {
  runId: string;
  expiresAt: number;
}

export function parseLock(value: string | undefined): LockHolder | undefined {
  const match = value?.match(/^(.+)@(\d+)$/);
  return match ? { runId: match[1]!, expiresAt: Number(match[2]) * 1000 } : undefined;
}

export function lockValue(runId: string, expiresAtMs: number): string {
  return `${runId}@${Math.ceil(expiresAtMs / 1000)}`;
}

/** "0-5460,10923-16383" → [[0,5460],[10923,16383]] */
export function parseSlots(slots: string | undefined): [number, number][] {
  if (!slots) return [];
  return slots.split(',').map((range) => {
    const [start, end = start] = range.split('-').map(Number);
    return [start!, end!];
  });
}

/** Cluster mode enabled reports no CurrentRole (as on AWS): there, a second member is the replica. */
function withReplica(ng: NodeGroup): boolean {
  const members = ng.NodeGroupMembers ?? [];
  return (
    members.some((m) => m.CurrentRole === 'replica') ||
    (!members.some((m) => m.CurrentRole) && members.length > 1)
  );
}

/** The node group drilled when none is named: the first with a replica, else the first. */
export function defaultNodeGroup(group: ReplicationGroup): NodeGroup | undefined {
  const nodeGroups = group.NodeGroups ?? [];
  return nodeGroups.find(withReplica) ?? nodeGroups[0];
}

/** Every reason to refuse the drill (empty: go), and the target if the node group resolves. */
export function judge(
  request: DrillRequest,
  runId: string,
  facts: GuardrailFacts,
  now: number,
): { refusals: Refusal[]; target?: DrillTarget; fault?: FaultJudgement } {
  const { group, tags } = facts;
  const refusals: Refusal[] = [];
  const refuse = (guardrail: string, message: string) => refusals.push({ guardrail, message });
  const id = group.ReplicationGroupId ?? request.replicationGroupId;
  const source = sourceOf(request.fault);

  if (group.Status !== 'available') refuse('group-not-available', `${id} is ${group.Status}, not available`);
  if (source.guardrails.needsAutomaticFailover && group.AutomaticFailover !== 'enabled') {
    refuse(
      'automatic-failover-disabled',
      `${id} has automatic failover ${group.AutomaticFailover ?? 'disabled'}`,
    );
  }

  const [tagKey, tagValue] = request.guardrails.optInTag.split('=') as [string, string];
  if (!tags.some((t) => t.Key === tagKey && t.Value === tagValue)) {
    refuse('opt-in-tag-missing', `${id} does not carry the opt-in tag ${tagKey}=${tagValue}`);
  }

  const lock = parseLock(tags.find((t) => t.Key === LOCK_TAG)?.Value);
  if (lock && lock.runId !== runId && lock.expiresAt > now) {
    refuse(
      'drill-in-progress',
      `drill ${lock.runId} holds ${id} until ${new Date(lock.expiresAt).toISOString()}`,
    );
  }

  if (
    source.guardrails.spendsTestFailoverBudget &&
    facts.testFailoversLast24h >= request.guardrails.maxTestFailoversPer24h
  ) {
    refuse(
      'test-failover-budget-spent',
      `TestFailover was called for ${facts.testFailoversLast24h} node groups in the last 24 h (budget ${request.guardrails.maxTestFailoversPer24h})`,
    );
  }
  for (const alarm of facts.alarmsInAlarm) refuse('stop-alarm', `stop-condition alarm ${alarm} is in ALARM`);
  for (const alarm of facts.alarmsMissing)
    refuse('stop-alarm', `stop-condition alarm ${alarm} does not exist`);

  const nodeGroups = group.NodeGroups ?? [];
  const nodeGroup = request.nodeGroupId
    ? nodeGroups.find((ng) => ng.NodeGroupId === request.nodeGroupId)
    : defaultNodeGroup(group);
  if (!nodeGroup) {
    refuse('node-group-unknown', `${id} has no node group ${request.nodeGroupId ?? ''}`.trim());
    return { refusals };
  }
  if (!withReplica(nodeGroup))
    refuse('node-group-without-replica', `node group ${nodeGroup.NodeGroupId} has no replica`);

  const members = nodeGroup.NodeGroupMembers ?? [];
  const clusterMode = group.ClusterEnabled === true;
  const endpoint = clusterMode ? group.ConfigurationEndpoint : nodeGroup.PrimaryEndpoint;
  if (!endpoint?.Address || !endpoint.Port) {
    refuse('group-not-available', `${id} reports no ${clusterMode ? 'configuration' : 'primary'} endpoint`);
    return { refusals };
  }
  // The source's own guardrails come last, as they always did.
  const fault = source.guardrails.judge(
    request.fault,
    { request, group, nodeGroup, ...(facts.global ? { global: facts.global } : {}) },
    refuse,
  );
  return {
    refusals,
    fault,
    target: {
      replicationGroupId: id,
      arn: group.ARN ?? '',
      nodeGroupId: nodeGroup.NodeGroupId ?? '0001',
      clusterMode,
      endpoint: { host: endpoint.Address, port: endpoint.Port },
      tls: group.TransitEncryptionEnabled === true,
      /** Empty in cluster mode enabled, where the control plane does not tell roles. */
      primaryNodeId: members.find((m) => m.CurrentRole === 'primary')?.CacheClusterId ?? '',
      replicaNodeIds: members.filter((m) => m.CurrentRole !== 'primary').map((m) => m.CacheClusterId ?? ''),
      slots: parseSlots(nodeGroup.Slots),
      shards: clusterMode
        ? nodeGroups.map((ng) => ({ nodeGroupId: ng.NodeGroupId ?? '', slots: parseSlots(ng.Slots) }))
        : [],
    },
  };
}

/** Throws one GuardrailError listing every refusal (named after the first), or returns the target. */
export function enforce(judgement: ReturnType<typeof judge>): DrillTarget {
  const [first] = judgement.refusals;
  if (first || !judgement.target) {
    const message = judgement.refusals.map((r) => `${r.guardrail}: ${r.message}`).join('; ');
    throw new GuardrailError(
      `drill refused, nothing was touched — ${message}`,
      first?.guardrail ?? 'unknown',
    );
  }
  return judgement.target;
}
