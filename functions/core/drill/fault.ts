import * as z from 'zod';

/**
 * The drill's fault sources. `test-failover` calls ElastiCache's TestFailover on the node group; `none` only
 * measures a fault something else injects; `fis-az-power` runs an AWS FIS experiment of the ElastiCache
 * action below, which powers off every node of one Availability Zone of the group for a duration.
 */
export const FAULT_SOURCES = ['test-failover', 'none', 'fis-az-power'] as const;
export type FaultSource = (typeof FAULT_SOURCES)[number];

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

/** `test-failover` and `none` as strings (as they always were); `fis-az-power` as an object with its settings. */
export const faultSchema = z.union([z.enum(['test-failover', 'none']), fisAzPowerSchema]);
export type Fault = z.output<typeof faultSchema>;

export function faultSource(fault: Fault): FaultSource {
  return typeof fault === 'string' ? fault : fault.source;
}
