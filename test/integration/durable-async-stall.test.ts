/**
 * The local async log's rejections on real processes (issue 23): a replication link held past the
 * durability buffer makes the primary endpoint answer every write with a cluster-down error until the
 * link catches up, and publishes TrafficManagementActive 1 while it does. Injected truth: the gate's own
 * count of rejected writes, and the stall's length.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { REJECTED_KIND } from '../../functions/core/measure/durability.js';
import { buildReport } from '../../functions/core/report/report.js';
import { emulateLog, type LogMetric, REJECTION_TEXT } from '../../local/elasticache/durability.js';
import { FaultProxy } from '../../local/redis/proxy.js';
import { RedisServer } from '../../local/redis/server.js';
import { measure, tracker } from '../support/measure-kit.js';

const { track, stopAll } = tracker();
afterEach(stopAll);

const BUFFER_MS = 400;
const STALL_MS = 1200;

describe('the local async log', () => {
  it('rejects every write while the log is stalled past the buffer: counted, named, none lost', async () => {
    // Prepare: the replica's link is the log; the writer writes through the primary endpoint
    const primary = track(await RedisServer.start({ name: 'async-primary' }));
    const link = track(await FaultProxy.start({ target: primary.endpoint }));
    track(
      await RedisServer.start({ name: 'async-replica', replicaOf: { host: link.host, port: link.port } }),
    );
    const front = track(await FaultProxy.start({ target: primary.endpoint }));
    const log = emulateLog({ mode: 'async', bufferMs: BUFFER_MS }, [{ link }], front);
    const options = { rate: 500, settleMs: 300, baselineMs: 300, maxDurationMs: 20_000 };

    // Act: the log stalls for 1.2 s, then catches up
    const { summary, verification } = await measure(
      { endpoint: `redis://${front.host}:${front.port}` },
      options,
      async () => {
        link.hold();
        await sleep(STALL_MS);
        link.release();
      },
    );
    // Into a fresh second after the log caught up, so that one second reads the gate open again.
    await sleep(1050 - (Date.now() % 1000));
    log.stop();
    const report = buildReport({
      summary,
      verification,
      durability: {
        setting: { configured: 'async', effective: 'async', source: 'declared', bufferMs: BUFFER_MS },
      },
    });

    // Assess: exactly the writes the gate rejected failed, under the cluster-down code, and none is present
    const rejected = front.rejectedWrites;
    expect(rejected).toBeGreaterThan(100);
    expect(summary.errors).toEqual({ [REJECTED_KIND]: rejected });
    expect(summary.errorSamples?.[REJECTED_KIND]).toBe(REJECTION_TEXT);
    expect(report.writes).toMatchObject({ failed: rejected, lost: 0, failedButPresent: 0 });
    expect(report.durability).toMatchObject({ kept: true, rejectedWrites: { count: rejected } });
    // They span the stall beyond the buffer (800 ms), to within the gate's 20 ms look and the load.
    const { firstMs, lastMs } = report.durability!.rejectedWrites;
    expect(lastMs! - firstMs!).toBeGreaterThanOrEqual(STALL_MS - BUFFER_MS - 100);
    expect(lastMs! - firstMs!).toBeLessThanOrEqual(STALL_MS - BUFFER_MS + 100);
    // What the log publishes for CloudWatch: every rejection once, and a lag past the buffer.
    const sum = (metric: LogMetric) => log.seconds(metric, 0, Date.now() + 1000).map((p) => p.value);
    expect(sum('DurabilityBufferExceededErrorCount').reduce((a, b) => a + b, 0)).toBe(rejected);
    expect(Math.max(...sum('DurabilityLag'))).toBeGreaterThan(BUFFER_MS);
    // TrafficManagementActive: 1 in every second a write was rejected, 0 once the log caught up.
    const traffic = sum('TrafficManagementActive');
    const exceeded = sum('DurabilityBufferExceededErrorCount');
    expect(exceeded.flatMap((n, i) => (n > 0 ? [traffic[i]] : []))).not.toContain(0);
    expect(Math.max(...traffic)).toBe(1);
    expect(traffic.at(-1)).toBe(0);
  });
});
