/**
 * The probe's invocation gathers the shard writers' groups (issue 26's fan-out): each group stored its
 * records under its own name; the probe's invocation waits for them after the probe stopped, and makes
 * the run's one file of shard writers' records, so that Verify, Cleanup and Report read it as before.
 * A group whose records never arrive is reported by name: its shards' writers failed, with the reason.
 */
import { ShardGroupMissingError } from '../../shared/errors.js';
import type { FigureStore } from '../../shared/figure-store.js';
import { failedRun, type ProfileRun } from '../measure/clients/run.js';
import { shardWriterProfile } from '../measure/clients/shards.js';
import { type ClockReading, offsetToProbe } from '../measure/clock-offset.js';
import type { DrillPlan } from './plan.js';
import { shardsOf, writersBesideSettings } from './profiles-beside.js';
import type { GroupRecords } from './shard-writers-step.js';
import { groupRecordsName } from './writer-groups.js';

/** One group as the report states it: how many writers, and its clock against the probe's. */
export interface GroupClock {
  group: number;
  writers: number;
  /** The group's clock minus the probe's, ms, true within `withinMs`; null when either could not be read. */
  clockOffsetMs: number | null;
  withinMs: number | null;
  /** The group's records never arrived: its writers are reported failed, with this reason. */
  error?: string;
}

const POLL_MS = 250;

/** Where `name` lies beside `location` (a file of the same run's figures, as the store returned it). */
export function siblingLocation(location: string, name: string): string {
  return location.replace(/[^/]+\.json$/, `${name}.json`);
}

/**
 * Every group's records, in the groups' order, after the probe's own group's (`own`, stored at
 * `ownLocation`). Waits at most `waitMs` for the groups still writing their records.
 */
export async function gatherGroups(
  plan: DrillPlan,
  own: { location: string; clock: ClockReading | null; records: ProfileRun[] },
  figures: FigureStore,
  waitMs: number,
  now: () => number = Date.now,
): Promise<{ records: ProfileRun[]; groups: GroupClock[] }> {
  const groups = plan.shardGroups?.groups ?? [];
  const until = now() + waitMs;
  const read = async (group: number): Promise<GroupRecords | null> => {
    const at = siblingLocation(own.location, groupRecordsName(group));
    for (;;) {
      const found = (await figures.get(at).catch(() => null)) as GroupRecords | null;
      if (found || now() >= until) return found;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };
  const found = await Promise.all(groups.map((item) => read(item.group)));
  const records = [...own.records];
  const clocks: GroupClock[] = [];
  groups.forEach((item, i) => {
    const got = found[i];
    if (got) {
      records.push(...got.records);
      const offset = offsetToProbe(got.clock, own.clock);
      clocks.push({
        group: item.group,
        writers: got.records.length,
        clockOffsetMs: offset?.offsetMs ?? null,
        withinMs: offset?.withinMs ?? null,
      });
      return;
    }
    const error = new ShardGroupMissingError(
      `group ${item.group}'s records (${(item.shards ?? []).join(', ')}) did not arrive within ${waitMs} ms of the probe's stop`,
    );
    const settings = { ...writersBesideSettings(plan), cluster: true };
    const missing = shardsOf(plan, item.shards ?? []).filter((shard) => shard.slots.length > 0);
    for (const shard of missing)
      records.push(
        failedRun(shardWriterProfile(shard.nodeGroupId), { ...settings, pin: shard.slots }, now(), error),
      );
    clocks.push({
      group: item.group,
      writers: missing.length,
      clockOffsetMs: null,
      withinMs: null,
      error: error.message,
    });
  });
  return { records, groups: clocks };
}
