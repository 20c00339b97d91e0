/**
 * The node-redis (`redis` package) adapter: createClient / createCluster from a profile's plain options.
 * The package (with its search, JSON, bloom and time-series modules) is loaded only for a node-redis
 * profile, in its worker before the probe's baseline (isolated.ts), so that a drill without one never
 * pays its import time.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type * as NodeRedis from 'redis';
import { classifyByName, type ErrorOutcome, sampled } from '../outcomes.js';
import { type RedirectionKind, redirectionOfErrorKind, redirectionOfMessage } from '../redirections.js';
import { COUNTED_WRITE, hostPort, type OpenClient, replyCode, within } from './client.js';
import { type ClientProfile, retryDelay } from './profile.js';

type Options = Extract<ClientProfile, { library: 'node-redis' }>['options'];

/**
 * By node-redis' own classes (its errors all say `Error` in `name`; the class tells them apart):
 * - fail, nothing left the process: ClientOfflineError (offline queue disabled, socket down),
 *   ClientClosedError (the client was closed), "The queue is full" (commandsQueueMaxLength), a command
 *   that timed out (TimeoutError, commandOptions.timeout) — node-redis times out only a command still
 *   waiting to be written, never one sent (that one waits for its reply or its socket);
 * - info: the socket went with commands in flight: SocketClosedUnexpectedlyError, SocketTimeoutError
 *   (socketTimeout), DisconnectsClientError, or the socket's own system error (ECONNRESET, EPIPE, …) with
 *   which node-redis rejects every command it had sent.
 */
export function classifyNodeRedisError(nodeRedis: typeof NodeRedis, error: unknown): ErrorOutcome {
  if (error instanceof nodeRedis.ErrorReply) return { outcome: 'fail', kind: replyCode(error.message) };
  const {
    ClientClosedError,
    ClientOfflineError,
    DisconnectsClientError,
    SocketClosedUnexpectedlyError,
    SocketTimeoutError,
    TimeoutError,
  } = nodeRedis;
  if (error instanceof ClientOfflineError) return { outcome: 'fail', kind: 'NOT_CONNECTED' };
  if (error instanceof ClientClosedError) return { outcome: 'fail', kind: 'CLIENT_CLOSED' };
  if (error instanceof TimeoutError) return { outcome: 'fail', kind: 'TIMEOUT' };
  if (error instanceof Error && error.message === 'The queue is full')
    return { outcome: 'fail', kind: 'QUEUE_FULL' };
  if (error instanceof SocketClosedUnexpectedlyError) return { outcome: 'info', kind: 'CONNECTION_CLOSED' };
  if (error instanceof SocketTimeoutError) return { outcome: 'info', kind: 'SOCKET_TIMEOUT' };
  if (error instanceof DisconnectsClientError) return { outcome: 'info', kind: 'CLIENT_DISCONNECTED' };
  return classifyByName(error);
}

export function nodeRedisSocket(options: Options): Record<string, unknown> {
  const { reconnectStrategy, ...socket } = options.socket ?? {};
  const out: Record<string, unknown> = { ...socket };
  if (reconnectStrategy) {
    out.reconnectStrategy =
      reconnectStrategy.kind === 'none'
        ? false
        : (retries: number) =>
            retryDelay(reconnectStrategy, retries + 1) ?? new Error('reconnect attempts used up');
  }
  return out;
}

interface NodeRedisLike {
  on(event: 'error', listener: (error: unknown) => void): unknown;
  connect(): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  destroy(): unknown;
}

/**
 * The package, imported once (a bundle's chunk of its own). `redis` is CommonJS: Node's import() names its
 * exports, but the Lambda bundle's chunk of it (esbuild, ESM with splitting) exports only `default`.
 */
export async function loadNodeRedis(): Promise<typeof NodeRedis> {
  const module = (await import('redis')) as typeof NodeRedis & { default?: typeof NodeRedis };
  return module.default ?? module;
}

export const openNodeRedis: OpenClient = async (profile, target, connectTimeoutMs) => {
  const nodeRedis = await loadNodeRedis();
  const { createClient, createCluster } = nodeRedis;
  const options = profile.options as Options;
  const { host, port, tls } = hostPort(target.endpoint);
  const socket = {
    ...nodeRedisSocket(options),
    host,
    port,
    ...(tls ? { tls: true as const, ...(target.tlsCa ? { ca: target.tlsCa } : {}) } : {}),
  };
  const clientOptions = {
    username: target.username,
    password: target.password,
    ...(options.disableOfflineQueue !== undefined
      ? { disableOfflineQueue: options.disableOfflineQueue }
      : {}),
    ...(options.commandsQueueMaxLength !== undefined
      ? { commandsQueueMaxLength: options.commandsQueueMaxLength }
      : {}),
    ...(options.pingInterval !== undefined ? { pingInterval: options.pingInterval } : {}),
    ...(options.commandTimeout !== undefined ? { commandOptions: { timeout: options.commandTimeout } } : {}),
  };
  // Both have connect/eval/destroy/on; one structural type keeps the two branches one code path.
  const client: NodeRedisLike = target.cluster
    ? createCluster({
        rootNodes: [{ socket: { host, port } }],
        defaults: { ...clientOptions, socket },
        ...(options.maxCommandRedirections !== undefined
          ? { maxCommandRedirections: options.maxCommandRedirections }
          : {}),
      })
    : createClient({ ...clientOptions, socket });
  client.on('error', () => {}); // node-redis throws on an unhandled 'error' event
  try {
    await within(client.connect(), connectTimeoutMs, 'node-redis connect');
  } catch (error) {
    client.destroy();
    throw error;
  }
  const classify = (error: unknown) =>
    sampled(classifyNodeRedisError(nodeRedis, error), error, [target.password]);
  let watch: RedirectionWatch | undefined;
  return {
    write: (key, ttlSeconds) => {
      const sent = client.eval(COUNTED_WRITE, { keys: [key], arguments: [String(ttlSeconds)] });
      return watch ? sent.catch((error: unknown) => watch!.surfaced(classify(error).kind, error)) : sent;
    },
    classify,
    close: async () => {
      watch?.stop();
      client.destroy();
    },
    ...(target.cluster
      ? {
          onRedirection: (listener: (kind: RedirectionKind) => void) => {
            watch = watchNodeRedisRedirections(client as unknown as ClusterNodes, listener);
          },
        }
      : {}),
  };
};

/** The cluster's node clients, as node-redis keeps them (`masters`, `replicas`), each with its `_clientId`. */
interface ClusterNodes {
  masters: { client?: { _clientId?: unknown } }[];
  replicas: { client?: { _clientId?: unknown } }[];
}

interface RedirectionWatch {
  /** A write's rejection: noted when the kind is one the channel does not tell; rethrown. */
  surfaced(kind: string, error: unknown): never;
  stop(): void;
}

/** node-redis' diagnostics channel for errors (its tracing.js CHANNELS.ERROR). */
const ERROR_CHANNEL = 'node-redis:error';

/**
 * node-redis Cluster follows MOVED and ASK itself and emits no event for it on the client, but it publishes
 * each on its diagnostics channel `node-redis:error` (origin `cluster`; `internal` when followed), with the
 * node client that met it. The channel is the process's: only this cluster's node clients are counted.
 * What it surfaces without publishing (TRYAGAIN, CLUSTERDOWN, READONLY, a closed connection) is counted
 * from the write's rejection, so that the count is every one the library met, as ioredis' watcher counts.
 */
export function watchNodeRedisRedirections(
  cluster: ClusterNodes,
  listener: (kind: RedirectionKind) => void,
): RedirectionWatch {
  const ours = (clientId: unknown) =>
    [...cluster.masters, ...cluster.replicas].some((node) => node.client?._clientId === clientId);
  const onError = (message: unknown) => {
    const event = message as { error?: Error; origin?: string; clientId?: unknown };
    if (event.origin !== 'cluster' || !ours(event.clientId)) return;
    const kind = redirectionOfMessage(event.error?.message ?? '');
    if (kind !== null) listener(kind);
  };
  subscribe(ERROR_CHANNEL, onError);
  return {
    surfaced: (errorKind, error) => {
      const kind = redirectionOfErrorKind(errorKind);
      // MOVED and ASK always pass through the channel first (followed, or given up after the last redirection).
      if (kind !== null && kind !== 'MOVED' && kind !== 'ASK') listener(kind);
      throw error;
    },
    stop: () => unsubscribe(ERROR_CHANNEL, onError),
  };
}
