// The probe's invocation gathers the fan-out's groups: their records in order, their clocks, a missing group named.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planFixture } from '../../../test/support/plan-fixture.js';
import { directoryFigureStore } from '../../shared/figure-store.js';
import { failedRun } from '../measure/clients/run.js';
import { shardWriterProfile } from '../measure/clients/shards.js';
import { gatherGroups } from './gather-groups.js';
import { groupRecordsName } from './writer-groups.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A shard writer's record, as data (its figures do not matter here, only whose it is). */
function recordOf(nodeGroupId: string) {
  const settings = { runId: 'run-1', prefix: 'failover-drill', ttlSeconds: 60, cluster: true };
  return failedRun(shardWriterProfile(nodeGroupId), settings, 1_000, new Error('not run'));
}

describe('gatherGroups', () => {
  it('joins the groups in order, states each clock against the probe, and names a group that never stored', async () => {
    // Prepare: 3 shards at 1 an invocation; group 1 stored its records, group 2 never did.
    const dir = await mkdtemp(join(tmpdir(), 'gather-'));
    dirs.push(dir);
    const figures = directoryFigureStore(dir);
    const shards = ['0001', '0002', '0003'].map((id, i) => ({
      nodeGroupId: id,
      slots: [[i * 100, i * 100 + 99]] as [number, number][],
    }));
    const plan = planFixture(
      {},
      {
        target: { ...planFixture().target, clusterMode: true, shards },
        shardGroups: {
          perInvocation: 1,
          probe: ['0001'],
          groups: [
            { group: 1, shards: ['0002'] },
            { group: 2, shards: ['0003'] },
          ],
        },
      },
    );
    const own = { clock: { offsetMs: 500, rttMs: 2, withinMs: 2.5 }, records: [recordOf('0001')] };
    const location = await figures.put('run-1', groupRecordsName(0), own);
    // Group 1's clock reads the server 460 ms ahead: its clock is 40 ms ahead of the probe's.
    await figures.put('run-1', groupRecordsName(1), {
      group: 1,
      clock: { offsetMs: 460, rttMs: 4, withinMs: 3.5 },
      records: [recordOf('0002')],
    });

    // Act
    const gathered = await gatherGroups(plan, { location, ...own }, figures, 300);

    // Assess
    expect(gathered.records.map((r) => r.name)).toEqual(['shard-0001', 'shard-0002', 'shard-0003']);
    expect(gathered.records[2]?.error?.name).toBe('ShardGroupMissingError');
    expect(gathered.groups).toEqual([
      { group: 1, writers: 1, clockOffsetMs: 40, withinMs: 6 },
      {
        group: 2,
        writers: 1,
        clockOffsetMs: null,
        withinMs: null,
        error: expect.stringContaining("group 2's records (0003)"),
      },
    ]);
  });
});
