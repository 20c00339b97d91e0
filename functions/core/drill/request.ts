import * as z from 'zod';
import { DrillInputError } from '../../shared/errors.js';
import { parseInput } from '../../shared/input.js';
import { clientsInputSchema, resolveClientProfiles } from '../measure/clients/profile.js';
import { DEFAULT_PREFIX, NAME_PATTERN } from '../measure/keys.js';
import { thresholdsSchema } from '../measure/thresholds.js';
import { blastRadiusSchema } from './blast-radius.js';
import { faultSchema, sourceOf } from './faults/index.js';

const writerSchema = z.strictObject({
  /** Keys are `<keyPrefix>:<runId>:<seq>`. */
  keyPrefix: z.string().regex(NAME_PATTERN).default(DEFAULT_PREFIX),
  /** Writes per second (default: the writer's, 1000/s, a 1 ms resolution). */
  rate: z.number().int().min(1).max(50_000).optional(),
  /** Writes in flight at most (default: the writer's, 16). */
  concurrency: z.number().int().min(1).max(256).optional(),
  /** TestFailover is called this long after the writer starts. */
  baselineSeconds: z.number().min(1).max(600).default(5),
  settleSeconds: z.number().min(1).max(600).default(5),
  /** Hard cap of the writer; in Lambda also bounded by the function's remaining time. */
  maxDurationSeconds: z.number().min(5).max(890).default(600),
  /** Every key expires, so that nothing outlives a crashed run. */
  ttlSeconds: z.number().int().min(60).max(86_400).optional(),
});

const recoverySchema = z.strictObject({
  pollIntervalSeconds: z.number().min(0.1).max(60).default(5),
  /** After this long from TestFailover, the drill ends with RecoveryTimeoutError. */
  maxWaitSeconds: z.number().min(10).max(3600).default(900),
  /** How long one AwaitRecovery invocation polls before handing back to the state machine. */
  pollWindowSeconds: z.number().min(1).max(600).default(60),
});

const guardrailsSchema = z.strictObject({
  /** The group must carry this tag (`key=value`) to be drilled at all. */
  optInTag: z
    .string()
    .regex(/^[^=]+=[^=]*$/, 'must be key=value')
    .default('failover-drill:allowed=true'),
  /** CloudWatch alarms that must not be in ALARM when the fault is injected. */
  stopAlarmNames: z.array(z.string().min(1).max(255)).max(100).default([]),
  /** TestFailover allows 15 node groups per rolling 24 h per account and region. */
  maxTestFailoversPer24h: z.number().int().min(1).max(15).default(15),
  /** The drill lock expires by itself after this, should a run die without its cleanup. */
  lockTtlSeconds: z.number().int().min(60).max(86_400).default(3600),
});

export const groupIdSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9-]{0,39}$/, 'must be an ElastiCache replication group id');
export const nodeGroupIdSchema = z.string().regex(/^\d{4}$/, 'must be a node group id such as 0001');

/** The execution input of the drill state machine (strict: unknown fields are refused). */
export const drillRequestSchema = z.strictObject({
  replicationGroupId: groupIdSchema,
  /** Default: the first node group with a replica. */
  nodeGroupId: nodeGroupIdSchema.optional(),
  /** Default: the execution name. */
  runId: z.string().regex(NAME_PATTERN).optional(),
  /**
   * Preflight judges every guardrail and reports the plan, then the drill ends: no key written, no lock,
   * no fault.
   */
  dryRun: z.boolean().default(false),
  /**
   * `test-failover` calls TestFailover; `none` only measures a fault injected by something else;
   * `{ "source": "fis-az-power", "availabilityZone"?, "duration"? }` powers off one Availability Zone of the
   * group through an AWS FIS experiment (faults/).
   */
  fault: faultSchema.default('test-failover'),
  writer: writerSchema.default(writerSchema.parse({})),
  /**
   * Cluster mode: the shards watched by a writer each. `"all"`, or `{ "sample": N }` for a cheaper drill:
   * the target and its slot neighbours always, the rest drawn at random and named in the plan and report.
   */
  blastRadius: blastRadiusSchema,
  recovery: recoverySchema.default(recoverySchema.parse({})),
  guardrails: guardrailsSchema.default(guardrailsSchema.parse({})),
  thresholds: thresholdsSchema.default(thresholdsSchema.parse({})),
  /**
   * Set by a fleet: the fleet's execution ARN, under the key Step Functions documents for linking a
   * nested execution to the execution that started it (the console shows them together).
   */
  AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: z.string().max(2048).optional(),
  /** Publish the report to SNS; a fleet turns it off and sends one message for the whole fleet. */
  notify: z.boolean().default(true),
  /**
   * Client profiles run beside the probe in the Write step: presets' names (`ioredis-defaults`, …) or
   * `{ name, library, options }`. They report what an application would have seen; they change the
   * verdict only through `thresholds.clients`.
   */
  clients: clientsInputSchema.default([]).superRefine((entries, ctx) => {
    try {
      resolveClientProfiles(entries);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  }),
});

export type DrillRequestInput = z.input<typeof drillRequestSchema>;
export type DrillRequest = z.output<typeof drillRequestSchema>;

/** Validates a drill request, or throws DrillInputError naming every problem. */
export function parseDrillRequest(input: unknown): DrillRequest {
  const request = parseInput(drillRequestSchema, input, 'drill request');
  checkFaultFitsRecovery(request, 'drill request');
  return request;
}

/**
 * The fault source's own check against the rest of the request (fis-az-power: a power-off shorter than the
 * wait for recovery). A check beside the schema, not a refinement of it: the fleet's drill settings are this
 * schema with members omitted, and check the same.
 */
export function checkFaultFitsRecovery(
  request: Pick<DrillRequest, 'fault' | 'recovery'>,
  what: string,
): void {
  const problem = sourceOf(request.fault).checkRequest(request.fault, request);
  if (problem) throw new DrillInputError(`invalid ${what}: ${problem}`);
}
