import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { directoryReportStore, type PastDrill, type ReportStore, s3ReportStore } from './report-store.js';

const entry = (runId: string, nodeGroupId: string, at: number): PastDrill => ({
  runId,
  replicationGroupId: 'g',
  nodeGroupId,
  at,
  verdict: 'pass',
  downtimeMs: 10,
  lost: 0,
  files: { json: `${runId}.json`, html: `${runId}.html` },
});

/** The store's contract, on either backing. */
async function exercise(store: ReportStore) {
  await store.save('run-b', { json: '{"verdict":"pass"}', html: '<p>' });
  await store.record(entry('run-b', '0001', 2000));
  await store.record(entry('run-a', '0001', 1000));
  await store.record(entry('run-c', '0002', 3000));
  return {
    loaded: await store.load('run-b'),
    missing: await store.load('run-x'),
    one: (await store.pastDrills('g', '0001')).map((e) => e.runId),
    all: (await store.pastDrills('g')).map((e) => e.runId),
    newest: (await store.pastDrills('g', undefined, 2)).map((e) => e.runId),
    other: await store.pastDrills('h'),
  };
}

const expected = {
  loaded: { verdict: 'pass' },
  missing: undefined,
  one: ['run-a', 'run-b'],
  all: ['run-a', 'run-b', 'run-c'],
  newest: ['run-b', 'run-c'],
  other: [],
};

describe('report store: reports and each target history', () => {
  let dir: string | undefined;
  const s3 = mockClient(S3Client);
  // Unit files share a worker (isolate: false): the stubbed client's prototype must not outlive this file.
  afterAll(() => s3.restore());
  afterEach(async () => {
    s3.reset();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a directory', async () => {
    // Prepare
    dir = await mkdtemp(join(tmpdir(), 'report-store-'));
    // Act
    const seen = await exercise(directoryReportStore(dir));
    // Assess
    expect(seen).toEqual(expected);
  });

  it('an S3 bucket (history under history/<group>/<node group>/, listed by prefix)', async () => {
    // Prepare: an in-memory bucket behind the SDK's own commands
    const objects = new Map<string, string>();
    s3.on(PutObjectCommand).callsFake((input: { Key: string; Body: string }) => {
      objects.set(input.Key, input.Body);
      return {};
    });
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
      const body = objects.get(input.Key);
      if (body === undefined) throw Object.assign(new Error('no such key'), { name: 'NoSuchKey' });
      return { Body: { transformToString: async () => body } };
    });
    s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string }) => ({
      Contents: [...objects.keys()].filter((k) => k.startsWith(input.Prefix)).map((Key) => ({ Key })),
      IsTruncated: false,
    }));
    // Act
    const seen = await exercise(s3ReportStore(new S3Client({ region: 'us-east-1' }), 'bucket'));
    // Assess
    expect(seen).toEqual(expected);
    expect([...objects.keys()].sort()).toEqual([
      expect.stringMatching(/^history\/g\/0001\/0+1000-run-a\.json$/),
      expect.stringMatching(/^history\/g\/0001\/0+2000-run-b\.json$/),
      expect.stringMatching(/^history\/g\/0002\/0+3000-run-c\.json$/),
      'reports/run-b/report.html',
      'reports/run-b/report.json',
    ]);
  });
});
