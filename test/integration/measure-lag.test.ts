/**
 * The replication lag sampled just before the disruption (failover.replicationLagBytes): the bytes of the
 * replication stream the primary holds and its best replica has not applied, against the truth read from
 * both servers directly, through a held link and through delay lines of known length.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestFailoverCommand } from '@aws-sdk/client-elasticache';
import { afterEach, describe, expect, it } from 'vitest';
import { streamOf } from '../../functions/core/measure/monitor.js';
import { type LocalCloud, startLocalCloud } from '../../local/cloud.js';
import { FaultProxy } from '../../local/redis/proxy.js';
import { RedisServer } from '../../local/redis/server.js';
import { elastiCacheClient } from '../support/local-cloud.js';
import { measure, tracker } from '../support/measure-kit.js';

const { track, stopAll } = tracker();
afterEach(stopAll);

const url = (proxy: FaultProxy) => `redis://${proxy.host}:${proxy.port}`;
/** The truth: the primary's offset minus what the replica has applied, both read at once, directly. */
async function lagOf(primary: RedisServer, replica: RedisServer): Promise<number> {
  const [p, r] = await Promise.all([primary.info('replication'), replica.info('replication')]);
  return streamOf(p, 'master_repl_offset')!.offset - streamOf(r, 'slave_repl_offset')!.offset;
}
const offsetOf = async (primary: RedisServer) =>
  streamOf(await primary.info('replication'), 'master_repl_offset')!.offset;
const options = { rate: 1000, settleMs: 300, baselineMs: 300, maxDurationMs: 20_000, monitorIntervalMs: 20 };

/** A short outage on the writer's path: the disruption the lag is sampled before. */
async function outage(front: FaultProxy): Promise<void> {
  front.blackhole();
  await sleep(150);
  front.heal();
}

describe('replication lag at the disruption', () => {
  it('reports the bytes a held replication link kept from the replica', async () => {
    // Prepare: the replica replicates through `link`; the writer writes through `front`
    const primary = track(await RedisServer.start({ name: 'lag-primary' }));
    const link = track(await FaultProxy.start({ target: primary.endpoint }));
    const replica = track(
      await RedisServer.start({ name: 'lag-replica', replicaOf: { host: link.host, port: link.port } }),
    );
    const front = track(await FaultProxy.start({ target: primary.endpoint }));
    let truth: { before: number; atDisruption: number } = { before: -1, atDisruption: -1 };
    // Act
    const { report } = await measure({ endpoint: url(front) }, options, async () => {
      link.hold(); // nothing reaches the replica, no acknowledgement comes back
      await sleep(30);
      const before = await lagOf(primary, replica);
      await sleep(300);
      // The truth is read once the writer's path is cut: no write reaches the primary any more, so no sample
      // taken before the disruption can exceed it (read before the cut, a loaded machine let a few more in).
      front.blackhole();
      truth = { before, atDisruption: await lagOf(primary, replica) };
      await sleep(150);
      front.heal();
    });
    // Assess: the last sample lies between the start of the hold and the disruption; ~300 writes in between
    const lag = report.failover.replicationLagBytes;
    console.log(`replication lag: sampled ${lag} B, truth at the disruption ${truth.atDisruption} B`);
    expect(report.disruption).toMatchObject({ observed: true, cause: 'errors' });
    expect(lag).toBeGreaterThan(truth.before);
    expect(lag).toBeLessThanOrEqual(truth.atDisruption);
    // Sampled every 20 ms: at most a few tens of ms of writes short of the truth.
    expect(lag).toBeGreaterThanOrEqual(truth.before + 0.7 * (truth.atDisruption - truth.before));
    expect(truth.atDisruption - truth.before).toBeGreaterThan(250 * 40); // ≥ 40 B per SET … EX
  });

  it.each([0, 200, 500])(
    'reports the bytes a %i ms delay line holds, within one sample of the stream',
    async (delayMs) => {
      // Prepare: the replica replicates through a delay line of known length, as the local cloud's do
      const primary = track(await RedisServer.start({ name: `delay-${delayMs}-primary` }));
      const link = track(await FaultProxy.start({ target: primary.endpoint }));
      const replica = track(
        await RedisServer.start({
          name: `delay-${delayMs}-replica`,
          replicaOf: { host: link.host, port: link.port },
        }),
      );
      link.delay(delayMs, 'toClient');
      const front = track(await FaultProxy.start({ target: primary.endpoint }));
      let truth = -1;
      let perMs = 0;
      // What the line held just before and just after the truth was read, and the age of its oldest bytes.
      let line = { before: -1, after: -1, oldestMs: -1 };
      // The line forwards on this process's timers: a stalled event loop holds its bytes that much longer.
      const stalls = monitorEventLoopDelay({ resolution: 5 });
      // Act
      const { report, summary } = await measure({ endpoint: url(front) }, options, async () => {
        const [offset, startedMs] = [await offsetOf(primary), performance.now()];
        stalls.enable();
        await sleep(delayMs + 600); // the line full, and sampled many times
        perMs = ((await offsetOf(primary)) - offset) / (performance.now() - startedMs);
        // The truth just before the cut; after it no sample can be taken (the monitor is cut too).
        const [before, oldestMs] = [link.inFlightBytes(), link.oldestInFlightMs()];
        truth = await lagOf(primary, replica);
        line = { before, after: link.inFlightBytes(), oldestMs };
        stalls.disable();
        await outage(front);
      });
      // Assess: the last sample is at most one monitor interval before the cut
      const lag = report.failover.replicationLagBytes;
      const oneSample = perMs * options.monitorIntervalMs;
      console.log(
        `delay ${delayMs} ms: sampled ${lag} B, truth ${truth} B, the line ${line.before}…${line.after} B ` +
          `(oldest ${line.oldestMs.toFixed(1)} ms, stall ${(stalls.max / 1e6).toFixed(1)} ms), the stream carries ${Math.round(perMs * 1000)} B/s`,
      );
      expect(report.disruption.observed).toBe(true);
      expect(lag).not.toBeNull();
      expect(summary.identity.lagBytesSource).toBe('replica');
      // The sampler runs on this event loop: a stall before the cut makes its last sample older by as much.
      const sampleAge = options.monitorIntervalMs + stalls.max / 1e6;
      expect(Math.abs(lag! - truth)).toBeLessThanOrEqual(perMs * sampleAge);
      // The truth is the delay line's content, read around it (one sample either way), and what a replica the
      // loaded machine held (the stall this process saw) had not applied yet…
      const slack = perMs * sampleAge;
      expect(truth).toBeGreaterThanOrEqual(Math.min(line.before, line.after) - oneSample);
      expect(truth).toBeLessThanOrEqual(Math.max(line.before, line.after) + slack);
      // …and the line holds delayMs of the stream: nothing older, but for a stall of its timers.
      expect(line.oldestMs).toBeLessThanOrEqual(delayMs + stalls.max / 1e6 + 5 + 1); // + resolution + ms clock
      if (delayMs === 0) expect(lag).toBeLessThanOrEqual(slack);
    },
  );

  it('has no lag in bytes without a replica', async () => {
    // Prepare
    const alone = track(await RedisServer.start({ name: 'alone-primary' }));
    const front = track(await FaultProxy.start({ target: alone.endpoint }));
    // Act
    const { report } = await measure({ endpoint: url(front) }, options, () => outage(front));
    // Assess
    expect(report.failover.replicationLagBytes).toBeNull();
  });
});

describe('the writes a promotion loses, predicted from the replica before it', () => {
  const clouds: LocalCloud[] = [];
  afterEach(async () => {
    await Promise.all(clouds.splice(0).map((c) => c.stop()));
  });

  it.each([150, 400])(
    'predicts within a tenth what a %i ms delay line loses at a TestFailover',
    async (replicationLagMs) => {
      // Prepare: a local group whose replicas replicate through a delay line
      const cloud = await startLocalCloud({ replicationLagMs, detectionDelayMs: 200 });
      clouds.push(cloud);
      const { host, port } = cloud.group.primaryEndpoint!;
      // The delay line and the kill run on this process's event loop, so a stall of it moves the figures
      // twice: one before the last sample holds the line's delivery back (the replica looks further
      // behind than the line holds), one just before the kill lets the line deliver its backlog first.
      const stalls = monitorEventLoopDelay({ resolution: 5 });
      // Act: the writer at its default rate; TestFailover once writes flow
      const { report, summary } = await measure(
        { endpoint: `redis://${host}:${port}` },
        { settleMs: 500, baselineMs: 300, maxDurationMs: 30_000 },
        async () => {
          stalls.enable();
          await sleep(replicationLagMs + 300); // the delay line full, and sampled
          await elastiCacheClient(cloud).send(
            new TestFailoverCommand({ ReplicationGroupId: cloud.groupId, NodeGroupId: '0001' }),
          );
          await sleep(400); // past the detection delay: the kill
          stalls.disable();
        },
      );
      // Assess
      const { lost, predictedLost } = report.writes;
      const stallMs = stalls.max / 1e6;
      console.log(
        `delay ${replicationLagMs} ms: lost ${lost}, predicted ${predictedLost}, longest stall ${stallMs.toFixed(1)} ms (${JSON.stringify(report.failover.replicationLag)})`,
      );
      expect(report.disruption.observed).toBe(true);
      expect(lost).toBeGreaterThan(replicationLagMs * 0.3); // ~1 write per ms at the default rate
      expect(predictedLost).not.toBeNull();
      // Each of the two is at most the longest stall seen (seen under stress-ng: a sample 23 ms late).
      const stallWrites = 2 * Math.max(0, stallMs - 10) * (summary.rate / 1000);
      expect(Math.abs(predictedLost! - lost)).toBeLessThanOrEqual(0.1 * lost + stallWrites);
    },
  );
});
