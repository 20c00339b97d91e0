// The fan-out's split of the watched shards into invocations, and each group's clock against the probe's.
import { describe, expect, it } from 'vitest';
import { offsetToProbe } from '../measure/clock-offset.js';
import { siblingLocation } from './gather-groups.js';
import { MAX_WRITER_GROUPS, perInvocationFromEnv, writerGroups } from './writer-groups.js';

/** n shard ids, 0001… */
function ids(n: number): string[] {
  return Array.from({ length: n }, (_, i) => String(i + 1).padStart(4, '0'));
}

describe('writerGroups', () => {
  it('leaves every writer in the probe invocation when they fit', () => {
    // Prepare
    const shards = ids(3);
    // Act
    const groups = writerGroups(shards, 3);
    // Assess
    expect(groups).toBeUndefined();
  });

  it('splits 6 shards at 2 an invocation into the probe group and 2 Map items, in order', () => {
    // Prepare
    const shards = ids(6);
    // Act
    const groups = writerGroups(shards, 2);
    // Assess
    expect(groups).toEqual({
      perInvocation: 2,
      probe: ['0001', '0002'],
      groups: [
        { group: 1, shards: ['0003', '0004'] },
        { group: 2, shards: ['0005', '0006'] },
      ],
    });
  });

  it('never makes more Map items than the Map runs at once: 500 shards at 2 hold 13 a group', () => {
    // Prepare
    const shards = ids(500);
    // Act
    const groups = writerGroups(shards, 2);
    // Assess
    expect(groups?.groups.length).toBeLessThanOrEqual(MAX_WRITER_GROUPS);
    expect(groups?.perInvocation).toBe(13);
    // Every shard is in exactly one group.
    expect([...(groups?.probe ?? []), ...(groups?.groups.flatMap((g) => g.shards) ?? [])]).toEqual(shards);
  });

  it('reads the per-invocation setting from the environment, ignoring what is not a count', () => {
    // Prepare
    const envs = [{ SHARD_WRITERS_PER_INVOCATION: '2' }, { SHARD_WRITERS_PER_INVOCATION: '0' }, {}];
    // Act
    const read = envs.map((env) => perInvocationFromEnv(env));
    // Assess
    expect(read).toEqual([2, undefined, undefined]);
  });
});

describe('offsetToProbe', () => {
  it("states a group clock 40 ms ahead of the probe within both readings' bounds", () => {
    // Prepare: the server reads 1000 ms ahead of the probe's clock and 960 ms ahead of the group's.
    const probe = { offsetMs: 1000, rttMs: 2, withinMs: 2.5 };
    const group = { offsetMs: 960, rttMs: 4, withinMs: 3.5 };
    // Act
    const offset = offsetToProbe(group, probe);
    // Assess
    expect(offset).toEqual({ offsetMs: 40, withinMs: 6 });
  });

  it('says nothing when either clock could not be read', () => {
    // Act
    const offset = offsetToProbe(null, { offsetMs: 0, rttMs: 1, withinMs: 2 });
    // Assess
    expect(offset).toBeNull();
  });
});

describe('siblingLocation', () => {
  it('names a group file beside the probe group in S3 and on disk', () => {
    // Act
    const s3 = siblingLocation('s3://b/figures/run-1/shard-writers.group-0.json', 'shard-writers.group-3');
    const disk = siblingLocation('/r/run-1/figures/shard-writers.group-0.json', 'shard-writers.group-3');
    // Assess
    expect(s3).toBe('s3://b/figures/run-1/shard-writers.group-3.json');
    expect(disk).toBe('/r/run-1/figures/shard-writers.group-3.json');
  });
});
