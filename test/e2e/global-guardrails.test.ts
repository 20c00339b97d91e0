/**
 * A region failover's guardrails, each refusing through `failover-drill gate` against one `emulator --global`:
 * a member without the opt-in tag, the secondary lagging over its bound before the request, and the datastore
 * not available (another operator's failover under way). Each is refused by name, exit 2, with nothing failed
 * over by the drill. The cases share the emulator and run in order, the one that leaves it modifying last.
 */
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AddTagsToResourceCommand,
  DescribeGlobalReplicationGroupsCommand,
  DescribeReplicationGroupsCommand,
  type ElastiCacheClient,
  FailoverGlobalReplicationGroupCommand,
  RemoveTagsFromResourceCommand,
} from '@aws-sdk/client-elasticache';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillReport } from '../../functions/core/report/drill-report.js';
import { LOCAL_CREDENTIALS } from '../../local/account.js';
import { OPT_IN_TAG } from '../../local/cloud.js';
import { cli, type Emulator, startEmulator, stopEmulator } from '../support/emulator.js';
import { elastiCacheClient } from '../support/local-cloud.js';

const GLOBAL_ID = 'ldgnf-drill-demo';
const US = { region: 'us-east-1', replicationGroupId: 'drill-demo' };
const EU = { region: 'eu-west-1', replicationGroupId: 'drill-demo-secondary' };
/** Longer than the CLI takes to reach Preflight on a loaded machine: the operator's failover is still under way. */
const PROMOTION_DELAY_MS = 15_000;
/** The injected cross-region delay line. */
const LAG_MS = 800;
/** Timers and scheduling on a shared machine: how far the probe's lag may sit below the line. */
const EDGE_SLACK_MS = 100;

let emulator: Emulator;
beforeAll(async () => {
  // An 800 ms delay line (the lag case's truth) and no WAN latency (nothing else depends on the link).
  emulator = await startEmulator([
    '--global',
    '--cross-region-lag-ms',
    String(LAG_MS),
    '--cross-region-latency-ms',
    '0',
    '--promotion-delay-ms',
    String(PROMOTION_DELAY_MS),
  ]);
}, 60_000);
afterAll(() => stopEmulator(emulator));

const clientIn = (region: string) =>
  elastiCacheClient({ endpoint: emulator.ready.endpoint, region, credentials: LOCAL_CREDENTIALS });

/** `gate` drilling the datastore's failover to eu-west-1, with `fault` added to the global-failover fault. */
async function gate(name: string, fault: Record<string, unknown> = {}, baselineSeconds = 1) {
  const input = join(emulator.reportDir, `${name}.in.json`);
  await writeFile(
    input,
    JSON.stringify({
      replicationGroupId: US.replicationGroupId,
      fault: {
        source: 'global-failover',
        globalReplicationGroupId: GLOBAL_ID,
        secondaryRegion: EU.region,
        secondaryReplicationGroupId: EU.replicationGroupId,
        ...fault,
      },
      writer: { baselineSeconds, settleSeconds: 1, maxDurationSeconds: 20 },
    }),
  );
  const json = join(emulator.reportDir, `${name}.json`);
  const child = cli(
    [
      'gate',
      '--state-machine-arn',
      emulator.ready.stateMachineArn,
      '--replication-group',
      US.replicationGroupId,
      '--input',
      input,
      '--poll-interval',
      '0.2',
      '--json',
      json,
    ],
    emulator.ready.env,
  );
  // The summary on stdout is not judged here: the --json report is.
  child.stdout!.resume();
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = (await once(child, 'close')) as [number | null];
  const report = JSON.parse(await readFile(json, 'utf8').catch(() => '{}')) as DrillReport;
  return { code, stderr, json: report };
}

/** The datastore's status and each region's role, as DescribeGlobalReplicationGroups says. */
async function described() {
  const d = (
    await clientIn(US.region).send(
      new DescribeGlobalReplicationGroupsCommand({
        GlobalReplicationGroupId: GLOBAL_ID,
        ShowMemberInfo: true,
      }),
    )
  ).GlobalReplicationGroups![0]!;
  return {
    status: d.Status,
    roles: Object.fromEntries((d.Members ?? []).map((m) => [m.ReplicationGroupRegion, m.Role])),
  };
}

const UNCHANGED = { status: 'available', roles: { [US.region]: 'primary', [EU.region]: 'secondary' } };

async function arnOf(client: ElastiCacheClient, replicationGroupId: string): Promise<string> {
  const out = await client.send(
    new DescribeReplicationGroupsCommand({ ReplicationGroupId: replicationGroupId }),
  );
  return out.ReplicationGroups![0]!.ARN!;
}

describe('a region failover refused by its guardrails', () => {
  it('refuses a secondary without the opt-in tag', async () => {
    // Prepare
    const eu = clientIn(EU.region);
    const ResourceName = await arnOf(eu, EU.replicationGroupId);
    await eu.send(new RemoveTagsFromResourceCommand({ ResourceName, TagKeys: [OPT_IN_TAG.key] }));

    // Act
    const run = await gate('untagged').finally(() =>
      eu.send(
        new AddTagsToResourceCommand({
          ResourceName,
          Tags: [{ Key: OPT_IN_TAG.key, Value: OPT_IN_TAG.value }],
        }),
      ),
    );

    // Assess
    expect(run.code, run.stderr).toBe(2);
    expect(run.json.error).toMatchObject({
      name: 'GuardrailError',
      message: expect.stringContaining(`opt-in-tag: ${EU.replicationGroupId} in ${EU.region} lacks the tag`),
    });
    expect(run.json.global).toBeUndefined();
    expect(await described()).toEqual(UNCHANGED);
  }, 90_000);

  it('refuses a secondary lagging over the request’s bound just before the request', async () => {
    // Act: the 800 ms delay line against a 200 ms bound; a baseline long enough for writes older than the line.
    const run = await gate('lagging', { maxLagBeforeMs: 200 }, 2);

    // Assess
    expect(run.code, run.stderr).toBe(2);
    expect(run.json.error).toMatchObject({
      name: 'GuardrailError',
      message: expect.stringMatching(
        /global-lag: drill-demo-secondary in eu-west-1 lags \d+ ms behind, more than 200 ms/,
      ),
    });
    const lagged = Number(/lags (\d+) ms/.exec(run.json.error!.message)![1]);
    // The probe's lag against the line's truth, within the slack global-failover.test.ts allows it (timers).
    expect(lagged).toBeGreaterThanOrEqual(LAG_MS - EDGE_SLACK_MS);
    expect(run.json.global).toBeUndefined();
    expect(await described()).toEqual(UNCHANGED);
  }, 90_000);

  it('refuses a datastore that is not available (another operator’s failover under way)', async () => {
    // Prepare: the operator's own failover, promoting eu-west-1 after the promotion delay.
    await clientIn(EU.region).send(
      new FailoverGlobalReplicationGroupCommand({
        GlobalReplicationGroupId: GLOBAL_ID,
        PrimaryRegion: EU.region,
        PrimaryReplicationGroupId: EU.replicationGroupId,
      }),
    );

    // Act
    const run = await gate('modifying');
    const after = await described();

    // Assess
    expect(run.code, run.stderr).toBe(2);
    expect(run.json.error).toMatchObject({
      name: 'GuardrailError',
      message: expect.stringContaining(`global-status: ${GLOBAL_ID} is modifying, not available`),
    });
    // Nothing measured nor requested by the drill: the datastore is still in the operator's failover.
    expect(run.json.global).toBeUndefined();
    expect(after.status).toBe('modifying');
  }, 90_000);
});
