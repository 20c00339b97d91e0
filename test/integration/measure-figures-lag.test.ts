/**
 * The lag figures against known moments: the replica's link is held from a moment the test notes, the
 * writer's path is cut at another, and the replica is promoted behind the cut and reached at a third. The
 * writes the replica lacked at the cut (replicationLag.behind / lagMs) and the ages of the lost writes at the
 * promotion (dataLossWindow.*AgeAtPromotionMs) follow from those moments alone.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultProxy } from '../../local/redis/proxy.js';
import { RedisServer } from '../../local/redis/server.js';
import { measure, tracker } from '../support/measure-kit.js';

const { track, stopAll } = tracker();
afterEach(stopAll);

/** One monitor interval and a loaded machine's lateness (as timeToPromoteMs: +0…+150 ms). */
const LATE_MS = 150;
const MONITOR_MS = 20;

describe('lag figures against a held link and a known promotion', () => {
  it('dates the writes a held replication link lost, and the lag the replica showed before the cut', async () => {
    // Prepare: the replica replicates through `link`; the writer and its monitor reach the primary through `front`
    const primary = track(await RedisServer.start({ name: 'figlag-primary' }));
    const link = track(await FaultProxy.start({ target: primary.endpoint }));
    const replica = track(
      await RedisServer.start({ name: 'figlag-replica', replicaOf: { host: link.host, port: link.port } }),
    );
    const front = track(await FaultProxy.start({ target: primary.endpoint }));
    const at = { held: 0, cut: 0, cutHeld: 0, reached: 0 };

    // Act: hold the link, cut the writer's path 500 ms later, promote the replica and open the path to it
    const { report, summary, zeroMs } = await measure(
      { endpoint: `redis://${front.host}:${front.port}` },
      { rate: 1000, settleMs: 500, baselineMs: 300, maxDurationMs: 20_000, monitorIntervalMs: MONITOR_MS },
      async () => {
        at.held = performance.now();
        link.hold();
        await sleep(500);
        at.cut = performance.now();
        front.blackhole();
        at.cutHeld = performance.now();
        await sleep(200);
        await replica.call('REPLICAOF', 'NO', 'ONE');
        front.retarget(replica.endpoint);
        at.reached = performance.now();
        front.heal();
      },
    );

    // Assess: every moment in writer ms; a stalled event loop reads replies (acknowledgements) that late
    const [held, cut, reached] = [at.held - zeroMs, at.cut - zeroMs, at.reached - zeroMs];
    const stall = summary.precision!.eventLoopDelayMs.max;
    const window = report.dataLossWindow;
    const lag = report.failover.replicationLag!;
    console.log(
      `held ${held.toFixed(1)}, cut ${cut.toFixed(1)}, reached ${reached.toFixed(1)} ms → lost ${report.writes.lost}, ages ${window.maxAgeAtPromotionMs}…${window.minAgeAtPromotionMs} ms, lag ${JSON.stringify(lag)}, stall ${stall} ms`,
    );
    expect(report.failover.to).toBe((await replica.info('server')).run_id);
    // Lost: the writes acknowledged between the hold and the cut (~1 per ms), every one dated.
    expect(report.writes.lost).toBeGreaterThan(0.5 * (cut - held));
    expect(window).toMatchObject({ undated: 0, dated: report.writes.lost });
    // The first lost write was applied after the hold, so acknowledged after it; a write applied before it
    // may be acknowledged after it (a round trip, or a stall). The last one was acknowledged at the cut.
    expect(window.firstLostAckMs!).toBeGreaterThanOrEqual(held - 1);
    expect(window.firstLostAckMs!).toBeLessThanOrEqual(held + stall + 5);
    expect(window.lastLostAckMs!).toBeLessThanOrEqual(cut + stall + 1);
    expect(window.lastLostAckMs!).toBeGreaterThanOrEqual(cut - stall - 5);
    // The promotion is the first sample showing the replica as primary: no sooner than the path to it
    // opened, within the monitor's lateness after. The ages at promotion count from it.
    const promotedAt = report.failover.timeToPromoteMs! + report.downtime.startMs!;
    expect(promotedAt).toBeGreaterThanOrEqual(reached);
    expect(promotedAt - reached).toBeLessThanOrEqual(LATE_MS);
    expect(window.maxAgeAtPromotionMs).toBeCloseTo(promotedAt - window.firstLostAckMs!, 0);
    expect(window.minAgeAtPromotionMs).toBeCloseTo(promotedAt - window.lastLostAckMs!, 0);
    expect(window.maxAgeAtPromotionMs!).toBeGreaterThanOrEqual(reached - held - stall - 5);
    expect(window.maxAgeAtPromotionMs!).toBeLessThanOrEqual(reached - held + LATE_MS + 1);
    expect(window.minAgeAtPromotionMs!).toBeGreaterThanOrEqual(reached - cut - stall - 1);
    for (const write of window.lostWrites)
      expect(write.ageAtPromotionMs).toBeCloseTo(promotedAt - write.ackMs, 0);
    // The replica's lag at its last sample before the cut: every write since the hold, as old as the hold.
    // A sample under way at the cut still finishes: it listed its candidates before, and its EXISTS rounds
    // go to the replica, which the cut does not reach (atMs is its last round, seen 0.36 ms after the cut
    // under stress-ng). So the sample is within a loaded machine's lateness of the cut, either side.
    expect(lag.atMs).toBeLessThanOrEqual(at.cutHeld - zeroMs + LATE_MS);
    expect(lag.atMs).toBeGreaterThanOrEqual(cut - LATE_MS);
    expect(lag.behind).toBeLessThanOrEqual(report.writes.lost);
    const acknowledgedPerMs = report.writes.lost / (window.lastLostAckMs! - window.firstLostAckMs!);
    // The sample lists its candidates before its reads (atMs is its last read): one interval's writes short.
    // None is acknowledged after the cut.
    const listedBy = Math.min(lag.atMs, cut);
    expect(lag.behind).toBeGreaterThanOrEqual(acknowledgedPerMs * (listedBy - held - MONITOR_MS) - 5);
    // lagMs is the median of the last three samples (one interval apart): as old as the hold, less ≤ 2 samples.
    expect(lag.lagMs).toBeLessThanOrEqual(lag.atMs - held + stall + 5);
    expect(lag.lagMs).toBeGreaterThanOrEqual(lag.atMs - held - 2 * MONITOR_MS - LATE_MS - stall);
  });
});
