/**
 * `measure --durability` (issue 23): an observe-only run declares a durable group's promise, with no
 * control plane to ask, and the report judges it. The injected truth: a failover the test makes — the
 * primary killed, a replica behind a 300 ms delay line promoted — loses the writes of that window, which
 * a declared sync promise cannot allow. Bad values are refused by name, exit 2, nothing written.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultProxy } from '../../local/redis/proxy.js';
import { RedisServer } from '../../local/redis/server.js';
import { runMeasureCli, trackedTempDir, tracker, until } from '../support/measure-kit.js';

const { track, stopAll } = tracker();
afterEach(stopAll);

const measureCli = (args: string[], json: string) => runMeasureCli(track, args, json);

describe('failover-drill measure --durability', () => {
  it('fails a declared sync promise that a lossy failover broke, naming it (exit 1)', async () => {
    // Prepare: a primary, a replica 300 ms behind it, an endpoint the test moves
    const primary = track(await RedisServer.start({ name: 'durable-primary' }));
    const line = track(await FaultProxy.start({ target: primary.endpoint }));
    const replica = track(await RedisServer.start({ name: 'durable-replica', replicaOf: line }));
    line.delay(300, 'toClient');
    const endpoint = track(await FaultProxy.start({ target: primary.endpoint }));
    const json = join(await trackedTempDir(track), 'report.json');
    const args = [
      '--endpoint',
      `redis://${endpoint.host}:${endpoint.port}`,
      '--rate',
      '500',
      '--settle',
      '0.5',
    ];
    args.push('--max-duration', '30', '--max-lost-writes', '100000', '--durability', 'sync');

    // Act: the failover, after a second of writes
    const { done } = measureCli(args, json);
    await until('writes to flow', async () => Number(await primary.call('DBSIZE')) > 300, 20_000);
    await sleep(300);
    // The line's 300 ms of stream dies with the primary, in the tick of the SIGKILL (serverCrashed): its
    // FIN can come late on a loaded machine, and the line would drain meanwhile.
    const killed = primary.kill();
    line.serverCrashed();
    await killed;
    await replica.call('REPLICAOF', 'NO', 'ONE');
    endpoint.retarget(replica.endpoint);
    const { code, report, output } = await done;

    // Assess: the thresholds let any loss pass; the promise does not
    expect(code, output).toBe(1);
    expect(report.writes.lost).toBeGreaterThan(0);
    expect(report).toMatchObject({
      verdict: 'fail',
      durability: { effective: 'sync', source: 'declared', kept: false, metrics: null },
    });
    expect(report.violations).toEqual([
      expect.objectContaining({
        threshold: 'durability',
        actual: report.writes.lost,
        message: expect.stringMatching(/^durability promise broken \(sync: no acknowledged write is lost\)/),
      }),
    ]);
    expect(output).toMatch(/durability {7}sync \(declared\): .* — BROKEN/);
  });

  it('refuses a mode AWS does not know and a buffer without async, by name, exit 2', async () => {
    // Prepare
    const primary = track(await RedisServer.start({ name: 'durable-refused' }));
    const dir = await trackedTempDir(track);
    const cases = [
      ['--endpoint', primary.url, '--durability', 'strong'],
      ['--endpoint', primary.url, '--durability', 'sync', '--durability-buffer-ms', '5000'],
    ];

    // Act
    const results = await Promise.all(cases.map((args, i) => measureCli(args, join(dir, `${i}.json`)).done));

    // Assess
    expect(results.map((r) => [r.code, r.report.error?.name, r.report.error?.message])).toEqual([
      [2, 'DrillInputError', "--durability must be one of sync, async, got 'strong'"],
      [2, 'DrillInputError', '--durability-buffer-ms needs --durability async'],
    ]);
    expect(Number(await primary.call('DBSIZE'))).toBe(0);
  });
});
