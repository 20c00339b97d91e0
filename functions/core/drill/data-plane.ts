import { readFileSync } from 'node:fs';
import { createRedisClient, describeEndpoint, type RedisClient } from '../../shared/redis-client.js';
import { type RedisCredentials, withRedisCredentials } from '../../shared/redis-credentials.js';
import type { ClientTarget } from '../measure/clients/client.js';
import type { DrillTarget } from './guardrails.js';

/** The target's data-plane endpoint as the client takes it (and as reports show it: no credentials). */
export function targetEndpoint(target: DrillTarget): string {
  return describeEndpoint({ ...target.endpoint, tls: target.tls });
}

/** What the data-plane functions connect with: one set of credentials for the probe, replicas and profiles. */
export interface DataPlane {
  /** Fail-fast clients for the target. */
  createClient: () => RedisClient;
  /** A client for one of the target's replicas by the address its primary lists (the replication lag sampler). */
  createReplicaClient: (address: { host: string; port: number }) => RedisClient;
  /** Where the client profiles connect (never in a report). */
  clientTarget: ClientTarget;
}

/**
 * The data plane of `target` with `credentials`; a private CA from REDIS_TLS_CA_FILE (as the local cloud
 * has).
 */
export function dataPlane(
  target: DrillTarget,
  credentials: RedisCredentials,
  env: NodeJS.ProcessEnv = process.env,
): DataPlane {
  const tlsCa = env.REDIS_TLS_CA_FILE ? readFileSync(env.REDIS_TLS_CA_FILE, 'utf8') : undefined;
  const { username, password } = credentials;
  return {
    createClient: () =>
      createRedisClient({
        endpoint: targetEndpoint(target),
        cluster: target.clusterMode,
        username,
        password,
        tlsCa,
        connectionName: 'failover-drill',
      }),
    createReplicaClient: (address) =>
      createRedisClient({
        endpoint: describeEndpoint({ ...address, tls: target.tls }),
        username,
        password,
        tlsCa,
        connectionName: 'failover-drill',
      }),
    clientTarget: {
      endpoint: targetEndpoint(target),
      cluster: target.clusterMode,
      username,
      password,
      tlsCa,
    },
  };
}

/**
 * Runs `use` on the target's data plane, with the credentials of the function's secret (or environment).
 * When Redis refuses the password (WRONGPASS / NOAUTH), the secret is read once more and `use` runs again:
 * `use` must refuse before it changes anything when its first connection is refused, as waitUntilReady does.
 */
export function withDataPlane<T>(
  target: DrillTarget,
  use: (plane: DataPlane) => Promise<T>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  return withRedisCredentials((credentials) => use(dataPlane(target, credentials, env)), env);
}
