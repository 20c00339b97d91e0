/** `failover-drill measure` as a user runs it: a subprocess, a known outage injected by the test. */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultProxy } from '../../local/redis/proxy.js';
import { RedisServer } from '../../local/redis/server.js';
import {
  commandCalls,
  DEBUG_CONFIG,
  foreignChanges,
  lookAlikeKeys,
  plantForeign,
} from '../support/foreign-keys.js';
import { runMeasureCli, testTracker, trackedTempDir, tracker, until } from '../support/measure-kit.js';

const { track, stopAll } = tracker();
afterEach(stopAll);

const measureCli = (args: string[], json: string) => runMeasureCli(track, args, json);
const tempDir = () => trackedTempDir(track);

describe('failover-drill measure', () => {
  it('measures an outage injected while it runs, reports it, deletes its keys and exits 0', async () => {
    // Prepare
    const primary = track(await RedisServer.start({ name: 'cli-primary' }));
    const proxy = track(await FaultProxy.start({ target: primary.endpoint }));
    const json = join(await tempDir(), 'report.json');
    const args = ['--endpoint', `redis://${proxy.host}:${proxy.port}`, '--rate', '1000', '--settle', '0.5'];
    args.push('--max-duration', '30', '--max-downtime-ms', '5000');
    // Act
    const { done } = measureCli(args, json);
    await until('writes to flow', async () => Number(await primary.call('DBSIZE')) > 100, 20_000);
    const began = performance.now();
    proxy.blackhole();
    await sleep(600);
    proxy.heal();
    const injectedMs = performance.now() - began;
    const { code, report, output } = await done;
    // Assess
    console.log(`outage ${injectedMs.toFixed(1)} ms → downtime ${report.downtime.ms} ms`);
    expect(code, output).toBe(0);
    expect(report).toMatchObject({
      verdict: 'pass',
      failoverTriggered: false,
      disruption: { observed: true, cause: 'errors' },
      writes: { lost: 0, unexpected: 0, failedButPresent: 0 },
      violations: [],
    });
    // The bounds hold by causality (less the proxy's own heal(), timed with the outage here). `ms` falls
    // short of the truth by however late the last ok's reply was read, and overshoots it by the way back:
    // both grow with the machine's load (a few ms idle; tens of ms beside the whole suite).
    expect(report.downtime.bounds!.maxMs!).toBeGreaterThanOrEqual(injectedMs - 5);
    expect(report.downtime.ms - injectedMs).toBeGreaterThanOrEqual(-10);
    expect(report.downtime.ms - injectedMs).toBeLessThanOrEqual(100);
    expect(report.writes.acknowledged).toBeGreaterThan(100);
    expect(output).toMatch(/failover-drill measure: PASS/);
    expect(Number(await primary.call('DBSIZE'))).toBe(0);
  });

  it('beside two million foreign keys: exact figures, every foreign key intact, no SCAN, out soon after the stop', async () => {
    // Prepare: an application's database (DEBUG POPULATE) with keys that look like the run's
    const runId = 'cli-safe';
    const primary = track(await RedisServer.start({ name: 'cli-foreign', config: DEBUG_CONFIG }));
    const foreign = await plantForeign(primary, {
      populate: 2_000_000,
      lookAlikes: lookAlikeKeys('failover-drill', runId),
    });
    const proxy = track(await FaultProxy.start({ target: primary.endpoint }));
    await primary.call('CONFIG', 'RESETSTAT');
    const json = join(await tempDir(), 'report.json');
    const args = ['--endpoint', `redis://${proxy.host}:${proxy.port}`, '--run-id', runId, '--settle', '0.5'];
    args.push('--max-duration', '30');
    // Act
    const { child, done } = measureCli(args, json);
    let stoppedAt = 0;
    child.stderr.on('data', (chunk: Buffer) => {
      if (!stoppedAt && /stopping \(settled\)/.test(String(chunk))) stoppedAt = performance.now();
    });
    await until(
      'writes to flow',
      async () => Number(await primary.call('EXISTS', `failover-drill:${runId}:500`)) === 1,
      20_000,
    );
    proxy.blackhole();
    await sleep(1500);
    proxy.heal();
    const { code, report, output } = await done;
    const exitedAt = performance.now();
    // Assess
    console.log(`stop → exit ${(exitedAt - stoppedAt).toFixed(0)} ms; downtime ${report.downtime.ms} ms`);
    expect(code, output).toBe(0);
    expect(report.writes).toMatchObject({ lost: 0, unexpected: 0, failedButPresent: 0 });
    expect(report.writes.acknowledged + report.writes.failed + report.writes.indeterminate).toBe(
      report.writes.attempted,
    );
    expect(report.downtime.bounds!.maxMs).toBeGreaterThanOrEqual(1500);
    expect(await foreignChanges(primary, foreign)).toEqual([]);
    expect(await commandCalls(primary, 'scan')).toBe(0);
    expect(await commandCalls(primary, 'keys')).toBe(0);
    // Verify and Cleanup cost what the run wrote (~0.1 s here); the rest is the process closing down
    expect(stoppedAt).toBeGreaterThan(0);
    expect(exitedAt - stoppedAt).toBeLessThan(2000);
  });

  // The last two cases assert no timing: they run beside each other, each stopping what it started.
  it('reports an undisturbed run, and fails it when a disruption was required (exit 1)', {
    concurrent: true,
  }, async ({ onTestFinished }) => {
    // Prepare
    const track = testTracker(onTestFinished);
    const primary = track(await RedisServer.start({ name: 'cli-quiet' }));
    const json = join(await trackedTempDir(track), 'report.json');
    // Act
    const { done } = runMeasureCli(
      track,
      ['--endpoint', primary.url, '--max-duration', '1', '--require-disruption'],
      json,
    );
    const { code, report } = await done;
    // Assess
    expect(code).toBe(1);
    expect(report.disruption).toMatchObject({ observed: false });
    expect(report.disruption.note).toMatch(/^no disruption was observed/);
    expect(report.violations.map((v) => v.threshold)).toEqual(['requireDisruption']);
    expect(report.writes.lost).toBe(0);
    expect(report.writes.acknowledged).toBeGreaterThan(100);
  });

  it('refuses bad input with a named error and exit 2, touching nothing, JSON still written', {
    concurrent: true,
  }, async ({ onTestFinished }) => {
    // Prepare
    const track = testTracker(onTestFinished);
    const primary = track(await RedisServer.start({ name: 'cli-refused' }));
    const dir = await trackedTempDir(track);
    const cases = [
      ['--endpoint', 'http://127.0.0.1:6379'],
      ['--endpoint', primary.url, '--rate', '-5'],
      ['--endpoint', primary.url, '--no-such-flag'],
      ['--endpoint', primary.url, '--password', 'hunter2'],
      ['--endpoint', primary.url, '--password-env', 'NOT_SET_ANYWHERE'],
      ['--endpoint'],
    ];
    // Act
    const results = await Promise.all(
      cases.map((args, i) => runMeasureCli(track, args, join(dir, `${i}.json`)).done),
    );
    // Assess
    for (const { code, report, output } of results) {
      expect(code).toBe(2);
      expect(report.verdict).toBe('error');
      expect(report.error?.name).toBe('DrillInputError');
      expect(output).not.toMatch(/hunter2/);
      expect(JSON.stringify(report)).not.toMatch(/hunter2/);
    }
    expect(results.map((r) => r.report.error?.message)).toEqual([
      "endpoint must use redis:// or rediss://, got 'http:'",
      "--rate must be a number from 0 to 1000000, got '-5'",
      'unknown option --no-such-flag',
      'a password is never given as a flag value: use --password-env NAME or --password-file FILE',
      'environment variable NOT_SET_ANYWHERE is not set',
      '--endpoint needs a value',
    ]);
    expect(Number(await primary.call('DBSIZE'))).toBe(0);
  });
});
