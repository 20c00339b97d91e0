/**
 * A refused password stops the writer before its first write, by name (RedisAuthError), with nothing written:
 * the drill then fails before its fault.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWriter } from '../../functions/core/measure/writer.js';
import { RedisAuthError } from '../../functions/shared/errors.js';
import { createRedisClient } from '../../functions/shared/redis-client.js';
import { RedisServer } from '../../local/redis/server.js';
import { createTlsFiles } from '../../local/redis/tls.js';
import { trackedTempDir, tracker } from '../support/measure-kit.js';

const { track, stopAll } = tracker();
afterAll(stopAll);

const USER = 'drill-user';
let server: RedisServer;
let tlsCa: string;
beforeAll(async () => {
  const tls = await createTlsFiles(await trackedTempDir(track));
  tlsCa = await readFile(tls.caFile, 'utf8');
  server = track(
    await RedisServer.start({
      name: 'writer-auth',
      tls,
      password: 'admin-password',
      aclUsers: [`${USER} on >right-password ~failover-drill:* +@all`],
    }),
  );
});

describe('the writer with credentials the server refuses', () => {
  for (const [what, username, password] of [
    ['a wrong password of an ACL user', USER, 'wrong-password'],
    ['no password at all', undefined, undefined],
  ] as const)
    it(`${what}: RedisAuthError before any write, nothing written`, async () => {
      // Prepare
      const createClient = () =>
        createRedisClient({
          endpoint: server.url,
          username,
          password,
          tlsCa,
          connectionName: 'failover-drill',
        });

      // Act
      const run = runWriter(
        { runId: 'refused', endpoint: server.url, rate: 200, maxDurationMs: 5_000, ttlSeconds: 60 },
        { createClient },
      );

      // Assess
      await expect(run).rejects.toBeInstanceOf(RedisAuthError);
      expect(await server.call('DBSIZE')).toBe(0);
    });
});
