import {
  DescribeReplicationGroupsCommand,
  type ElastiCacheClient,
  type Event,
} from '@aws-sdk/client-elasticache';
import * as z from 'zod';
import { RecoveryTimeoutError } from '../../shared/errors.js';
import { awaitChange, changeSchema } from './change.js';
import { EVENT_TEXT } from './event-text.js';
import { recentEvents } from './events.js';
import type { DrillPlan } from './plan.js';

/** One control-plane event of the drill, in epoch ms, as it goes on the report's timeline. */
export const controlEventSchema = z.object({ at: z.number(), source: z.string(), message: z.string() });
export type ControlEvent = z.infer<typeof controlEventSchema>;

/** What the control plane has said about the failover so far (plain data, carried between polls). */
export const recoverySchema = z.object({
  /**
   * T0: epoch ms just before TestFailover was sent (0 when nothing was triggered); for fis-az-power the
   * experiment's creationTime, which the state machine passes on as Step Functions' SDK integrations give
   * timestamps: ISO 8601 strings (e.g. "2013-08-23T01:02:15.422Z").
   */
  requestedAt: z.union([
    z.number(),
    z
      .string()
      .refine((t) => !Number.isNaN(Date.parse(t)), 'must be a timestamp')
      .transform((t) => Date.parse(t)),
  ]),
  polls: z.number().int(),
  done: z.boolean(),
  from: z.string().optional(),
  to: z.string().optional(),
  failoverCompletedAt: z.number().optional(),
  recoveringAt: z.number().optional(),
  finishedRecoveryAt: z.number().optional(),
  events: z.array(controlEventSchema),
  /** A planned change (faults/reshard.ts): what was asked, its progress, the group before and after. */
  change: changeSchema.optional(),
});
export type Recovery = z.infer<typeof recoverySchema>;

/** Events are stamped by AWS to the second: accept those a little before T0. */
const CLOCK_SLACK_MS = 2000;

/** Reads the failover's progress from DescribeEvents output. Pure. */
export function readRecovery(
  events: Event[],
  context: { requestedAt: number; replicationGroupId: string; nodeGroupId: string; nodeIds: string[] },
): Omit<Recovery, 'polls' | 'done' | 'requestedAt'> & { completeInEvents: boolean } {
  const ours = events
    .map((e) => ({ at: e.Date?.getTime() ?? 0, source: e.SourceIdentifier ?? '', message: e.Message ?? '' }))
    .filter((e) => e.at >= context.requestedAt - CLOCK_SLACK_MS)
    .filter((e) => {
      if (e.source === context.replicationGroupId) {
        const called = e.message.match(EVENT_TEXT.testFailoverCalled);
        if (called) return called[1] === context.nodeGroupId;
        const failover = e.message.match(EVENT_TEXT.failoverCompleted);
        return failover !== null && context.nodeIds.includes(failover[1]!);
      }
      return context.nodeIds.includes(e.source);
    })
    .sort((a, b) => a.at - b.at);

  const completed = ours.find((e) => EVENT_TEXT.failoverCompleted.test(e.message));
  const [, from, to] = completed?.message.match(EVENT_TEXT.failoverCompleted) ?? [];
  const recovering = ours.find((e) => e.source === from && EVENT_TEXT.recovering.test(e.message));
  const finished = ours.find((e) => e.source === from && EVENT_TEXT.finishedRecovery.test(e.message));
  return {
    events: ours,
    from,
    to,
    failoverCompletedAt: completed?.at,
    recoveringAt: recovering?.at,
    finishedRecoveryAt: finished?.at,
    completeInEvents: completed !== undefined && finished !== undefined,
  };
}

export interface PollClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/**
 * Polls DescribeEvents (and, once the events say done, DescribeReplicationGroups to confirm the
 * new primary) for at most one poll window; the state machine loops until `done`. Node status
 * stays `available` through a test failover, so status alone never tells. The stop conditions are
 * checked with every poll.
 */
export async function awaitRecovery(
  plan: DrillPlan,
  previous: Recovery,
  elastiCache: ElastiCacheClient,
  clock: PollClock,
  /** Runs with every poll (the stop conditions); a throw ends the drill. */
  checkStop: () => Promise<void> = async () => {},
): Promise<Recovery> {
  // A planned change is followed in DescribeReplicationGroups, not in the failover events.
  if (previous.change) return awaitChange(plan, previous, elastiCache, clock, checkStop);
  const { recovery: settings } = plan.request;
  const { target } = plan;
  const deadline = previous.requestedAt + settings.maxWaitSeconds * 1000;
  const windowEnd = Math.min(deadline, clock.now() + settings.pollWindowSeconds * 1000);
  const nodeIds = [target.primaryNodeId, ...target.replicaNodeIds].filter(Boolean);
  let polls = previous.polls;
  for (;;) {
    polls++;
    await checkStop();
    const events = await recentEvents(elastiCache, { StartTime: new Date(previous.requestedAt - 60_000) });
    const { completeInEvents, ...progress } = readRecovery(events, {
      requestedAt: previous.requestedAt,
      replicationGroupId: target.replicationGroupId,
      nodeGroupId: target.nodeGroupId,
      nodeIds,
    });
    if (completeInEvents && (await isPrimary(elastiCache, plan, progress.to))) {
      return { ...previous, ...progress, polls, done: true };
    }
    const now = clock.now();
    if (now >= deadline) {
      throw new RecoveryTimeoutError(
        `node group ${target.nodeGroupId} of ${target.replicationGroupId} did not finish recovery within ${settings.maxWaitSeconds} s of TestFailover (${polls} polls)`,
      );
    }
    if (now + settings.pollIntervalSeconds * 1000 > windowEnd)
      return { ...previous, ...progress, polls, done: false };
    await clock.sleep(settings.pollIntervalSeconds * 1000);
  }
}

async function isPrimary(elastiCache: ElastiCacheClient, plan: DrillPlan, nodeId: string | undefined) {
  const out = await elastiCache.send(
    new DescribeReplicationGroupsCommand({ ReplicationGroupId: plan.target.replicationGroupId }),
  );
  const group = out.ReplicationGroups?.[0];
  const nodeGroup = group?.NodeGroups?.find((ng) => ng.NodeGroupId === plan.target.nodeGroupId);
  if (group?.Status !== 'available' || nodeId === undefined) return false;
  // Cluster mode enabled tells no roles: there the events are the control plane's only word.
  if (plan.target.clusterMode)
    return nodeGroup?.NodeGroupMembers?.some((m) => m.CacheClusterId === nodeId) === true;
  const primary = nodeGroup?.NodeGroupMembers?.find((m) => m.CurrentRole === 'primary');
  return primary?.CacheClusterId === nodeId;
}
