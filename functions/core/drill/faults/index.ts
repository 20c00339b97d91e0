/**
 * The registry of the drill's fault sources and what each must provide (`FaultSource`). The request schema,
 * the guardrails, Preflight, the reaper and the report ask the registry, never the source's name; the ASL
 * routes on the source with one rule per source (`choiceRule`). A new source is one module here, one line in
 * `FAULT_SOURCES`, one ASL branch and its tests (README.md).
 */

import type { ReplicationGroup } from '@aws-sdk/client-elasticache';
import * as z from 'zod';
import type { DryRunPreview } from '../plan.js';
import type { DrillRequest } from '../request.js';
import { engineUpgrade, engineUpgradeSchema } from './engine-upgrade.js';
import { type FisTarget, fisAzPower, fisAzPowerSchema } from './fis-az-power.js';
import {
  type GlobalFacts,
  type GlobalPlan,
  globalFailover,
  globalFailoverSchema,
} from './global-failover.js';
import { observeOnly, observeOnlySchema } from './observe-only.js';
import { replicas, replicasSchema } from './replicas.js';
import { reshard, reshardSchema } from './reshard.js';
import { scale, scaleSchema } from './scale.js';
import { testFailover, testFailoverSchema } from './test-failover.js';

/** One node group of a described replication group. */
export type NodeGroup = NonNullable<ReplicationGroup['NodeGroups']>[number];

/** What a source's guardrail sees: the request, the described group and the node group drilled. */
export interface FaultScope {
  request: DrillRequest;
  group: ReplicationGroup;
  nodeGroup: NodeGroup;
  /** global-failover: what Preflight read across regions (the datastore, the members' tags). */
  global?: GlobalFacts;
}

/** What a source adds, once judged, to the plan and to a dry run's preview (fis-az-power: the zone). */
export interface FaultJudgement {
  plan?: { fis?: FisTarget & { pollSeconds: number }; global?: GlobalPlan };
  preview?: {
    fis?: FisTarget & { duration: string };
    global?: { globalReplicationGroupId: string; from: string; to: string; failBack: boolean };
  };
  /** A scale-in: the node groups it removes, whose memory headroom Preflight reads and judges. */
  removesNodeGroups?: string[];
}

/** The run's fault left in place when an execution ended without undoing it, and how to say it was undone. */
export interface FaultUndo {
  /** The state whose output names what was set up (fis-az-power: CreateExperimentTemplate). */
  state: string;
  /** What is left to undo, read from that state's output and ReleaseLock's (undefined when nothing). */
  left(
    output: Record<string, unknown> | undefined,
    released: Record<string, unknown> | undefined,
  ): string | undefined;
  /** The reaper's note once the stop-fault state machine undid it. */
  note(
    stopped: { templateId: string; experiments: { id: string; status: string }[] },
    plan: { fis?: { availabilityZone: string } },
  ): string;
}

/** What every fault source provides. Parts a source has no use for are `false` or `null`, never left out. */
export interface FaultSource<Name extends string = string, F = unknown> {
  /** Its input value: `fault: "<name>"`, or `fault: { source: "<name>", … }`. */
  readonly name: Name;
  /** One line: what the fault is. */
  readonly summary: string;
  /** Its input schema: a literal name, or a strict object with `source`. */
  readonly schema: z.ZodType<F>;
  /** A check against the rest of the request, beside the schema: the problem, or undefined. */
  checkRequest(fault: F, request: Pick<DrillRequest, 'recovery'>): string | undefined;
  readonly guardrails: {
    /** Refused on a group without automatic failover: the fault ends in a promotion only with it. */
    readonly needsAutomaticFailover: boolean;
    /** Spends TestFailover's account budget: Preflight counts the last 24 h and refuses when spent. */
    readonly spendsTestFailoverBudget: boolean;
    /** Its own refusals, after the common ones; what it adds to the plan. */
    judge(fault: F, scope: FaultScope, refuse: (guardrail: string, message: string) => void): FaultJudgement;
  };
  /** How the fault is started: the ASL state, and by what (a Lambda, an SDK integration, or nothing). */
  readonly start: { readonly state: string; readonly by: 'lambda' | 'sdk-integration' | 'nothing' };
  /**
   * How the drill knows the fault ended and the group recovered: `events` reads ElastiCache's events from
   * T0 (AwaitRecovery); `change` reads a planned change's progress in DescribeReplicationGroups until it is
   * applied (AwaitRecovery, ../change.ts); `writer` leaves it to what the writer saw.
   */
  readonly recovery: { readonly endedBy: string; readonly recoveredBy: 'events' | 'change' | 'writer' };
  /** What the reaper must undo for an execution that ended without it; null when nothing. */
  readonly undo: FaultUndo | null;
  readonly report: {
    /** Whether the report counts a failover as triggered (with a T0). */
    readonly injects: boolean;
    /** The timeline's first event, at T0. */
    readonly requested: string;
    /** A dry run's headline: what would be done. */
    dryRun(preview: DryRunPreview): string;
  };
  /**
   * Its ASL: `entry` is where its rule of the source Choice leads; `branch` the fault branch's states only
   * it runs; `outside` its states before the Drill (preparation) or after its Catch (undo).
   */
  readonly asl: {
    readonly entry: string;
    readonly branch: readonly string[];
    readonly outside: readonly string[];
  };
}

/** Every fault source, in the order the request schema and the plan list them. */
export const FAULT_SOURCES = [
  testFailover,
  observeOnly,
  fisAzPower,
  reshard,
  globalFailover,
  scale,
  engineUpgrade,
  replicas,
] as const;
export type FaultSourceName = (typeof FAULT_SOURCES)[number]['name'];
export const FAULT_SOURCE_NAMES = FAULT_SOURCES.map((s) => s.name) as [FaultSourceName, ...FaultSourceName[]];

/** `test-failover` and `none` as strings (as they always were); `fis-az-power` as an object with its settings. */
export const faultSchema = z.union([
  testFailoverSchema,
  observeOnlySchema,
  fisAzPowerSchema,
  reshardSchema,
  globalFailoverSchema,
  scaleSchema,
  engineUpgradeSchema,
  replicasSchema,
]);
export type Fault = z.output<typeof faultSchema>;

export function faultSource(fault: Fault): FaultSourceName {
  return typeof fault === 'string' ? fault : fault.source;
}

/** The module of a request's fault. */
export function sourceOf(fault: Fault): FaultSource<FaultSourceName, Fault> {
  const name = faultSource(fault);
  return FAULT_SOURCES.find((s) => s.name === name) as FaultSource<FaultSourceName, Fault>;
}

/** The ASL Choice rule that selects a source: on `fault` for the string forms, on `fault.source` else. */
export function choiceRule(source: FaultSource): Record<string, unknown> {
  if (source.schema instanceof z.ZodLiteral)
    return { Variable: '$.plan.request.fault', StringEquals: source.name };
  // A path into a string fault does not exist: IsPresent first, so that the comparison never reads it.
  return {
    And: [
      { Variable: '$.plan.request.fault.source', IsPresent: true },
      { Variable: '$.plan.request.fault.source', StringEquals: source.name },
    ],
  };
}
