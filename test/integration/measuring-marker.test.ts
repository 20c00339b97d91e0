/**
 * The probe's measuring marker lands even when the primary refuses writes as the probe starts (an async
 * durable primary past its buffer, a failover under way): the fault branch waits for it, so a marker given
 * up on would fail a drill whose probe is measuring. Injected truth: a real redis-server that refuses every
 * write (min-replicas-to-write with no replica) until the test lifts the refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measuringSince, publishMeasuring } from '../../functions/core/measure/measuring-marker.js';
import { closeClient, createRedisClient } from '../../functions/shared/redis-client.js';
import { RedisServer } from '../../local/redis/server.js';
import { tracker } from '../support/measure-kit.js';

const { track, stopAll } = tracker();
afterAll(stopAll);

let server: RedisServer;
beforeAll(async () => {
  server = track(await RedisServer.start({ name: 'measuring-marker' }));
});

describe('the measuring marker', () => {
  it('is set once the primary takes writes again, and given up when the probe ends first', async () => {
    // Prepare: every write refused (NOREPLICAS)
    const admin = server.client();
    await admin.config('SET', 'min-replicas-to-write', '1');
    const client = createRedisClient({ endpoint: server.url });
    const ended = new AbortController();

    // Act: the refusal lifted 400 ms after the probe started
    const landed = publishMeasuring(client, 'failover-drill:measuring:run-1', 1234, ended.signal);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const beforeLift = await measuringSince(client, 'failover-drill:measuring:run-1');
    await admin.config('SET', 'min-replicas-to-write', '0');
    const attempts = await landed;
    const since = await measuringSince(client, 'failover-drill:measuring:run-1');
    // ...and a probe that ends while writes are still refused stops trying
    await admin.config('SET', 'min-replicas-to-write', '1');
    const abandoned = publishMeasuring(client, 'failover-drill:measuring:run-2', 5678, ended.signal);
    ended.abort();
    const abandonedAttempts = await abandoned;
    await admin.config('SET', 'min-replicas-to-write', '0');
    const never = await measuringSince(client, 'failover-drill:measuring:run-2');
    await closeClient(client);
    admin.disconnect();

    // Assess
    expect(beforeLift).toBeUndefined();
    expect(attempts).toBeGreaterThan(1);
    expect(since).toBe(1234);
    expect(abandonedAttempts).toBeUndefined();
    expect(never).toBeUndefined();
  });
});
