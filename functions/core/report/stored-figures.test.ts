// The report's side of the shard map: the stored report names every watched shard, the state's copy none.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterPlanFixture } from '../../../test/support/plan-fixture.js';
import { directoryFigureStore } from '../../shared/figure-store.js';
import { storeShardMap } from '../drill/shard-map.js';
import { type DrillReport, drillReport } from './drill-report.js';
import { reportForState, withStoredFigures } from './stored-figures.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

describe('the report and the stored shard map', () => {
  it('names every watched shard in the report, and none in the state copy', async () => {
    // Prepare: a 12-shard plan as the state carries it, its map in the store.
    const dir = await mkdtemp(join(tmpdir(), 'stored-figures-'));
    dirs.push(dir);
    const figures = directoryFigureStore(dir);
    const plan = await storeShardMap(clusterPlanFixture(12), figures);
    const state = { execution: 'exec-1', request: plan.request, plan };

    // Act
    const report = drillReport(await withStoredFigures(state, figures, quiet));
    // One shard view stands for the stored per-shard views: only their presence matters here.
    const forState = reportForState({ ...report, shards: [{}] as DrillReport['shards'] });

    // Assess
    expect(report.blastRadius?.shards).toHaveLength(12);
    expect(report.blastRadius?.fanOut?.groups[0]).toMatchObject({ group: 0, writers: 4 });
    expect(report.cost).toEqual(drillReport({ ...state, plan: clusterPlanFixture(12) }).cost);
    expect(forState.blastRadius).toEqual({
      chosen: 'all',
      watched: 12,
      unwatched: 0,
      fanOut: expect.anything(),
    });
    expect(JSON.stringify(forState)).not.toContain('"0012"');
  });
});
