/** The ioredis adapter: an application's Redis or Cluster client built from a profile's plain options. */
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { disconnectForGood, waitUntilReady } from '../../../shared/redis-client.js';
import { classifyByName, type ErrorOutcome, sampled, unwrapClusterError } from '../outcomes.js';
import { type RedirectionKind, redirectionOfMessage } from '../redirections.js';
import { COUNTED_WRITE, hostPort, type OpenClient, replyCode } from './client.js';
import { type ClientProfile, retryDelay } from './profile.js';

type Options = Extract<ClientProfile, { library: 'ioredis' }>['options'];

/** Refused before anything was written (offline queue off). */
const NOT_SENT_TEXTS = ["Stream isn't writeable", "Cluster isn't ready"];

/**
 * Unlike the probe's classifier (which relies on the fail-fast client), an application's client may have
 * sent a command before it fails with 'Connection is closed.' or MaxRetriesPerRequestError: both are info.
 */
export function classifyIoredisError(error: unknown): ErrorOutcome {
  const { name, message } = unwrapClusterError(error);
  if (name === 'ReplyError') return { outcome: 'fail', kind: replyCode(message) };
  if (NOT_SENT_TEXTS.some((text) => message.startsWith(text)))
    return { outcome: 'fail', kind: 'NOT_CONNECTED' };
  if (message === 'Command timed out') return { outcome: 'info', kind: 'TIMEOUT' };
  if (name === 'MaxRetriesPerRequestError') return { outcome: 'info', kind: 'MAX_RETRIES' };
  if (message.startsWith('Connection is closed')) return { outcome: 'info', kind: 'CONNECTION_CLOSED' };
  return classifyByName(error);
}

/** The profile's options as ioredis takes them: policies become callbacks, unset stays ioredis' default. */
export function ioredisOptions(options: Options): { redis: RedisOptions; cluster: Partial<ClusterOptions> } {
  const { retryStrategy, reconnectOnError, maxRedirections, retryDelayOnFailover, retryDelayOnClusterDown } =
    options;
  const { retryDelayOnTryAgain, retryDelayOnMoved, slotsRefreshTimeout, slotsRefreshInterval } = options;
  const redis: RedisOptions = {};
  for (const key of [
    'connectTimeout',
    'commandTimeout',
    'maxRetriesPerRequest',
    'enableOfflineQueue',
    'enableReadyCheck',
    'autoResendUnfulfilledCommands',
    'enableAutoPipelining',
    'keepAlive',
    'noDelay',
  ] as const) {
    if (options[key] !== undefined) (redis as Record<string, unknown>)[key] = options[key];
  }
  const strategy = retryStrategy ? (times: number) => retryDelay(retryStrategy, times) : undefined;
  if (strategy) redis.retryStrategy = strategy;
  if (reconnectOnError) {
    const { errors, resend } = reconnectOnError;
    redis.reconnectOnError = (error: Error) =>
      errors.includes(replyCode(error.message)) ? (resend ? 2 : 1) : false;
  }
  const cluster: Partial<ClusterOptions> = {};
  const set = (key: keyof ClusterOptions, value: unknown) => {
    if (value !== undefined) (cluster as Record<string, unknown>)[key] = value;
  };
  set('maxRedirections', maxRedirections);
  set('retryDelayOnFailover', retryDelayOnFailover);
  set('retryDelayOnClusterDown', retryDelayOnClusterDown);
  set('retryDelayOnTryAgain', retryDelayOnTryAgain);
  set('retryDelayOnMoved', retryDelayOnMoved);
  set('slotsRefreshTimeout', slotsRefreshTimeout);
  set('slotsRefreshInterval', slotsRefreshInterval);
  set('enableOfflineQueue', options.enableOfflineQueue);
  set('enableAutoPipelining', options.enableAutoPipelining);
  set('enableReadyCheck', options.enableReadyCheck);
  if (strategy) cluster.clusterRetryStrategy = strategy;
  return { redis, cluster };
}

export const openIoredis: OpenClient = async (profile, target, connectTimeoutMs) => {
  const options = profile.options as Options;
  const { host, port, tls } = hostPort(target.endpoint);
  const { redis, cluster } = ioredisOptions(options);
  const common: RedisOptions = {
    ...redis,
    username: target.username,
    password: target.password,
    tls: tls ? (target.tlsCa ? { ca: target.tlsCa } : {}) : undefined,
    lazyConnect: true,
  };
  const client = target.cluster
    ? new Cluster([{ host, port }], {
        ...cluster,
        lazyConnect: true,
        // ElastiCache with TLS: keep the configuration endpoint's name for the certificate check.
        dnsLookup: tls ? (address, callback) => callback(null, address) : undefined,
        redisOptions: common,
      })
    : new Redis({ ...common, host, port });
  client.on('error', () => {}); // reconnects are the library's business; commands carry their own errors
  try {
    await waitUntilReady(client, connectTimeoutMs);
  } catch (error) {
    disconnectForGood(client);
    throw error;
  }
  return {
    write: (key, ttlSeconds) => client.eval(COUNTED_WRITE, 1, key, ttlSeconds),
    classify: (error) => sampled(classifyIoredisError(error), error, [target.password]),
    close: async () => disconnectForGood(client),
    ...(client instanceof Cluster
      ? { onRedirection: (listener: (kind: RedirectionKind) => void) => watchRedirections(client, listener) }
      : {}),
  };
};

/**
 * ioredis Cluster emits no event for a redirection it follows. Every error a command meets, on every
 * attempt, passes through its `handleError` before it decides to follow (MOVED, ASK, TRYAGAIN,
 * CLUSTERDOWN, a closed connection) or to surface it: wrapping that one method on this instance hears
 * them all, whatever the options.
 */
export function watchRedirections(client: Cluster, listener: (kind: RedirectionKind) => void): void {
  const cluster = client as unknown as { handleError: (error: Error, ...rest: unknown[]) => unknown };
  const original = cluster.handleError.bind(client);
  cluster.handleError = (error, ...rest) => {
    const kind = redirectionOfMessage(error?.message ?? '');
    if (kind !== null) listener(kind);
    return original(error, ...rest);
  };
}
