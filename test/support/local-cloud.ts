/**
 * Helpers for tests that drive the local cloud the way a user would: through the AWS SDK and a Redis
 * client. Used by this project's integration and end-to-end tests; not part of the emulator itself.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeEventsCommand, ElastiCacheClient, type Event } from '@aws-sdk/client-elasticache';
import { SNSClient } from '@aws-sdk/client-sns';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from '../../local/cloud.js';
import { handlerEnvironment } from '../../local/drill.js';
import type { Endpoint } from '../../local/elasticache/group.js';

/**
 * One local cloud for a test file's executions, run in-process with the handlers' environment pointed at it
 * and a report directory; stopped, the environment restored, the directory removed after the file.
 */
export function useLocalCloud(options: LocalCloudOptions = {}): { cloud: LocalCloud; dir: string } {
  const context = {} as { cloud: LocalCloud; dir: string };
  const saved = { ...process.env };
  beforeAll(async () => {
    context.dir = await mkdtemp(join(tmpdir(), 'local-cloud-'));
    context.cloud = await startLocalCloud(options);
    Object.assign(process.env, handlerEnvironment(context.cloud, context.dir, false));
    // The functions' INIT with that environment, as `emulator` and `local` do: not in a drill's baseline.
    await context.cloud.lambda.init();
  }, 60_000);
  afterAll(async () => {
    await context.cloud?.stop();
    process.env = saved;
    if (context.dir) await rm(context.dir, { recursive: true, force: true });
  });
  return context;
}

export interface SdkTarget {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** One attempt per call: a fault must surface as it is, not after the SDK's retries. */
export function elastiCacheClient(target: SdkTarget): ElastiCacheClient {
  return new ElastiCacheClient({ ...target, maxAttempts: 1 });
}

export function snsClient(target: SdkTarget): SNSClient {
  return new SNSClient({ ...target, maxAttempts: 1 });
}

/** Events of the last `minutes`, oldest first, every page. */
export async function allEvents(client: ElastiCacheClient, minutes = 60): Promise<Event[]> {
  const events: Event[] = [];
  let marker: string | undefined;
  for (let page = 0; page < 100; page++) {
    const out = await client.send(new DescribeEventsCommand({ Duration: minutes, Marker: marker }));
    events.push(...(out.Events ?? []));
    marker = out.Marker;
    if (!marker) break;
  }
  return events.reverse();
}

/** Polls DescribeEvents until an event's message matches; returns every event seen, oldest first. */
export async function waitForEvent(
  client: ElastiCacheClient,
  match: RegExp,
  timeoutMs = 30_000,
): Promise<Event[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await allEvents(client);
    if (events.some((e) => match.test(e.Message ?? ''))) return events;
    if (Date.now() > deadline) throw new Error(`no event matching ${match} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

export interface RedisAuth {
  password?: string;
  username?: string;
  tls?: { ca: string };
}

/** A fail-fast client on one address (the caller disconnects it). */
export function redisClient(endpoint: Endpoint, auth: RedisAuth = {}): Redis {
  const client = new Redis({
    host: endpoint.host,
    port: endpoint.port,
    username: auth.username,
    password: auth.password,
    tls: auth.tls ? { ca: auth.tls.ca } : undefined,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    commandTimeout: 2000,
    retryStrategy: () => null,
  });
  client.on('error', () => {}); // failures surface as rejected commands
  return client;
}

/** `ROLE` of whatever answers at `endpoint`: master, slave (with its primary's port) or the error. */
export async function roleAt(
  endpoint: Endpoint,
  auth: RedisAuth = {},
): Promise<{ role: string; primaryPort?: number; linkState?: string }> {
  const client = redisClient(endpoint, auth);
  try {
    await client.connect();
    const reply = (await client.call('ROLE')) as [string, ...unknown[]];
    if (reply[0] === 'slave') {
      return { role: 'slave', primaryPort: Number(reply[2]), linkState: String(reply[3]) };
    }
    return { role: reply[0] };
  } finally {
    client.disconnect();
  }
}

/** The SDK exception's name and HTTP status of a call that must fail. */
export async function faultOf(call: Promise<unknown>): Promise<[string, number | undefined]> {
  try {
    await call;
  } catch (error) {
    const e = error as { name: string; $metadata?: { httpStatusCode?: number } };
    return [e.name, e.$metadata?.httpStatusCode];
  }
  throw new Error('expected the call to fail');
}

/** The five events AWS documents for a test failover, oldest first, as [SourceType, SourceIdentifier, Message]. */
export function documentedFailoverEvents(
  groupId: string,
  nodeGroupId: string,
  from: string,
  to: string,
): [string, string, string][] {
  const completed = `Failover from primary node ${from} to replica node ${to} completed`;
  return [
    ['replication-group', groupId, `Test Failover API called for node group ${nodeGroupId}`],
    ['cache-cluster', to, completed],
    ['replication-group', groupId, completed],
    ['cache-cluster', from, 'Recovering cache nodes 0001'],
    ['cache-cluster', from, 'Finished recovery for cache nodes 0001'],
  ];
}

/** Events since `t0`, oldest first, as [SourceType, SourceIdentifier, Message]. */
export function eventTuples(events: Event[], t0: Date): [string?, string?, string?][] {
  return events.filter((e) => e.Date! >= t0).map((e) => [e.SourceType, e.SourceIdentifier, e.Message]);
}
