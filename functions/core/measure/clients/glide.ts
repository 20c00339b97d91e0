/**
 * The Valkey GLIDE adapter (the client AWS builds for ElastiCache): a native core under a Node API. The
 * library is loaded when a GLIDE profile runs, not when the module is: in AWS it is not in the bundle but
 * in template.yaml's GlideLayer, and a bundle without GLIDE profiles must load without it.
 */
import { createRequire } from 'node:module';
import type * as Glide from '@valkey/valkey-glide';
import type { ErrorOutcome } from '../outcomes.js';
import { COUNTED_WRITE, hostPort, type OpenClient, replyCode, within } from './client.js';
import type { ClientProfile } from './profile.js';

type Options = Extract<ClientProfile, { library: 'valkey-glide' }>['options'];

/** A RequestError whose text starts with a server error code is the server's reply; the rest may be in flight. */
export function classifyGlideError(glide: typeof Glide, error: unknown): ErrorOutcome {
  const { ClosingError, ConnectionError, RequestError, TimeoutError } = glide;
  if (error instanceof TimeoutError) return { outcome: 'info', kind: 'TIMEOUT' };
  if (error instanceof ClosingError) return { outcome: 'info', kind: 'CLIENT_CLOSED' };
  if (error instanceof ConnectionError) return { outcome: 'info', kind: 'CONNECTION_LOST' };
  if (error instanceof RequestError && /^[A-Z]{3,}\b/.test(error.message))
    return { outcome: 'fail', kind: replyCode(error.message) };
  return { outcome: 'info', kind: 'UNKNOWN' };
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
    classify: (error) => classifyGlideError(glide, error),
    close: async () => {
      client.close();
      script.release();
    },
  };
};
