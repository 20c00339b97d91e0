/** Shared by the client-profile tests: run profiles through a fault proxy, verify on the server itself. */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { clientFigures } from '../../functions/core/measure/clients/figures.js';
import type { ClientProfile } from '../../functions/core/measure/clients/profile.js';
import {
  deleteProfileKeys,
  verifyClientProfiles,
} from '../../functions/core/measure/clients/profile-verify.js';
import { runClientProfiles } from '../../functions/core/measure/clients/run.js';
import { decodeTimeline } from '../../functions/core/measure/timeline.js';
import { createRedisClient } from '../../functions/shared/redis-client.js';
import type { FaultProxy } from '../../local/redis/proxy.js';
import type { RedisServer } from '../../local/redis/server.js';

const url = (listener: { host: string; port: number }) => `redis://${listener.host}:${listener.port}`;

/**
 * Runs the profiles through the proxy, `scenario` after a baseline, then verifies on the server itself.
 * `reference()`: the epoch ms the figures count from (T0), read once the scenario has run; none: the start.
 */
export async function drive(
  profiles: ClientProfile[],
  proxy: FaultProxy,
  server: RedisServer,
  scenario: () => Promise<void>,
  options: { rate?: number; settleMs?: number; drainMs?: number; reference?: () => number } = {},
) {
  const controller = new AbortController();
  const runId = `p${Date.now().toString(36)}`;
  let started = 0;
  const running = runClientProfiles(
    profiles,
    {
      runId,
      prefix: 'failover-drill',
      cluster: false,
      rate: options.rate ?? 200,
      ttlSeconds: 600,
      drainMs: options.drainMs,
    },
    { endpoint: url(proxy), cluster: false },
    controller.signal,
    { onStarted: () => started++ },
  );
  // Every client connected (GLIDE loads a native module first), then a baseline of writes.
  while (started < profiles.length) await sleep(10);
  await sleep(300);
  await scenario();
  await sleep(options.settleMs ?? 1000);
  controller.abort();
  const runs = await running;
  for (const run of runs) expect(run.error).toBeUndefined();
  const createClient = () => createRedisClient({ endpoint: url(server) });
  const verifications = await verifyClientProfiles(runs, { createClient });
  const { deleted } = await deleteProfileKeys(runs, { createClient });
  const figures = runs.map((run, i) => ({
    ...clientFigures(run, verifications[i], options.reference?.() ?? null),
    timeline: decodeTimeline(run.timeline!),
  }));
  const sum = (values: number[]) => values.reduce((a, v) => a + v, 0);
  for (const f of figures) {
    // Every write has one outcome, and every key written is gone afterwards.
    expect(f.writes.acknowledged + f.writes.failed + f.writes.indeterminate).toBe(f.writes.attempted);
    expect(f.writes.recovered + f.writes.indeterminateAbsent).toBe(f.writes.indeterminate);
    // The profile's lane in the charts adds up to its totals, outcome by outcome.
    expect(sum(f.timeline.ok), f.name).toBe(f.writes.acknowledged);
    expect(sum(f.timeline.fail), f.name).toBe(f.writes.failed);
    expect(sum(f.timeline.info), f.name).toBe(f.writes.indeterminate);
  }
  const present = figures.reduce(
    (n, f) => n + f.writes.acknowledged - f.writes.lost + f.writes.recovered + f.writes.failedButPresent,
    0,
  );
  expect(deleted).toBe(present);
  expect(Number(await server.call('DBSIZE'))).toBe(0);
  return figures;
}
