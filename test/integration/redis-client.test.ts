/**
 * The probe's own client (functions/shared/redis-client.ts) against a primary demoted under it: READONLY
 * ends the connection once, however many writes were in flight, and again on the connection after it.
 */
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisClient, waitUntilReady } from '../../functions/shared/redis-client.js';
import { RedisServer } from '../../local/redis/server.js';
import { tracker } from '../support/measure-kit.js';

const { track, stopAll } = tracker();
afterAll(stopAll);

describe('the probe client on a demoted primary', () => {
  it('ends its connection once for a burst of READONLY replies, and again on the next connection', async () => {
    // Prepare: the endpoint's node becomes a replica while the client is connected to it
    const demoted = track(await RedisServer.start({ name: 'demoted' }));
    const other = track(await RedisServer.start({ name: 'promoted' }));
    const client = createRedisClient({ endpoint: `redis://${demoted.host}:${demoted.port}` });
    track({ stop: async () => client.disconnect() });
    await waitUntilReady(client, 5000);
    await demoted.call('REPLICAOF', other.host, String(other.port));
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    let closes = 0;
    client.on('close', () => closes++);

    // Act: 20 writes in flight meet READONLY together; then one more on the connection after
    const burst = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => client.set(`k${i}`, 'v')));
    await once(client, 'ready');
    const next = await client.set('k', 'v').catch((error: Error) => error);
    await once(client, 'ready');
    await new Promise((resolve) => setImmediate(resolve)); // a warning is emitted on the next tick
    process.off('warning', onWarning);

    // Assess
    expect(
      burst.map((r) => (r.status === 'rejected' ? (r.reason as Error).message.split(' ')[0] : r.status)),
    ).toEqual(Array(20).fill('READONLY'));
    expect((next as Error).message).toMatch(/^READONLY/);
    expect(closes).toBe(2);
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  });
});
