/**
 * `failover-drill local --global` end to end, as a harness outside the project runs it: the CLI starts the
 * two-region local cloud and drills a Global Datastore failover through the real state machine. The truth
 * is read from both regions' servers while the drill runs (keyspace events on each primary): the writes
 * us-east-1 executed that eu-west-1 never received are the loss, and they span the window. Failback is
 * measured as a second failover; bad input is refused by name, exit 2, before anything is failed over.
 */

import { mkdtempSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { GlobalView } from '../../functions/core/report/global-view.js';
import { type CliRun, runCli } from '../support/run-cli.js';

const LAG_MS = 800;
/** The WAN link's default one-way latency: the delay line's loss includes it. */
const LATENCY_MS = 70;
/** Timers and scheduling on a shared machine: how far a write's acknowledgement sits from its event. */
const EDGE_SLACK_MS = 100;

/** One keyspace event as the test process received it. */
interface KeyEvent {
  event: string;
  key: string;
  atMs: number;
}

/**
 * Records every keyspace event of each region's primary, from the moment `local --global` prints where
 * they are. eu-west-1 is subscribed first: a write us-east-1 executes afterwards reaches eu-west-1 after.
 */
function regionRecorder() {
  const events: Record<'us' | 'eu', KeyEvent[]> = { us: [], eu: [] };
  const clients: Redis[] = [];
  let ready: Promise<void> | undefined;
  const listen = async (name: 'us' | 'eu', endpoint: string) => {
    const [host, port] = endpoint.split(':') as [string, string];
    const admin = new Redis(Number(port), host);
    const sub = new Redis(Number(port), host);
    clients.push(admin, sub);
    // Errors after the CLI stopped the servers are expected: the recording is over by then.
    for (const c of [admin, sub]) c.on('error', () => {});
    await admin.config('SET', 'notify-keyspace-events', 'KEA');
    sub.on('pmessage', (_pattern, channel: string, key: string) =>
      events[name].push({ event: channel.split(':').pop()!, key, atMs: Date.now() }),
    );
    await sub.psubscribe('__keyevent@0__:*');
  };
  return {
    events,
    onStderr(chunk: string) {
      const line = /global datastore \S+: us-east-1 \S+ at (\S+), eu-west-1 \S+ at (\S+)\n/.exec(chunk);
      if (!line || ready) return;
      ready = listen('eu', line[2]!).then(() => listen('us', line[1]!));
    },
    async stop() {
      await ready;
      for (const c of clients) c.disconnect();
    },
  };
}

/** The run's probe keys each region's server set, with when the first set was seen. */
function probeSets(events: KeyEvent[], keyBase: string): Map<string, number> {
  const sets = new Map<string, number>();
  for (const e of events)
    if (e.event === 'set' && e.key.startsWith(`${keyBase}:`) && !sets.has(e.key)) sets.set(e.key, e.atMs);
  return sets;
}

type GlobalRun = CliRun & { json: CliRun['json'] & { global: GlobalView; cleanup: { deleted: number } } };

describe.concurrent('failover-drill local --global', () => {
  it('reports the loss and window of an 800 ms delay line against both regions’ servers, leaving no key', async () => {
    // Prepare
    const recorder = regionRecorder();
    const reportDir = mkdtempSync(join(tmpdir(), 'global-reports-'));

    // Act
    const run = (await runCli(
      ['local', '--global', '--cross-region-lag-ms', String(LAG_MS)],
      {},
      {
        reportDir,
        onStderr: recorder.onStderr,
      },
    )) as GlobalRun;
    await recorder.stop();

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const g = run.json.global;
    expect([g.before.primaryRegion, g.after.primaryRegion]).toEqual(['us-east-1', 'eu-west-1']);
    const keyBase = `failover-drill:${run.json.runId}`;
    const us = probeSets(recorder.events.us, keyBase);
    const eu = probeSets(recorder.events.eu, keyBase);
    // Lost: executed in us-east-1, never replicated to eu-west-1 before the promotion.
    const lost = [...us].filter(([key]) => !eu.has(key)).map(([, atMs]) => atMs);
    expect(lost.length).toBeGreaterThan(0);
    expect(g.rpo.lost).toBe(lost.length);
    const span = Math.max(...lost) - Math.min(...lost);
    expect(g.rpo.dataLossWindowMs).toBeGreaterThanOrEqual(span - EDGE_SLACK_MS);
    expect(g.rpo.dataLossWindowMs).toBeLessThanOrEqual(span + EDGE_SLACK_MS);
    expect(g.rpo.dataLossWindowMs).toBeLessThanOrEqual(LAG_MS + LATENCY_MS + EDGE_SLACK_MS);
    expect(g.crossRegionLagMs.measured).toBeGreaterThanOrEqual(LAG_MS);
    // CloudWatch's GlobalDatastoreReplicationLag beside it: the local one reads the WAN link's delay.
    expect(g.crossRegionLagMs.metric).toBe(LAG_MS + LATENCY_MS);
    // No run key left: every probe key eu-west-1 (the primary now; us-east-1 replicates it) held was
    // unlinked by Cleanup, and Cleanup counted exactly those.
    const euDeleted = new Set(
      recorder.events.eu
        .filter((e) => e.event === 'del' && e.key.startsWith(`${keyBase}:`))
        .map((e) => e.key),
    );
    expect([...eu.keys()].filter((key) => !euDeleted.has(key))).toEqual([]);
    expect(run.json.cleanup.deleted).toBe(eu.size);
    // The text summary names the figures, as report.global holds them.
    expect(run.stdout + run.stderr).toContain(
      `region failover  us-east-1 → eu-west-1 (ldgnf-drill-demo): lost ${g.rpo.lost} in ${g.rpo.dataLossWindowMs} ms`,
    );
    // The HTML report's timeline shows both regions' lanes.
    const html = await readFile(join(reportDir, run.json.runId!, 'report.html'), 'utf8');
    for (const lane of ['region us-east-1', 'region eu-west-1']) expect(html).toContain(lane);
  });

  it('with --fail-back measures the failover back to us-east-1 too, two measurements in one report', async () => {
    // Act
    const run = (await runCli([
      'local',
      '--global',
      '--cross-region-latency-ms',
      '0',
      '--fail-back',
    ])) as GlobalRun;

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const g = run.json.global;
    expect([g.before.primaryRegion, g.after.primaryRegion]).toEqual(['us-east-1', 'eu-west-1']);
    expect(g.failBack).toBeDefined();
    expect([g.failBack!.before.primaryRegion, g.failBack!.after.primaryRegion]).toEqual([
      'eu-west-1',
      'us-east-1',
    ]);
    // With no delay line, what either way can lose is what the WAN link (70 ms each way) still carried at
    // the promotion: a window no longer than its latency. Each waited for its own promotion (500 ms).
    for (const leg of [g, g.failBack!]) expect(leg.rpo.dataLossWindowMs).toBeLessThanOrEqual(2 * 70);
    expect(g.rto.firstWriteOkMs).toBeGreaterThanOrEqual(500);
    expect(g.failBack!.rto.firstWriteOkMs).toBeGreaterThanOrEqual(500);
    expect(run.stdout + run.stderr).toMatch(
      /failback {9}eu-west-1 → us-east-1 \(ldgnf-drill-demo\): lost \d+ in \d+ ms/,
    );
  });

  it('refuses an unknown region, a secondary that is not a member and the primary as the secondary, by name', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'global-refusals-'));
    const fault = {
      source: 'global-failover',
      globalReplicationGroupId: 'ldgnf-drill-demo',
      secondaryRegion: 'eu-west-1',
      secondaryReplicationGroupId: 'drill-demo-secondary',
    };
    const inputs = {
      unknownRegion: { ...fault, secondaryRegion: 'xx-nowhere-9' },
      notAMember: { ...fault, secondaryReplicationGroupId: 'orders-secondary' },
      primaryAsSecondary: {
        ...fault,
        secondaryRegion: 'us-east-1',
        secondaryReplicationGroupId: 'drill-demo',
      },
    };
    const files = await Promise.all(
      Object.entries(inputs).map(async ([name, f]) => {
        const file = join(dir, `${name}.json`);
        await writeFile(file, JSON.stringify({ replicationGroupId: 'drill-demo', fault: f }));
        return file;
      }),
    );

    // Act
    const runs = await Promise.all(files.map((file) => runCli(['local', '--global', '--input', file])));

    // Assess
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.json.writes.attempted).toBe(0);
    }
    const [unknownRegion, notAMember, primaryAsSecondary] = runs.map((r) => r.json.error);
    expect(unknownRegion).toMatchObject({
      name: 'DrillInputError',
      message: expect.stringMatching(/^fault\.secondaryRegion xx-nowhere-9 is not a region/),
    });
    expect(notAMember).toMatchObject({
      name: 'DrillInputError',
      message: expect.stringMatching(
        /^fault\.secondaryReplicationGroupId orders-secondary in eu-west-1 is not a member/,
      ),
    });
    expect(primaryAsSecondary).toMatchObject({
      name: 'DrillInputError',
      message: expect.stringMatching(
        /^fault\.secondaryReplicationGroupId drill-demo in us-east-1 is the primary/,
      ),
    });
    // Nothing started: the CLI never brought a local cloud up.
    for (const run of runs) expect(run.stderr).not.toMatch(/local cloud up/);
  });
});
