/**
 * The hostile-input corpus (test/support/fixtures/hostile-inputs.json): execution inputs with hostile values in every
 * member — wrong types, oversized strings, injection-looking ids, negative and huge numbers, prototype
 * pollution keys (`__proto__`, `constructor`, `prototype`) and unknown keys. Each is refused by name
 * (DrillInputError, the message naming the member), with exit 2 and its --json written by `failover-drill
 * local`, and — started as executions of the real state machine on a local cloud of real redis-server
 * processes — with nothing touched: no TestFailover, no FIS experiment, no key written, no lock tag.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTagsForResourceCommand } from '@aws-sdk/client-elasticache';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allEvents, elastiCacheClient, redisClient, useLocalCloud } from '../support/local-cloud.js';
import { runCli } from '../support/run-cli.js';

interface HostileInput {
  name: string;
  input: unknown;
  /** What the refusal's message must name: the member (its path) or the offending key. */
  names: string;
}

const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

const CORPUS = JSON.parse(
  readFileSync(new URL('../support/fixtures/hostile-inputs.json', import.meta.url), 'utf8'),
) as HostileInput[];

describe('the hostile-input corpus through failover-drill local', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hostile-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // Every non-object (a `null` once ran the default drill) and every fourth entry: the CLI adds its exit code and
  // --json to the parser the state machine's run below holds every entry to (a CLI start costs ~1 s).
  const sample = CORPUS.filter((entry, i) => !isObject(entry.input) || i % 4 === 0);

  it('refuses a sample by name with exit 2 and a --json report, before starting anything', async () => {
    // Prepare
    const files = await Promise.all(
      sample.map(async (entry, i) => {
        const file = join(dir, `input-${i}.json`);
        await writeFile(file, JSON.stringify(entry.input));
        return file;
      }),
    );

    // Act: three at a time (a refusal is a Node start-up, nothing else)
    const runs: Awaited<ReturnType<typeof runCli>>[] = [];
    for (let i = 0; i < files.length; i += 3)
      runs.push(...(await Promise.all(files.slice(i, i + 3).map((f) => runCli(['local', '--input', f])))));

    // Assess
    runs.forEach((run, i) => {
      const entry = sample[i]!;
      expect(run.code, `${entry.name}: ${run.stderr}`).toBe(2);
      expect(run.json.verdict, entry.name).toBe('error');
      expect(run.json.error?.name, entry.name).toBe('DrillInputError');
      expect(run.json.error?.message, entry.name).toContain(entry.names);
      expect(run.json.failoverTriggered, entry.name).toBe(false);
      expect(run.json.writes.attempted, entry.name).toBe(0);
    });
  }, 240_000);
});

describe('the hostile-input corpus as executions of the drill state machine', () => {
  const local = useLocalCloud({ replicas: 1, detectionDelayMs: 50 });

  it('fails every one at Preflight with DrillInputError naming the member, and touches nothing', async () => {
    // Prepare
    const { cloud } = local;
    const sfn = new SFNClient({
      endpoint: cloud.endpoint,
      region: cloud.region,
      credentials: cloud.credentials,
    });
    const ec = elastiCacheClient(cloud);
    const primary = redisClient(cloud.group.primaryEndpoint!);
    await primary.connect();
    const arn = `arn:aws:elasticache:${cloud.region}:000000000000:replicationgroup:${cloud.groupId}`;
    const tagsBefore = await ec.send(new ListTagsForResourceCommand({ ResourceName: arn }));

    // Act: every execution started at once (each ends at Preflight, on its own input), then all drained
    const arns = await Promise.all(
      CORPUS.map(async (entry, i) => {
        const { executionArn } = await sfn.send(
          new StartExecutionCommand({
            stateMachineArn: cloud.stateMachineArn,
            name: `hostile-${i}`,
            input: JSON.stringify(entry.input),
          }),
        );
        return executionArn;
      }),
    );
    await cloud.stepFunctions.drain();
    const outcomes = await Promise.all(
      arns.map((executionArn) => sfn.send(new DescribeExecutionCommand({ executionArn }))),
    );
    await cloud.delivered();
    const keys = await primary.dbsize();
    const tagsAfter = await ec.send(new ListTagsForResourceCommand({ ResourceName: arn }));
    const events = await allEvents(ec);
    primary.disconnect();
    sfn.destroy();

    // Assess
    outcomes.forEach((outcome, i) => {
      const entry = CORPUS[i]!;
      expect(outcome.status, entry.name).toBe('FAILED');
      // Not an object: as in Step Functions, the first state cannot read its members (States.Runtime).
      const member = isObject(entry.input);
      expect(member ? ['DrillInputError'] : ['DrillInputError', 'States.Runtime'], entry.name).toContain(
        outcome.error,
      );
      if (member) expect(outcome.cause, entry.name).toContain(entry.names);
    });
    expect(keys).toBe(0);
    expect(tagsAfter.TagList).toEqual(tagsBefore.TagList);
    expect(events.filter((e) => /Test Failover/.test(e.Message ?? ''))).toEqual([]);
    expect(cloud.fis.list()).toEqual([]);
  }, 240_000);
});
