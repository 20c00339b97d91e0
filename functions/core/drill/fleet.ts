/**
 * A fleet: the drill state machine mapped over many targets. The fleet's request, and its plan — made
 * before anything is touched, within AWS's rules: TestFailover on at most 15 node groups per rolling
 * 24 h per account (the targets beyond what is left are refused up front), node groups of one group
 * one after another, different groups concurrently.
 */
import {
  DescribeReplicationGroupsCommand,
  type ElastiCacheClient,
  ListTagsForResourceCommand,
  type ReplicationGroup,
} from '@aws-sdk/client-elasticache';
import * as z from 'zod';
import { FleetInputError } from '../../shared/errors.js';
import { parseInput } from '../../shared/input.js';
import { testFailoversLast24h } from './events.js';
import { defaultNodeGroup } from './guardrails.js';
import {
  checkFaultFitsRecovery,
  type DrillRequestInput,
  drillRequestSchema,
  groupIdSchema,
  nodeGroupIdSchema,
} from './request.js';

/**
 * An inline Map runs at most 40 iterations at once; each target is a nested execution with its own
 * history, so the fleet's own history grows by ~10 events per target and 100 stay far below 25,000.
 */
export const FLEET_MAX_TARGETS = 100;
export const FLEET_MAX_CONCURRENCY = 40;
/** The fleet's run id prefixes each target's execution name (≤ 80 characters, no dots). */
const FLEET_RUN_ID = /^[A-Za-z0-9_-]{1,34}$/;

const targetSchema = z.strictObject({
  replicationGroupId: groupIdSchema,
  /** Default: the group's first node group with a replica (as for one drill). */
  nodeGroupId: nodeGroupIdSchema.optional(),
});
export type FleetTargetInput = z.infer<typeof targetSchema>;

const selectorSchema = z.strictObject({
  /** Every group carrying this tag (`key=value`), its default node group. */
  tag: z.string().regex(/^[^=]+=[^=]*$/, 'must be key=value'),
});

/** The settings every target's drill shares: a drill request without its target. */
const drillSettingsSchema = drillRequestSchema.omit({
  replicationGroupId: true,
  nodeGroupId: true,
  runId: true,
});

/** The execution input of the fleet state machine (strict: unknown fields are refused). */
export const fleetRequestSchema = z.strictObject({
  targets: z.union([z.array(targetSchema), selectorSchema]),
  /** Groups drilled at once (node groups of one group are always one after another). */
  maxConcurrency: z.number().int().default(4),
  /** Default: the execution name. */
  runId: z.string().regex(FLEET_RUN_ID, 'must match [A-Za-z0-9_-]{1,34}').optional(),
  drill: z.unknown().optional(),
});
export type FleetRequestInput = Omit<z.input<typeof fleetRequestSchema>, 'drill'> & {
  drill?: Omit<DrillRequestInput, 'replicationGroupId' | 'nodeGroupId' | 'runId'>;
};
export interface FleetRequest {
  targets: FleetTargetInput[] | { tag: string };
  maxConcurrency: number;
  runId?: string;
  drill: z.output<typeof drillSettingsSchema>;
}

/**
 * Validates a fleet request without the control plane: its shape (DrillInputError naming each field)
 * and the rules that need no lookup (FleetInputError by reason).
 */
export function parseFleetRequest(input: unknown): FleetRequest {
  const request = parseInput(fleetRequestSchema, input, 'fleet request');
  const drill = parseInput(drillSettingsSchema, request.drill ?? {}, 'fleet request: drill');
  checkFaultFitsRecovery(drill, 'fleet request: drill');
  const { targets, maxConcurrency } = request;
  if (maxConcurrency < 1 || maxConcurrency > FLEET_MAX_CONCURRENCY) {
    throw new FleetInputError(
      `maxConcurrency must be from 1 to ${FLEET_MAX_CONCURRENCY} (an inline Map's limit), got ${maxConcurrency}`,
      'max-concurrency-out-of-range',
    );
  }
  if (Array.isArray(targets)) {
    if (targets.length === 0) throw new FleetInputError('targets is an empty list', 'targets-empty');
    if (targets.length > FLEET_MAX_TARGETS) {
      throw new FleetInputError(
        `targets lists ${targets.length}, at most ${FLEET_MAX_TARGETS}`,
        'targets-too-many',
      );
    }
    checkDuplicates(targets);
  }
  return { ...request, drill };
}

const targetName = (t: FleetTargetInput) => `${t.replicationGroupId}/${t.nodeGroupId ?? '(default)'}`;

function checkDuplicates(targets: FleetTargetInput[]): void {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const target of targets) {
    const name = targetName(target);
    if (seen.has(name)) duplicates.add(name);
    seen.add(name);
  }
  if (duplicates.size > 0)
    throw new FleetInputError(`${[...duplicates].join(', ')} listed twice`, 'duplicate-target');
}

/** One nested drill execution: its name is also the drill's run id and its report's key. */
export interface FleetTarget {
  replicationGroupId: string;
  nodeGroupId: string;
  runId: string;
  input: DrillRequestInput;
}

export interface RefusedTarget {
  replicationGroupId: string;
  nodeGroupId: string;
  runId: string;
  error: { name: 'GuardrailError'; guardrail: string; message: string };
}

export interface FleetPlan {
  runId: string;
  acceptedAt: number;
  maxConcurrency: number;
  /** The Map runs over groups; inside one group, its node groups one after another. */
  groups: { replicationGroupId: string; targets: FleetTarget[] }[];
  /** Targets beyond the account's TestFailover budget: refused up front, reported. */
  refused: RefusedTarget[];
  budget: { limit: number; usedLast24h: number; planned: number } | null;
}

/** Every replication group of the account and region (DescribeReplicationGroups, every page). */
async function describeAll(elastiCache: ElastiCacheClient, maxPages = 50): Promise<ReplicationGroup[]> {
  const groups: ReplicationGroup[] = [];
  let Marker: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const out = await elastiCache.send(new DescribeReplicationGroupsCommand({ MaxRecords: 100, Marker }));
    groups.push(...(out.ReplicationGroups ?? []));
    Marker = out.Marker;
    if (!Marker) break;
  }
  return groups;
}

async function selectByTag(
  elastiCache: ElastiCacheClient,
  groups: ReplicationGroup[],
  tag: string,
): Promise<FleetTargetInput[]> {
  const [key, value] = tag.split('=') as [string, string];
  const tagged = await Promise.all(
    groups.map(async (group) => {
      if (!group.ARN) return false;
      const out = await elastiCache.send(new ListTagsForResourceCommand({ ResourceName: group.ARN }));
      return (out.TagList ?? []).some((t) => t.Key === key && t.Value === value);
    }),
  );
  const matched = groups.filter((_, i) => tagged[i]);
  if (matched.length === 0)
    throw new FleetInputError(`no replication group carries the tag ${tag}`, 'selector-matched-nothing');
  if (matched.length > FLEET_MAX_TARGETS) {
    throw new FleetInputError(
      `the tag ${tag} matches ${matched.length} groups, at most ${FLEET_MAX_TARGETS}`,
      'targets-too-many',
    );
  }
  return matched.map((g) => ({ replicationGroupId: g.ReplicationGroupId ?? '' }));
}

/** Each target with its node group resolved; unknown groups and node groups refused by name. */
function resolveTargets(groups: ReplicationGroup[], targets: FleetTargetInput[]) {
  const byId = new Map(groups.map((g) => [g.ReplicationGroupId, g]));
  const unknownGroups = [...new Set(targets.map((t) => t.replicationGroupId))].filter((id) => !byId.has(id));
  if (unknownGroups.length > 0)
    throw new FleetInputError(`no replication group ${unknownGroups.join(', ')}`, 'unknown-group');
  const resolved = targets.map((t) => {
    const group = byId.get(t.replicationGroupId)!;
    const nodeGroup = t.nodeGroupId
      ? group.NodeGroups?.find((ng) => ng.NodeGroupId === t.nodeGroupId)
      : defaultNodeGroup(group);
    return { target: t, nodeGroupId: nodeGroup?.NodeGroupId };
  });
  const unknown = resolved.filter((r) => r.nodeGroupId === undefined).map((r) => targetName(r.target));
  if (unknown.length > 0)
    throw new FleetInputError(`no node group ${unknown.join(', ')}`, 'unknown-node-group');
  const explicit = resolved.map((r) => ({
    replicationGroupId: r.target.replicationGroupId,
    nodeGroupId: r.nodeGroupId!,
  }));
  // A default that resolves to a node group also named explicitly is the same target twice.
  checkDuplicates(explicit);
  return explicit;
}

/**
 * The fleet's plan, before anything is touched: the targets resolved against the account's groups,
 * the TestFailover budget counted (as Preflight counts it) and the targets beyond it refused, the
 * rest grouped by replication group in the order given. Throws FleetInputError on input that cannot
 * be planned.
 */
export async function planFleet(
  request: FleetRequest,
  runId: string,
  elastiCache: ElastiCacheClient,
  now: () => number = Date.now,
  /** The fleet's execution ARN: each drill's input names it, so Step Functions links the two. */
  executionId?: string,
): Promise<FleetPlan> {
  const groups = await describeAll(elastiCache);
  const listed = Array.isArray(request.targets)
    ? request.targets
    : await selectByTag(elastiCache, groups, request.targets.tag);
  const targets = resolveTargets(groups, listed);

  const usesBudget = request.drill.fault === 'test-failover';
  const limit = request.drill.guardrails.maxTestFailoversPer24h;
  const usedLast24h = usesBudget ? await testFailoversLast24h(elastiCache) : 0;
  const allowed = usesBudget ? Math.max(0, limit - usedLast24h) : targets.length;

  const fleetRunId = runId.slice(0, 34);
  const named = targets.map((t) => ({
    ...t,
    runId: `${fleetRunId}-${t.replicationGroupId}-${t.nodeGroupId}`,
  }));
  const plan: FleetPlan = {
    runId,
    acceptedAt: now(),
    maxConcurrency: request.maxConcurrency,
    groups: [],
    refused: named.slice(allowed).map((t) => ({
      ...t,
      error: {
        name: 'GuardrailError',
        guardrail: 'test-failover-budget-spent',
        message: `TestFailover was called for ${usedLast24h} node groups in the last 24 h; the budget of ${limit} leaves ${allowed} for this fleet of ${targets.length}`,
      },
    })),
    budget: usesBudget ? { limit, usedLast24h, planned: Math.min(allowed, targets.length) } : null,
  };
  for (const t of named.slice(0, allowed)) {
    let group = plan.groups.find((g) => g.replicationGroupId === t.replicationGroupId);
    if (!group) {
      group = { replicationGroupId: t.replicationGroupId, targets: [] };
      plan.groups.push(group);
    }
    group.targets.push({
      ...t,
      input: {
        ...request.drill,
        ...(executionId ? { AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: executionId } : {}),
        replicationGroupId: t.replicationGroupId,
        nodeGroupId: t.nodeGroupId,
        runId: t.runId,
        notify: false,
      },
    });
  }
  return plan;
}
