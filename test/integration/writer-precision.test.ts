/**
 * The probe's precision against real redis-server: the writer's event loop is held for a known time
 * just before an outage, and the report must say so — its event-loop delay and lateness cover the stall,
 * the downtime's bounds widen by it, and a finding says the figures are less precise than usual.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { LOOP_RESOLUTION_MS as TICK_MS } from '../../functions/core/measure/loop-delay.js';
import { holdEventLoop } from '../../functions/core/measure/stall.fixture.js';
import { downtimeOf } from '../../functions/core/measure/timings.js';
import { findingsOf } from '../../functions/core/report/findings.js';
import { formatReport } from '../../functions/core/report/report-text.js';
import { FaultProxy } from '../../local/redis/proxy.js';
import { RedisServer } from '../../local/redis/server.js';
import { measure, tracker } from '../support/measure-kit.js';

const { track, stopAll } = tracker();
afterEach(stopAll);

/** How long the test holds the event loop the writer shares with it. */
const STALL_MS = 50;
/**
 * More concurrency slots than the writes sent before the stall ends (about 570 at 1000/s), so that the
 * writes due during it have a free slot and their lateness is the stall's. With the default 16, a loaded
 * machine can leave 16 writes unanswered when the stall begins (the proxy forwards on this same event
 * loop): then no write could have been sent earlier, and its lateness rightly stays near 0.
 */
const SLOTS = 1024;

describe("the probe's precision", () => {
  it('reports an event-loop stall near the outage, widens the downtime’s bounds by it and says so', async () => {
    // Prepare
    const primary = track(await RedisServer.start({ name: 'precision-primary' }));
    const proxy = track(await FaultProxy.start({ target: primary.endpoint }));

    // Act: writes flow, the loop is held 50 ms, and 200 ms later the path to the primary is cut for 300 ms
    const { summary, report } = await measure(
      { endpoint: `redis://${proxy.host}:${proxy.port}` },
      { rate: 1000, concurrency: SLOTS, settleMs: 300, baselineMs: 300, maxDurationMs: 20_000 },
      async () => {
        holdEventLoop(STALL_MS);
        await sleep(200);
        proxy.blackhole();
        await sleep(300);
        proxy.heal();
      },
    );

    // Assess: the stall is in the whole run's figures and in those around the disruption
    const precision = report.probe.precision!;
    console.log(`stall ${STALL_MS} ms → precision ${JSON.stringify(precision)}`);
    expect(report.disruption.observed).toBe(true);
    expect(precision.eventLoopDelayMs.max).toBeGreaterThanOrEqual(STALL_MS - TICK_MS);
    expect(precision.maxLatenessMs).toBeGreaterThanOrEqual(STALL_MS - TICK_MS);
    expect(precision.aroundDisruption!.eventLoopDelayMaxMs).toBeGreaterThanOrEqual(STALL_MS - TICK_MS);
    expect(precision.boundsWidenedByMs).toBeGreaterThanOrEqual(STALL_MS - TICK_MS);
    // The bounds widen at each end by it; the downtime itself stays as measured
    const exact = downtimeOf(summary);
    const by = precision.boundsWidenedByMs;
    expect(report.downtime.ms).toBe(exact.ms);
    expect(report.downtime.bounds!.start.to).toBeCloseTo(exact.bounds!.start.to + by, 1);
    expect(report.downtime.bounds!.maxMs!).toBeCloseTo(exact.bounds!.maxMs! + 2 * by, 1);
    // The finding names the cause, and the printed report carries the figures
    const finding = findingsOf(report).find((f) => f.id === 'imprecise-probe');
    expect(finding?.title).toMatch(/less precise than usual because/);
    expect(formatReport(report, 'measure')).toMatch(
      /probe precision {2}event-loop delay p99 [\d.]+ \/ max [\d.]+ ms/,
    );
  });
});
