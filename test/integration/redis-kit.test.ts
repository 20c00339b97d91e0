import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Cluster } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisCluster, slotRanges } from '../../local/redis/cluster.js';
import { RedisServer, RedisServerMissingError } from '../../local/redis/server.js';
import { alive } from '../support/process.js';

const started: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

describe('RedisServer', () => {
  it('starts a primary and a replica that replicates it', async () => {
    // Prepare
    const primary = await RedisServer.start({ name: 'primary' });
    started.push(primary);
    const replica = await RedisServer.start({ name: 'replica', replicaOf: primary.endpoint });
    started.push(replica);

    // Act
    await primary.call('SET', 'k', 'v');
    await primary.call('WAIT', 1, 1000);

    // Assess
    expect(await replica.call('GET', 'k')).toBe('v');
    expect((await replica.info('replication')).role).toBe('slave');
    expect((await primary.info('replication')).connected_slaves).toBe('1');
  });

  it('comes back after a crash on the same port as a replica of another node', async () => {
    // Prepare
    const a = await RedisServer.start({ name: 'a' });
    const b = await RedisServer.start({ name: 'b' });
    started.push(a, b);
    await b.call('SET', 'from-b', '1');

    // Act
    await a.kill();
    const crashed = !a.running;
    await a.restart({ replicaOf: b.endpoint });

    // Assess
    expect(crashed).toBe(true);
    expect(a.running).toBe(true);
    expect(await a.call('GET', 'from-b')).toBe('1');
  });

  it('never takes a neighbour answering on its port for itself', async () => {
    // Prepare: a server already listening where the next one is told to start (two tests handed the
    // same free port): the newcomer's PING would be answered by the neighbour before it fails to bind.
    const neighbour = await RedisServer.start({ name: 'neighbour' });
    started.push(neighbour);

    // Act
    const starting = RedisServer.start({ name: 'newcomer', port: neighbour.port });

    // Assess
    await expect(starting).rejects.toThrow(/Address already in use/);
    expect(await neighbour.call('PING')).toBe('PONG');
  });

  it('serves AUTH and ACL users', async () => {
    // Prepare
    const server = await RedisServer.start({ password: 's3cret', aclUsers: ['app on >apppass ~* +@all'] });
    started.push(server);
    const app = server.client();
    app.options.username = 'app';
    app.options.password = 'apppass';

    // Act
    await app.connect();
    const who = await app.call('ACL', 'WHOAMI');
    app.disconnect();

    // Assess
    expect(who).toBe('app');
  });

  it('names the missing redis-server instead of failing obscurely', async () => {
    // Prepare
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';

    // Act
    const attempt = RedisServer.start().catch((error: unknown) => error);
    const error = await attempt;
    process.env.PATH = path;

    // Assess
    expect(error).toBeInstanceOf(RedisServerMissingError);
    expect((error as Error).message).toMatch(/apt-get install redis-server/);
  });

  it('kills the processes of a parent that died without cleaning up', async () => {
    // Prepare
    const fixture = fileURLToPath(new URL('../support/fixtures/orphan-redis.ts', import.meta.url));
    const parent = spawn(process.execPath, ['--import', 'tsx', fixture], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(parent.stdout, 'data')) as [Buffer];
    const pid = Number(line.toString().trim());
    const wasAlive = alive(pid);

    // Act
    parent.kill('SIGKILL');
    await once(parent, 'exit');
    for (let i = 0; i < 50 && alive(pid); i++) await sleep(50);

    // Assess
    expect(wasAlive).toBe(true);
    expect(alive(pid)).toBe(false);
  });
});

describe('RedisCluster', () => {
  it('forms 3 shards × 1 replica that serve keys in every slot range', async () => {
    // Prepare
    const cluster = await RedisCluster.start({ shards: 3, replicas: 1 });
    started.push(cluster);
    const client = new Cluster([cluster.nodes[0]!.endpoint], { lazyConnect: true });

    // Act
    await client.connect();
    for (let i = 0; i < 100; i++) await client.set(`key:${i}`, String(i));
    const values = await Promise.all(Array.from({ length: 100 }, (_, i) => client.get(`key:${i}`)));
    const slots = (await client.cluster('SHARDS')) as unknown[];
    client.disconnect();

    // Assess
    expect(values).toEqual(Array.from({ length: 100 }, (_, i) => String(i)));
    expect(slots).toHaveLength(3);
    expect(cluster.shards.map((s) => s.slots)).toEqual(slotRanges(3));
    for (const shard of cluster.shards)
      expect((await shard.nodes[1]!.info('replication')).role).toBe('slave');
  });
});
