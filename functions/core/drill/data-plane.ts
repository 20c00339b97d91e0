import { readFileSync } from 'node:fs';
import { createRedisClient, describeEndpoint, type RedisClient } from '../../shared/redis-client.js';
import type { ClientTarget } from '../measure/clients/client.js';
import type { DrillTarget } from './guardrails.js';

/** The target's data-plane endpoint as the client takes it (and as reports show it: no credentials). */
export function targetEndpoint(target: DrillTarget): string {
  return describeEndpoint({ ...target.endpoint, tls: target.tls });
}

/**
 * Fail-fast clients for the drill's target, credentials from the function's environment
 * (REDIS_USERNAME, REDIS_PASSWORD; REDIS_TLS_CA_FILE for a private CA, as the local cloud has).
 */
export function dataPlaneClients(
  target: DrillTarget,
  env: NodeJS.ProcessEnv = process.env,
): () => RedisClient {
  const tlsCa = env.REDIS_TLS_CA_FILE ? readFileSync(env.REDIS_TLS_CA_FILE, 'utf8') : undefined;
  return () =>
    createRedisClient({
      endpoint: targetEndpoint(target),
      cluster: target.clusterMode,
      username: env.REDIS_USERNAME || undefined,
      password: env.REDIS_PASSWORD || undefined,
      tlsCa,
      connectionName: 'failover-drill',
    });
}

/** A client for one of the target's replicas by the address its primary lists (the replication lag sampler). */
export function dataPlaneReplicaClients(
  target: DrillTarget,
  env: NodeJS.ProcessEnv = process.env,
): (address: { host: string; port: number }) => RedisClient {
  const tlsCa = env.REDIS_TLS_CA_FILE ? readFileSync(env.REDIS_TLS_CA_FILE, 'utf8') : undefined;
  return (address) =>
    createRedisClient({
      endpoint: describeEndpoint({ ...address, tls: target.tls }),
      username: env.REDIS_USERNAME || undefined,
      password: env.REDIS_PASSWORD || undefined,
      tlsCa,
      connectionName: 'failover-drill',
    });
}

/** Where the client profiles connect, with the same credentials as the probe (never in a report). */
export function dataPlaneTarget(target: DrillTarget, env: NodeJS.ProcessEnv = process.env): ClientTarget {
  return {
    endpoint: targetEndpoint(target),
    cluster: target.clusterMode,
    username: env.REDIS_USERNAME || undefined,
    password: env.REDIS_PASSWORD || undefined,
    tlsCa: env.REDIS_TLS_CA_FILE ? readFileSync(env.REDIS_TLS_CA_FILE, 'utf8') : undefined,
  };
}
