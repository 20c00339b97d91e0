/**
 * The client profiles' built-in presets, as plain data in a module of their own: the CLI's help and
 * --client flag name them without loading the profile schemas (zod).
 */
import type { ClientProfileInput } from './profile.js';

/**
 * The built-in presets. `ioredis-recommended` is what the documentation recommends for ElastiCache:
 * - reconnect on READONLY and resend the command: ioredis' README ("Reconnect on Error": "when a
 *   failover happens … the old master becomes a slave … return 2 to resend the failed command"), and
 *   AWS's "Why do I get a READONLY error after a failover" (knowledge center
 *   elasticache-correct-readonly-error: the application's DNS cache sends traffic to the old primary;
 *   enable the client's retry logic);
 * - bounded connect and command timeouts, and exponential backoff with jitter on reconnects: AWS's
 *   "Best practices: Valkey/Redis OSS clients and Amazon ElastiCache" (client-side timeouts; exponential
 *   backoff with jitter to avoid a reconnect storm).
 * The `-defaults` presets are each library with nothing set.
 */
export const CLIENT_PRESETS = {
  'ioredis-defaults': { library: 'ioredis', options: {} },
  'ioredis-recommended': {
    library: 'ioredis',
    options: {
      connectTimeout: 1000,
      commandTimeout: 2000,
      retryStrategy: { kind: 'exponential', baseMs: 50, maxMs: 2000, jitter: true },
      reconnectOnError: { errors: ['READONLY'], resend: true },
    },
  },
  'node-redis-defaults': { library: 'node-redis', options: {} },
  'glide-defaults': { library: 'valkey-glide', options: {} },
} as const satisfies Record<string, Omit<ClientProfileInput, 'name'>>;
