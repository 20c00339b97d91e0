/**
 * Client profiles: an application's Redis client and its settings, as plain data, run beside the fail-fast
 * probe so that the report says what *that* application would have seen. Options are validated strictly
 * per library (unknown ones are refused by name); nothing is a function: a reconnect or retry policy is
 * given declaratively and turned into the library's callback by the adapter.
 */
import * as z from 'zod';
import { DrillInputError } from '../../../shared/errors.js';
import { parseInput } from '../../../shared/input.js';
import { CLIENT_PRESETS } from './presets.js';
import { SHARD_WRITER_PREFIX } from './profile-keys.js';

// Kept in a module without zod, so that the CLI's help lists them without loading the schemas.
export { CLIENT_PRESETS };

export const LIBRARIES = ['ioredis', 'node-redis', 'valkey-glide'] as const;
export type Library = (typeof LIBRARIES)[number];

/**
 * The npm package of each library and the version pinned in package.json (checked by clients.test.ts),
 * kept here because a Lambda bundle carries the code but not the packages' package.json files.
 */
export const LIBRARY_PACKAGES: Record<Library, { package: string; version: string }> = {
  ioredis: { package: 'ioredis', version: '6.0.0' },
  'node-redis': { package: 'redis', version: '6.3.1' },
  'valkey-glide': { package: '@valkey/valkey-glide', version: '2.5.2' },
};

/** Profile names go into key names: short, no ':' and no glob characters. */
export const PROFILE_NAME = /^[a-z0-9][a-z0-9-]{0,23}$/;

const ms = z.number().int().min(0).max(600_000);

/** How long to wait before reconnect attempt N (1-based); `none`: never reconnect. */
export const retryPolicySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({
    kind: z.literal('constant'),
    delayMs: ms,
    /** Give up after this many attempts (default: never). */
    maxAttempts: z.number().int().min(1).max(1_000_000).optional(),
  }),
  z.strictObject({
    kind: z.literal('exponential'),
    baseMs: ms,
    maxMs: ms,
    factor: z.number().min(1).max(10).default(2),
    /** Full jitter: a random delay from 0 to the computed one (AWS's recommended backoff). */
    jitter: z.boolean().default(false),
    maxAttempts: z.number().int().min(1).max(1_000_000).optional(),
  }),
]);
export type RetryPolicy = z.output<typeof retryPolicySchema>;

/** The delay before attempt `attempt` (1-based), or null: stop reconnecting. */
export function retryDelay(policy: RetryPolicy, attempt: number, random = Math.random): number | null {
  if (policy.kind === 'none') return null;
  if (policy.maxAttempts !== undefined && attempt > policy.maxAttempts) return null;
  if (policy.kind === 'constant') return policy.delayMs;
  const delay = Math.min(policy.maxMs, policy.baseMs * policy.factor ** Math.max(0, attempt - 1));
  return policy.jitter ? Math.round(random() * delay) : Math.round(delay);
}

/** ioredis RedisOptions / ClusterOptions that are plain data; the rest of its options are refused. */
export const ioredisOptionsSchema = z.strictObject({
  connectTimeout: ms.optional(),
  commandTimeout: ms.optional(),
  /** null: retry forever (ioredis' own meaning). */
  maxRetriesPerRequest: z.number().int().min(0).max(1000).nullable().optional(),
  enableOfflineQueue: z.boolean().optional(),
  enableReadyCheck: z.boolean().optional(),
  autoResendUnfulfilledCommands: z.boolean().optional(),
  enableAutoPipelining: z.boolean().optional(),
  keepAlive: ms.optional(),
  noDelay: z.boolean().optional(),
  /** Becomes retryStrategy (standalone) or clusterRetryStrategy (cluster). */
  retryStrategy: retryPolicySchema.optional(),
  /** Becomes reconnectOnError: reconnect on these reply error codes, and resend the command if asked. */
  reconnectOnError: z
    .strictObject({
      errors: z
        .array(z.string().regex(/^[A-Z]+$/))
        .min(1)
        .max(10),
      resend: z.boolean(),
    })
    .optional(),
  // Cluster mode only (ignored otherwise, as ioredis does).
  maxRedirections: z.number().int().min(0).max(100).optional(),
  retryDelayOnFailover: ms.optional(),
  retryDelayOnClusterDown: ms.optional(),
  retryDelayOnTryAgain: ms.optional(),
  retryDelayOnMoved: ms.optional(),
  slotsRefreshTimeout: ms.optional(),
  slotsRefreshInterval: ms.optional(),
});

/** node-redis (`redis`) RedisClientOptions that are plain data. */
export const nodeRedisOptionsSchema = z.strictObject({
  socket: z
    .strictObject({
      connectTimeout: ms.optional(),
      socketTimeout: ms.optional(),
      keepAlive: z.boolean().optional(),
      noDelay: z.boolean().optional(),
      /** Becomes reconnectStrategy; `none` is `false` (do not reconnect). */
      reconnectStrategy: retryPolicySchema.optional(),
    })
    .optional(),
  disableOfflineQueue: z.boolean().optional(),
  commandsQueueMaxLength: z.number().int().min(1).max(10_000_000).optional(),
  pingInterval: ms.optional(),
  /** commandOptions.timeout: the per-command timeout every write carries. */
  commandTimeout: ms.optional(),
  /** Cluster mode only. */
  maxCommandRedirections: z.number().int().min(0).max(100).optional(),
});

/** Valkey GLIDE GlideClientConfiguration / GlideClusterClientConfiguration that is plain data. */
export const glideOptionsSchema = z.strictObject({
  requestTimeout: ms.optional(),
  /** advancedConfiguration.connectionTimeout */
  connectionTimeout: ms.optional(),
  inflightRequestsLimit: z.number().int().min(1).max(1_000_000).optional(),
  /** GLIDE's own declarative backoff. */
  connectionBackoff: z
    .strictObject({
      numberOfRetries: z.number().int().min(0).max(1000),
      factor: z.number().int().min(1).max(60_000),
      exponentBase: z.number().int().min(1).max(10),
      jitterPercent: z.number().int().min(0).max(100).optional(),
    })
    .optional(),
});

const name = z
  .string()
  .regex(PROFILE_NAME, 'must be 1-24 of a-z, 0-9 and -, starting with a letter or digit');

export const clientProfileSchema = z.discriminatedUnion('library', [
  z.strictObject({ name, library: z.literal('ioredis'), options: ioredisOptionsSchema.default({}) }),
  z.strictObject({ name, library: z.literal('node-redis'), options: nodeRedisOptionsSchema.default({}) }),
  z.strictObject({ name, library: z.literal('valkey-glide'), options: glideOptionsSchema.default({}) }),
]);
export type ClientProfile = z.output<typeof clientProfileSchema>;
export type ClientProfileInput = z.input<typeof clientProfileSchema>;

export type ClientPreset = keyof typeof CLIENT_PRESETS;

/** At most this many profiles per run (each is a client and a writer in the Write Lambda). */
export const MAX_PROFILES = 8;

/** The execution input's `clients`: presets' names or profiles, resolved by resolveClientProfiles. */
export const clientsInputSchema = z
  .array(z.union([z.string(), z.record(z.string(), z.unknown())]))
  .max(MAX_PROFILES);

/**
 * Resolves presets and validates profiles; a DrillInputError names the unknown preset, the profile and
 * the option refused, or a duplicated name.
 */
export function resolveClientProfiles(entries: readonly unknown[]): ClientProfile[] {
  if (entries.length > MAX_PROFILES)
    throw new DrillInputError(`at most ${MAX_PROFILES} client profiles, got ${entries.length}`);
  const profiles = entries.map((entry, index) => {
    if (typeof entry === 'string') {
      const preset = (CLIENT_PRESETS as Record<string, Omit<ClientProfileInput, 'name'>>)[entry];
      if (!preset)
        throw new DrillInputError(
          `unknown client preset '${entry}' (presets: ${Object.keys(CLIENT_PRESETS).join(', ')})`,
        );
      return parseInput(clientProfileSchema, { name: entry, ...preset }, `client profile '${entry}'`);
    }
    const label =
      entry && typeof entry === 'object' && typeof (entry as { name?: unknown }).name === 'string'
        ? `'${(entry as { name: string }).name}'`
        : `#${index + 1}`;
    return parseInput(clientProfileSchema, entry, `client profile ${label}`);
  });
  const seen = new Set<string>();
  for (const profile of profiles) {
    // The blast radius' own writers are named shard-<nodeGroupId> (shards.ts).
    if (profile.name.startsWith(SHARD_WRITER_PREFIX))
      throw new DrillInputError(
        `client profile name '${profile.name}': names starting with shard- are reserved`,
      );
    if (seen.has(profile.name))
      throw new DrillInputError(`client profile name '${profile.name}' is used twice`);
    seen.add(profile.name);
  }
  return profiles;
}
