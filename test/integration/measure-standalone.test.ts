/**
 * The measurement engine against real redis-server processes and the fault proxy: every figure is
 * compared with the truth the test injected or read from the servers directly.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { DowntimeBounds } from '../../functions/core/measure/timings.js';
import { FaultProxy } from '../../local/redis/proxy.js';
import { RedisServer } from '../../local/redis/server.js';
import { measure, seqSet, seqsOn, testTracker, until } from '../support/measure-kit.js';

const url = (proxy: FaultProxy) => `redis://${proxy.host}:${proxy.port}`;

// Each case has its own servers and proxies and waits on its writer's and fault's timers: the cases run
// concurrently. Where a figure depends on the event loop's promptness, the report states how long the loop
// was held, and the bounds already allow for it.
describe.concurrent('measurement against injected truth', () => {
  it('measures a blackhole of known length on the path to the primary as its downtime', async ({
    onTestFinished,
  }) => {
    // Prepare
    const track = testTracker(onTestFinished);
    const primary = track(await RedisServer.start({ name: 'bh-primary' }));
    const proxy = track(await FaultProxy.start({ target: primary.endpoint }));
    let injectedMs = 0;
    // Act
    const { report, deleted } = await measure(
      { endpoint: url(proxy) },
      { rate: 1000, settleMs: 500, baselineMs: 300, maxDurationMs: 20_000 },
      async () => {
        const began = performance.now();
        proxy.blackhole();
        await sleep(800);
        proxy.heal();
        injectedMs = performance.now() - began;
      },
    );
    // Assess
    // How long the probe's event loop was held around the disruption: its figures may be off by that much.
    const heldMs = report.probe.precision!.boundsWidenedByMs;
    console.log(
      `blackhole ${injectedMs.toFixed(1)} ms → downtime ${report.downtime.ms} ms (loop held ≤ ${heldMs} ms)`,
    );
    expect(report.downtime.complete).toBe(true);
    // Idle, the error is +4…+12 ms (reconnect, one write interval; see docs/measurement.md). The bound is the
    // acceptance window of issue 4: on 2 cores busy with the rest of the suite, the event loop's own
    // delay adds to it (seen: +67 ms), and that is the machine, not the measurement: the report states how
    // long the loop was held, and that its figures may be off by that much.
    // `ms` may fall short of the truth by however late the last ok's reply was read (a loaded machine: a
    // few ms); the bounds may not.
    expect(injectedMs).toBeLessThanOrEqual(report.downtime.bounds!.maxMs!);
    expect(report.downtime.ms - injectedMs).toBeGreaterThanOrEqual(-10);
    expect(report.downtime.ms - injectedMs).toBeLessThanOrEqual(100 + heldMs);
    expect(report.writes).toMatchObject({ lost: 0, unexpected: 0, failedButPresent: 0 });
    expect(report.verdict).toBe('pass');
    expect(deleted).toBe(report.writes.acknowledged + report.writes.recovered);
  });

  it('holds every injected outage within the downtime bounds, at the default settings', async ({
    onTestFinished,
  }) => {
    // Prepare
    const track = testTracker(onTestFinished);
    const primary = track(await RedisServer.start({ name: 'bounds-primary' }));
    const proxy = track(await FaultProxy.start({ target: primary.endpoint }));
    const rounds: { truth: [number, number]; bounds: DowntimeBounds | null; errorMs: number }[] = [];
    // Act: three blackholes of 1.5 s, each a run of its own; the proxy runs in this process, on the
    // writer's clock
    for (let round = 0; round < 3; round++) {
      let truth: [number, number] = [0, 0];
      const { report, zeroMs } = await measure(
        { endpoint: url(proxy) },
        { settleMs: 300, maxDurationMs: 20_000 },
        async () => {
          const began = performance.now();
          proxy.blackhole();
          await sleep(1500);
          truth = [began, performance.now()];
          proxy.heal();
        },
      );
      truth = [truth[0] - zeroMs, truth[1] - zeroMs];
      rounds.push({
        truth,
        bounds: report.downtime.bounds,
        errorMs: report.downtime.ms - (truth[1] - truth[0]),
      });
    }
    // Assess: always inside, however loaded the machine (the bounds follow from causality, not timing)
    console.log(JSON.stringify(rounds));
    for (const { truth, bounds: b } of rounds) {
      if (!b || b.start.from === null || b.end.to === null || b.maxMs === null)
        throw new Error(`open bounds: ${JSON.stringify(b)}`);
      expect(b.start.from).toBeLessThanOrEqual(truth[0]);
      expect(truth[0]).toBeLessThanOrEqual(b.start.to);
      expect(b.end.from).toBeLessThanOrEqual(truth[1]);
      expect(truth[1]).toBeLessThanOrEqual(b.end.to);
      expect(b.minMs).toBeLessThanOrEqual(truth[1] - truth[0]);
      expect(truth[1] - truth[0]).toBeLessThanOrEqual(b.maxMs);
    }
  });

  it('loses nothing in a graceful handover (FAILOVER)', async ({ onTestFinished }) => {
    // Prepare
    const track = testTracker(onTestFinished);
    const primary = track(await RedisServer.start({ name: 'fo-primary' }));
    const replica = track(await RedisServer.start({ name: 'fo-replica', replicaOf: primary.endpoint }));
    const front = track(await FaultProxy.start({ target: primary.endpoint }));
    // Act
    const { report, summary } = await measure(
      { endpoint: url(front) },
      { rate: 1000, settleMs: 500, baselineMs: 300, maxDurationMs: 20_000 },
      async () => {
        await primary.call('FAILOVER');
        await until(
          'the old primary to be demoted',
          async () => (await primary.info('replication')).role === 'slave',
        );
        await sleep(100); // the demoted primary answers READONLY for a while
        front.retarget(replica.endpoint);
      },
    );
    // Assess
    expect(report.writes).toMatchObject({ lost: 0, unexpected: 0, failedButPresent: 0 });
    expect(report.writes.failed).toBeGreaterThan(0);
    expect(summary.errors.READONLY).toBeGreaterThan(0);
    expect(report.disruption.observed).toBe(true);
    expect(report.failover.to).toBe((await replica.info('server')).run_id);
    expect(report.verdict).toBe('pass');
  });

  it('counts writes a demoted primary refuses with READONLY as failed, not lost', async ({
    onTestFinished,
  }) => {
    // Prepare
    const track = testTracker(onTestFinished);
    const primary = track(await RedisServer.start({ name: 'ro-primary' }));
    const replica = track(await RedisServer.start({ name: 'ro-replica', replicaOf: primary.endpoint }));
    const front = track(await FaultProxy.start({ target: primary.endpoint }));
    // Act
    const { report, summary, verification } = await measure(
      { endpoint: url(front) },
      { rate: 1000, settleMs: 500, baselineMs: 300, maxDurationMs: 20_000 },
      async () => {
        front.hold(); // writes wait in the proxy while the roles swap underneath
        const offset = async (server: RedisServer) =>
          Number((await server.info('replication')).master_repl_offset);
        await until(
          'the replica to catch up',
          async () => (await offset(replica)) === (await offset(primary)),
        );
        await replica.call('REPLICAOF', 'NO', 'ONE');
        await primary.call('REPLICAOF', replica.host, replica.port);
        front.release(); // the held writes reach the demoted primary: READONLY
        await sleep(300);
        front.retarget(replica.endpoint);
      },
    );
    // Assess
    expect(summary.errors.READONLY).toBeGreaterThan(0);
    expect(report.writes.failed).toBeGreaterThanOrEqual(summary.errors.READONLY!);
    expect(verification).toMatchObject({ lost: 0, failedButPresent: 0, unexpected: 0 });
    expect(report.verdict).toBe('pass');
  });

  // Alone, after the others: its premise is the ~300 writes a held link keeps from the replica in 300 ms,
  // and the writers beside it took that throughput from it on a loaded machine.
  it('counts as lost exactly the acknowledged writes the old primary applied and the promoted replica never got', {
    concurrent: false,
  }, async ({ onTestFinished }) => {
    // Prepare: the replica replicates through a proxy; the client writes through another
    const track = testTracker(onTestFinished);
    const primary = track(await RedisServer.start({ name: 'cut-primary' }));
    const link = track(await FaultProxy.start({ target: primary.endpoint }));
    const replica = track(
      await RedisServer.start({ name: 'cut-replica', replicaOf: { host: link.host, port: link.port } }),
    );
    const front = track(await FaultProxy.start({ target: primary.endpoint }));
    let truth = new Set<number>();
    let keyBase = '';
    // Act
    const { report, verification, ranges, summary } = await measure(
      { endpoint: url(front) },
      {
        rate: 1000,
        settleMs: 500,
        baselineMs: 300,
        maxDurationMs: 20_000,
        runId: 'cut-then-kill',
      },
      async () => {
        keyBase = 'failover-drill:cut-then-kill';
        link.hold(); // replication cut: the primary keeps acknowledging writes the replica never sees
        await sleep(300);
        front.blackhole(); // no more writes reach the primary; what is in flight is indeterminate
        await sleep(50);
        const [onPrimary, onReplica] = await Promise.all([
          seqsOn(primary, keyBase),
          seqsOn(replica, keyBase),
        ]);
        truth = new Set([...onPrimary].filter((seq) => !onReplica.has(seq)));
        await primary.kill();
        await replica.call('REPLICAOF', 'NO', 'ONE');
        front.retarget(replica.endpoint);
        front.heal();
      },
    );
    // Assess
    const lost = seqSet({ ...ranges, ok: verification.lostRanges }, 'ok');
    const indeterminate = seqSet(ranges, 'info');
    const notLost = [...truth].filter((seq) => !lost.has(seq));
    console.log(`truth ${truth.size}, lost ${report.writes.lost}, in flight ${notLost.length}`);
    expect(truth.size).toBeGreaterThan(100);
    expect([...lost].every((seq) => truth.has(seq))).toBe(true);
    expect(notLost.every((seq) => indeterminate.has(seq))).toBe(true);
    expect(notLost.length).toBeLessThanOrEqual(summary.concurrency);
    expect(report.writes.lost).toBe(truth.size - notLost.length);
    expect(report.writes).toMatchObject({ unexpected: 0, failedButPresent: 0 });
    expect(report.failover.from).not.toBe(report.failover.to);
    expect(report.failover.to).toBe((await replica.info('server')).run_id);
    expect(report.dataLossWindow.ms).toBeGreaterThan(250);
    expect(report.dataLossWindow.undated).toBe(0);
    expect(report.verdict).toBe('fail');
  });
});
