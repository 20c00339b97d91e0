/**
 * The one ioredis factory of the project. Every client fails fast, so that the measured numbers are the
 * server's and never the client's retries: no offline queue, no retries per request, no resend after a
 * reconnect, no auto-pipelining, a command timeout, a short constant reconnect delay, READONLY causes a
 * reconnect (to find the new primary behind the endpoint) without resending, and in cluster mode no
 * redirection is followed (MOVED/ASK/TRYAGAIN/CLUSTERDOWN reject; the caller refreshes the slot map).
 */
import { readFile } from 'node:fs/promises';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { DataPlaneError, DrillInputError, RedisAuthError } from './errors.js';

export type RedisClient = Redis | Cluster;

const AUTH_REFUSAL = /^(WRONGPASS|NOAUTH|NOPERM)\b/;

export interface Endpoint {
  host: string;
  port: number;
  tls: boolean;
}

export interface RedisClientOptions {
  /** redis://HOST:PORT or rediss://HOST:PORT (TLS); credentials never go in the URL. */
  endpoint: string;
  cluster?: boolean;
  username?: string;
  password?: string;
  /** PEM of a CA to trust for TLS (default: the system's). */
  tlsCa?: string;
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Constant delay before every reconnect attempt but the first after a drop, which is immediate. */
  retryDelayMs?: number;
  /** CLIENT SETNAME, to recognise the drill's connections on the server. */
  connectionName?: string;
}

export const CLIENT_DEFAULTS = { commandTimeoutMs: 1000, connectTimeoutMs: 1000, retryDelayMs: 2 } as const;

/** Parses redis[s]://HOST:PORT; refuses credentials, paths and queries (named error, nothing touched). */
export function parseEndpoint(url: string): Endpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DrillInputError(`endpoint must be redis://HOST:PORT or rediss://HOST:PORT, got '${url}'`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new DrillInputError(`endpoint must use redis:// or rediss://, got '${parsed.protocol}'`);
  if (parsed.username || parsed.password)
    throw new DrillInputError(
      'endpoint must not carry credentials: give the user separately and the password by environment variable or file',
    );
  if ((parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search || parsed.hash)
    throw new DrillInputError(`endpoint must be redis[s]://HOST:PORT only, got '${url}'`);
  const port = Number(parsed.port || '6379');
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new DrillInputError(`endpoint needs a host and a port 1-65535, got '${url}'`);
  return { host, port, tls: parsed.protocol === 'rediss:' };
}

/** The endpoint as it may appear in reports and logs. */
export function describeEndpoint(endpoint: Endpoint): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `${endpoint.tls ? 'rediss' : 'redis'}://${host}:${endpoint.port}`;
}

/** A password from an environment variable or a file (trailing newline dropped); never from a flag value. */
export async function resolvePassword(
  source: { passwordEnv?: string; passwordFile?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  if (source.passwordEnv !== undefined && source.passwordFile !== undefined)
    throw new DrillInputError('give the password by environment variable or by file, not both');
  if (source.passwordEnv !== undefined) {
    const value = env[source.passwordEnv];
    if (value === undefined || value === '')
      throw new DrillInputError(`environment variable ${source.passwordEnv} is not set`);
    return value;
  }
  if (source.passwordFile !== undefined) {
    const text = await readFile(source.passwordFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new DrillInputError(
        `cannot read the password file ${source.passwordFile}: ${error.code ?? error.message}`,
      );
    });
    return text.replace(/\r?\n$/, '');
  }
  return undefined;
}

/** The connections (by their ioredis options object, one per connection) whose READONLY already ended them. */
const endingOnReadonly = new WeakSet<object>();

/**
 * READONLY (a primary demoted under the client) ends the connection, to find the new primary behind the
 * endpoint, without resending: once a connection. Every write in flight gets its own READONLY, and ioredis
 * would end the same socket again for each, a listener each (Node's leak warning past ten in Lambda's log).
 * The later ones are rejected all the same. ioredis calls this as a method of the connection's options.
 */
function reconnectOnReadonly(this: object, error: Error): boolean | 1 {
  if (!error.message.startsWith('READONLY') || endingOnReadonly.has(this)) return false;
  endingOnReadonly.add(this);
  return 1;
}

/** A connection closed: its next READONLY ends it again. */
function onClose(connection: Redis): void {
  connection.on('close', () => endingOnReadonly.delete(connection.options));
}

/**
 * A fail-fast client; lazy: call waitUntilReady() (or connect()) before sending. Connection errors are
 * swallowed (commands reject on their own); a reconnect every few ms to a dead node would flood the log.
 */
export function createRedisClient(options: RedisClientOptions): RedisClient {
  const client = buildClient(options);
  client.on('error', () => {});
  if (client instanceof Cluster) client.on('+node', onClose);
  else onClose(client);
  // Standalone: the name is set after 'ready', pipelined with the first command, rather than as part of the
  // connect handshake that 'ready' waits for: a reconnect would otherwise cost a round trip more (~3 ms).
  const name = options.connectionName;
  if (name && !options.cluster)
    client.on('ready', () => client.call('CLIENT', 'SETNAME', name).catch(() => {}));
  return client;
}

function buildClient(options: RedisClientOptions): RedisClient {
  const endpoint = parseEndpoint(options.endpoint);
  const commandTimeout = options.commandTimeoutMs ?? CLIENT_DEFAULTS.commandTimeoutMs;
  const connectTimeout = options.connectTimeoutMs ?? CLIENT_DEFAULTS.connectTimeoutMs;
  const retryDelay = options.retryDelayMs ?? CLIENT_DEFAULTS.retryDelayMs;
  // The first attempt after a drop goes at once (the end of an outage is measured to within the reconnect);
  // later ones wait, so that a dead endpoint is not hammered in a tight loop. Attempts count from the last
  // ready connection.
  const reconnectAfter = (attempt: number): number => (attempt <= 1 ? 0 : retryDelay);
  const tls = endpoint.tls ? (options.tlsCa ? { ca: options.tlsCa } : {}) : undefined;
  const common = {
    username: options.username,
    password: options.password,
    tls,
    commandTimeout,
    connectTimeout,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableAutoPipelining: false,
    reconnectOnError: reconnectOnReadonly,
    disableClientInfo: true,
    enableReadyCheck: false,
    // RESP2: ioredis 6 defaults to RESP3, whose HELLO every (re)connect awaits before 'ready' — a round trip
    // more on the way back from an outage, measured as downtime. RESP2 has no handshake without a password
    // (with one, AUTH takes the place of HELLO); the probe's replies are the same in both.
    protocol: 2,
  } satisfies RedisOptions;
  if (!options.cluster) {
    return new Redis({
      ...common,
      host: endpoint.host,
      port: endpoint.port,
      enableOfflineQueue: false,
      lazyConnect: true,
      retryStrategy: reconnectAfter,
    });
  }
  const clusterOptions: ClusterOptions = {
    enableOfflineQueue: false,
    lazyConnect: true,
    // No redirection is followed: a MOVED, ASK, TRYAGAIN or CLUSTERDOWN is a failed write.
    maxRedirections: 0,
    retryDelayOnFailover: 0,
    retryDelayOnClusterDown: 0,
    retryDelayOnTryAgain: 0,
    retryDelayOnMoved: 0,
    clusterRetryStrategy: reconnectAfter,
    // Node connections reconnect too, so that a command in flight on a dropped connection is rejected as
    // "max retries" (indeterminate) and never with the text of a command refused before sending.
    clusterNodeRetryStrategy: reconnectAfter,
    slotsRefreshTimeout: commandTimeout,
    slotsRefreshInterval: 1000,
    enableAutoPipelining: false,
    // ElastiCache with TLS: keep the configuration endpoint's name for certificate checks.
    dnsLookup: endpoint.tls ? (address, callback) => callback(null, address) : undefined,
    redisOptions: { ...common, connectionName: options.connectionName },
  };
  return new Cluster([{ host: endpoint.host, port: endpoint.port }], clusterOptions);
}

/**
 * Connects (if needed) and waits until the client is ready, bounded; a named error otherwise, at once when
 * the server refuses the credentials (RedisAuthError; its text names no secret).
 */
export async function waitUntilReady(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return;
  if (client.status === 'wait') client.connect().catch(() => {});
  let lastError: unknown;
  let settle: (error?: Error) => void = () => {};
  const onError = (error: unknown): void => {
    lastError = error;
    const message = error instanceof Error ? error.message : String(error);
    if (AUTH_REFUSAL.test(message)) settle(new RedisAuthError(`Redis refused the credentials: ${message}`));
  };
  const onReady = (): void => settle();
  client.on('error', onError);
  client.on('ready', onReady);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
        reject(new DataPlaneError(`Redis not ready within ${timeoutMs} ms${cause}`));
      }, timeoutMs);
      settle = (error) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
    });
  } finally {
    client.off('error', onError);
    client.off('ready', onReady);
  }
  // Without a password a RESP2 connection has no handshake, so a server that requires one says so only at
  // the first command: ask once here, so that the refusal is a RedisAuthError before anything is written.
  if (!(client instanceof Cluster)) {
    await client.ping().catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (AUTH_REFUSAL.test(message)) throw new RedisAuthError(`Redis refused the credentials: ${message}`);
    });
  }
}

/** Closes without waiting on a dead server: QUIT when ready (bounded), else disconnect. */
export async function closeClient(client: RedisClient): Promise<void> {
  if (client.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      client.quit().catch(() => {}),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 500);
      }),
    ]);
    clearTimeout(timer); // a pending bound would keep the process alive for its 500 ms after the last close
  }
  disconnectForGood(client);
}

/**
 * Disconnects for good. ioredis 6.0.0's Cluster re-arms its `slotsRefreshInterval` timer when a slot refresh
 * that was in flight at disconnect() or quit() completes (the refresh's callback schedules the next round
 * unconditionally), and then refreshes against an empty node list every interval, forever: a loaded local
 * fleet run outlived its report that way, and in a warm Lambda container it would be one zombie per drill.
 * After the disconnect a refresh does nothing and never calls back, so the chain ends at its next round.
 */
export function disconnectForGood(client: RedisClient): void {
  client.disconnect();
  if (client instanceof Cluster)
    (client as unknown as { refreshSlotsCache: () => void }).refreshSlotsCache = () => {};
}
