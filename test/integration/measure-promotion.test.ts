/**
 * The failover's timings against a known promotion moment: real redis-server processes behind the fault
 * proxy, a replica promoted while the path is cut, and the path healed at a moment the test notes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultProxy } from '../../local/redis/proxy.js';
import { RedisServer } from '../../local/redis/server.js';
import { measure, tracker } from '../support/measure-kit.js';

const { track, stopAll } = tracker();
afterEach(stopAll);

describe('failover timings against a known promotion moment', () => {
  it('times the promotion and the first write from the moment the promoted replica became reachable', async () => {
    // Prepare: the writer and its monitor reach the primary through `front`
    const primary = track(await RedisServer.start({ name: 'promo-primary' }));
    const replica = track(await RedisServer.start({ name: 'promo-replica', replicaOf: primary.endpoint }));
    const front = track(await FaultProxy.start({ target: primary.endpoint }));
    let cutAt = 0;
    let healedAt = 0;

    // Act: cut the path, promote the replica behind it, then open the path to it alone
    const { report, zeroMs, summary } = await measure(
      { endpoint: `redis://${front.host}:${front.port}` },
      { rate: 1000, settleMs: 500, baselineMs: 300, maxDurationMs: 20_000 },
      async () => {
        cutAt = performance.now();
        front.blackhole();
        await sleep(300);
        await replica.call('REPLICAOF', 'NO', 'ONE');
        front.retarget(replica.endpoint);
        healedAt = performance.now();
        front.heal();
      },
    );

    // Assess: the truth, in writer ms, counted from the disruption's start as `measure` counts
    const truthMs = healedAt - cutAt;
    const { timeToPromoteMs, timeToFirstSuccessfulWriteMs, reference } = report.failover;
    // How long the probe's event loop was held around the disruption: its figures may be off by that much.
    const heldMs = report.probe.precision!.boundsWidenedByMs;
    console.log(
      `promoted reachable after ${truthMs.toFixed(1)} ms → timeToPromote ${timeToPromoteMs} ms, first write ${timeToFirstSuccessfulWriteMs} ms (loop held ≤ ${heldMs} ms)`,
    );
    expect(reference).toBe('disruptionStart');
    expect(report.failover.to).toBe((await replica.info('server')).run_id);
    // The reference is the last ok's acknowledgement. Its request passed before the cut: the blackhole drops
    // every request sent after it. Its reply, forwarded before the cut, is read once the event loop gets to
    // it: as late as the loop was held around the disruption (the probe's precision, to within its 1 ms tick).
    const referenceMs = report.downtime.startMs!;
    expect(summary.disruption!.lastOkStartMs).toBeLessThanOrEqual(cutAt - zeroMs);
    expect(referenceMs).toBeLessThanOrEqual(cutAt - zeroMs + 1 + heldMs);
    // No sample can see the new primary before the path to it opened; one comes within the monitor's
    // interval (50 ms) plus its reconnect, and a loaded machine's event loop (as downtime's +100 ms) plus
    // what the report says it was held.
    expect(timeToPromoteMs! + referenceMs).toBeGreaterThanOrEqual(healedAt - zeroMs);
    expect(timeToPromoteMs! - truthMs).toBeLessThanOrEqual(150 + heldMs);
    // The first write after the heal: an immediate reconnect (the client's first retry waits 0 ms), then at
    // once a write (the writer writes on ready) and its round trip, as downtime.ms (−10…+100 ms). A held
    // event loop delays each of those steps: the report states by how much its figures may be off.
    expect(timeToFirstSuccessfulWriteMs! - truthMs).toBeGreaterThanOrEqual(-10);
    expect(timeToFirstSuccessfulWriteMs! - truthMs).toBeLessThanOrEqual(100 + heldMs);
    expect(report.writes).toMatchObject({ lost: 0, unexpected: 0, failedButPresent: 0 });
  });
});
