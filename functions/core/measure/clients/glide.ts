/**
 * The Valkey GLIDE adapter (the client AWS builds for ElastiCache): a native core under a Node API. The
 * library is loaded when a GLIDE profile runs, not when the module is: in AWS it is not in the bundle but
 * in template.yaml's GlideLayer, and a bundle without GLIDE profiles must load without it.
 */
import { createRequire } from 'node:module';
import type * as Glide from '@valkey/valkey-glide';
import { classifyByName, type ErrorOutcome, sampled } from '../outcomes.js';
import { COUNTED_WRITE, hostPort, type OpenClient, replyCode, within } from './client.js';
import type { ClientProfile } from './profile.js';

type Options = Extract<ClientProfile, { library: 'valkey-glide' }>['options'];

/** How GLIDE's core (redis-rs) words a server's error reply: `… signalled by the server: - ReadOnly: …`. */
const SERVER_REPLY = /^An error was signalled by the server: - (\w+)/;
/** redis-rs' names of server error kinds whose code is not their name in capitals. */
const SERVER_CODES: Record<string, string> = {
  BusyLoadingError: 'LOADING',
  ResponseError: 'ERR',
  NoScriptError: 'NOSCRIPT',
  ExecAbortError: 'EXECABORT',
  ExtensionError: 'ERR',
};

/** A server error's code (READONLY, MOVED, …) from a GLIDE RequestError's text; null if not the server's. */
export function glideReplyCode(message: string): string | null {
  const kind = SERVER_REPLY.exec(message)?.[1];
  if (kind) return SERVER_CODES[kind] ?? kind.toUpperCase();
  return /^[A-Z]{3,}\b/.test(message) ? replyCode(message) : null;
}

/**
 * By GLIDE's error classes: TimeoutError (requestTimeout), ClosingError (the client is closed for good)
 * and ConnectionError (the connection dropped with the request in flight) may have been applied: info.
 * A RequestError that carries the server's reply was refused by it (fail, by its code), as is one the
 * open circuit breaker or an aborted transaction refused; any other RequestError is named by its class.
 */
export function classifyGlideError(glide: typeof Glide, error: unknown): ErrorOutcome {
  const { CircuitBreakerError, ClosingError, ConnectionError, ExecAbortError, RequestError, TimeoutError } =
    glide;
  if (error instanceof TimeoutError) return { outcome: 'info', kind: 'TIMEOUT' };
  if (error instanceof ClosingError) return { outcome: 'info', kind: 'CLIENT_CLOSED' };
  if (error instanceof ConnectionError) return { outcome: 'info', kind: 'CONNECTION_LOST' };
  if (error instanceof CircuitBreakerError) return { outcome: 'fail', kind: 'CIRCUIT_OPEN' };
  if (error instanceof ExecAbortError) return { outcome: 'fail', kind: 'EXECABORT' };
  if (error instanceof RequestError) {
    const code = glideReplyCode(error.message);
    if (code) return { outcome: 'fail', kind: code };
  }
  return classifyByName(error);
}

/**
 * The library itself (Node caches it after the first call; a missing one throws each time, by name).
 * require, not import(): the layer's /opt/nodejs/node_modules is on NODE_PATH, which require honours
 * and plain Node's import() ignores (Lambda's runtime adds it to ES module resolution; the tests' Node
 * does not). esbuild does not follow this call, so the bundle holds no GLIDE. GLIDE is CommonJS anyway.
 */
export async function loadGlide(): Promise<typeof Glide> {
  return createRequire(import.meta.url)('@valkey/valkey-glide') as typeof Glide;
}

export const openGlide: OpenClient = async (profile, target, connectTimeoutMs) => {
  const glide = await loadGlide();
  const { GlideClient, GlideClusterClient, Logger, Script } = glide;
  // The native core logs every reconnect to stdout; what the application saw is in the figures.
  Logger.setLoggerConfig('off');
  const options = profile.options as Options;
  const { host, port, tls } = hostPort(target.endpoint);
  const configuration = {
    addresses: [{ host, port }],
    useTLS: tls,
    ...(target.password !== undefined
      ? { credentials: { username: target.username, password: target.password } }
      : {}),
    ...(options.requestTimeout !== undefined ? { requestTimeout: options.requestTimeout } : {}),
    ...(options.inflightRequestsLimit !== undefined
      ? { inflightRequestsLimit: options.inflightRequestsLimit }
      : {}),
    ...(options.connectionBackoff ? { connectionBackoff: options.connectionBackoff } : {}),
    advancedConfiguration: {
      ...(options.connectionTimeout !== undefined ? { connectionTimeout: options.connectionTimeout } : {}),
      ...(tls && target.tlsCa ? { tlsAdvancedConfiguration: { rootCertificates: target.tlsCa } } : {}),
    },
  };
  const client = await within<Glide.GlideClient | Glide.GlideClusterClient>(
    target.cluster ? GlideClusterClient.createClient(configuration) : GlideClient.createClient(configuration),
    connectTimeoutMs,
    'valkey-glide connect',
  );
  const script = new Script(COUNTED_WRITE);
  return {
    write: (key, ttlSeconds) => client.invokeScript(script, { keys: [key], args: [String(ttlSeconds)] }),
    classify: (error) => sampled(classifyGlideError(glide, error), error, [target.password]),
    close: async () => {
      client.close();
      script.release();
    },
    ...(target.cluster ? { redirectionsNotObservable: GLIDE_REDIRECTIONS } : {}),
  };
};

/**
 * GLIDE's native core (Rust) follows MOVED and ASK inside itself: its Node API has no event, hook or
 * statistic for them, and the wire is inside the core's own connections.
 */
export const GLIDE_REDIRECTIONS =
  'not observable for valkey-glide: its native core follows MOVED and ASK and tells the Node API nothing';
