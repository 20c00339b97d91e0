/**
 * `fault: { source: "fis-az-power", … }`: an AWS FIS experiment that powers off every node of one
 * Availability Zone of the group for a duration. The state machine creates its template before the drill
 * (CreateExperimentTemplate), starts and follows it (StartExperiment … FaultEnded), and stops it on every
 * failure path (StopFault); the reaper stops it for an execution that ended before it could.
 */
import * as z from 'zod';
import type { FaultScope, FaultSource } from './index.js';

/**
 * AWS FIS's ElastiCache action (FIS User Guide, "AWS FIS actions reference", ElastiCache actions,
 * https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html): one target, `ReplicationGroups`,
 * of resource type `aws:elasticache:replicationgroup` with the target parameter `availabilityZoneIdentifier`;
 * one action parameter, `duration` (ISO 8601, PT1M to PT12H). The experiment role needs
 * `elasticache:InterruptClusterAzPower`, `elasticache:DescribeReplicationGroups` and `tag:GetResources`.
 */
export const AZ_POWER_ACTION = 'aws:elasticache:replicationgroup-interrupt-az-power';
export const REPLICATION_GROUP_TARGET = 'aws:elasticache:replicationgroup';
/** The action's target key (FIS ListActions/GetAction: `targets.ReplicationGroups`). */
export const AZ_POWER_TARGET_KEY = 'ReplicationGroups';
/** FIS's bounds on the action's `duration`; shorter durations are the local cloud's only (see below). */
export const FIS_DURATION_MS = { min: 60_000, max: 12 * 3600_000 } as const;

/** `PT10M`, `PT90S`, `PT1H30M` → milliseconds; undefined when it is no such duration. */
export function parseIsoDuration(text: string): number | undefined {
  const m = text.match(/^PT(?:(\d{1,5})H)?(?:(\d{1,5})M)?(?:(\d{1,5})S)?$/);
  if (!m || text === 'PT') return undefined;
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

/**
 * `fault: { source: "fis-az-power", … }`. The duration is FIS's own parameter, as FIS takes it. Down to
 * PT1S is accepted so that a local drill stays short: AWS FIS refuses under PT1M at CreateExperimentTemplate
 * (`Fis.ValidationException`), which the drill reaches before it writes anything.
 */
export const fisAzPowerSchema = z.strictObject({
  source: z.literal('fis-az-power'),
  /** Default: the zone of the target node group's primary, so that the primary loses power. */
  availabilityZone: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'must be an Availability Zone name such as us-east-1a')
    .optional(),
  /** How long the zone stays powered off (FIS's `duration`): ISO 8601, PT1S to PT12H. */
  duration: z
    .string()
    .max(32)
    .refine((text) => {
      const ms = parseIsoDuration(text);
      return ms !== undefined && ms >= 1000 && ms <= FIS_DURATION_MS.max;
    }, 'must be an ISO 8601 duration from PT1S to PT12H, such as PT10M')
    .default('PT10M'),
});
export type FisAzPower = z.output<typeof fisAzPowerSchema>;

/** The zone Preflight resolved and the nodes in it when it looked (they lose power). */
export const fisTargetSchema = z.object({
  availabilityZone: z.string(),
  nodeIds: z.array(z.string()),
});
export type FisTarget = z.infer<typeof fisTargetSchema>;

/** The state whose output carries the run's experiment template (`plan.fis.template.id`). */
const CREATE_TEMPLATE_STATE = 'CreateExperimentTemplate';
const templateIdSchema = z.object({
  plan: z.object({ fis: z.object({ template: z.object({ id: z.string().min(1) }) }) }),
});

export const fisAzPower: FaultSource<'fis-az-power', FisAzPower> = {
  name: 'fis-az-power',
  summary: 'an AWS FIS experiment that powers off one Availability Zone of the group',
  schema: fisAzPowerSchema,
  // AwaitRecovery follows the experiment's end: a power-off longer than the wait could never recover in time.
  checkRequest: (fault, { recovery }) =>
    parseIsoDuration(fault.duration)! >= recovery.maxWaitSeconds * 1000
      ? `fault.duration ${fault.duration} must be shorter than recovery.maxWaitSeconds (${recovery.maxWaitSeconds} s)`
      : undefined,
  guardrails: {
    // An AZ power-off of the primary ends in a promotion only with automatic failover.
    needsAutomaticFailover: true,
    spendsTestFailoverBudget: false,
    judge: (fault, scope, refuse) => {
      const target = zoneTarget(fault, scope, refuse);
      if (!target) return {};
      // Wait states take whole seconds: the experiment is read at the recovery poll interval, rounded.
      const pollSeconds = Math.min(60, Math.max(1, Math.round(scope.request.recovery.pollIntervalSeconds)));
      return {
        plan: { fis: { ...target, pollSeconds } },
        preview: { fis: { ...target, duration: fault.duration } },
      };
    },
  },
  start: { state: 'StartExperiment', by: 'sdk-integration' },
  recovery: { endedBy: 'the experiment completing (GetExperiment)', recoveredBy: 'events' },
  undo: {
    state: CREATE_TEMPLATE_STATE,
    // Left unless the execution itself got past stopping its experiments (ReleaseLock reached, no faultStopError).
    left: (output, released) => {
      const template = templateIdSchema.safeParse(output);
      const stopped = released !== undefined && released.faultStopError === undefined;
      return template.success && !stopped ? template.data.plan.fis.template.id : undefined;
    },
    note: (fault, plan) => {
      const zone = plan.fis?.availabilityZone ?? 'its zone';
      const stopped = fault.experiments.filter((e) => e.status === 'stopping' || e.status === 'stopped');
      const still = fault.experiments.filter((e) => !['stopping', 'stopped'].includes(e.status));
      return stopped.length > 0
        ? `the FIS experiment ${stopped.map((e) => e.id).join(', ')} of ${zone} stopped (power back), template ${fault.templateId} deleted`
        : `no FIS experiment of ${zone} was running (${still.map((e) => `${e.id} ${e.status}`).join(', ') || 'none started'}), template ${fault.templateId} deleted`;
    },
  },
  report: {
    injects: true,
    requested: 'FIS experiment started (AZ power interruption)',
    dryRun: (preview) =>
      preview.fis
        ? `would power off ${preview.fis.availabilityZone} (${preview.fis.nodeIds.join(', ')}) for ${preview.fis.duration} through an AWS FIS experiment`
        : 'would observe a fault injected by something else',
  },
  asl: {
    entry: 'StartExperiment',
    branch: [
      'StartExperiment',
      'ExperimentWatched',
      'WatchExperiment',
      'WaitExperiment',
      'GetExperiment',
      'ExperimentEnded',
      'ExperimentNotCompleted',
      'FaultExperimentFailed',
      'DeleteExperimentTemplate',
      'FaultEnded',
    ],
    outside: [CREATE_TEMPLATE_STATE, 'StopFault', 'StopFaultExperiments'],
  },
};

/**
 * The zone to power off: the one given, or the zone of the node group's primary (so that it loses power and a
 * replica elsewhere is promoted). Refused when it holds none of the group's nodes or not the primary, or when
 * no primary is known to place it (cluster mode tells no roles: name the zone there).
 */
function zoneTarget(
  fault: { availabilityZone?: string },
  { group, nodeGroup }: FaultScope,
  refuse: (guardrail: string, message: string) => void,
): FisTarget | undefined {
  const id = group.ReplicationGroupId;
  const all = (group.NodeGroups ?? []).flatMap((ng) => ng.NodeGroupMembers ?? []);
  const primary = nodeGroup.NodeGroupMembers?.find((m) => m.CurrentRole === 'primary');
  const zone = fault.availabilityZone ?? primary?.PreferredAvailabilityZone;
  if (!zone) {
    refuse(
      'availability-zone-unknown',
      `${id}: the zone of node group ${nodeGroup.NodeGroupId}'s primary is not known; name fault.availabilityZone`,
    );
    return undefined;
  }
  const nodeIds = all.filter((m) => m.PreferredAvailabilityZone === zone).map((m) => m.CacheClusterId ?? '');
  if (nodeIds.length === 0) {
    refuse('availability-zone-unknown', `${id} has no node in ${zone}`);
    return undefined;
  }
  // A zone without the primary fails nothing over: the drill would measure no failover.
  if (primary && primary.PreferredAvailabilityZone !== zone)
    refuse(
      'availability-zone-without-primary',
      `${zone} does not hold ${primary.CacheClusterId}, the primary of node group ${nodeGroup.NodeGroupId}: nothing would fail over`,
    );
  return { availabilityZone: zone, nodeIds };
}
