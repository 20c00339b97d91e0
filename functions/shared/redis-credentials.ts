/**
 * The data plane's credentials. In AWS they come from Secrets Manager (REDIS_SECRET_ARN: the template's
 * RedisSecretArn parameter), read once per container and kept in memory; a refusal by Redis (WRONGPASS,
 * NOAUTH) reads the secret once more, so that a rotated secret is picked up without a cold start.
 * Without a secret, REDIS_USERNAME / REDIS_PASSWORD from the environment (the `measure` command, tests).
 * The value never goes into a log line, an error message or a return value that leaves the function.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { RedisAuthError, RedisSecretError } from './errors.js';
import { logger } from './powertools.js';

export interface RedisCredentials {
  username?: string;
  password?: string;
}

let client: SecretsManagerClient | undefined;
/** Per container: the secret's ARN and the read of it (a promise, so concurrent callers share one read). */
let cached: { arn: string; read: Promise<RedisCredentials> } | undefined;

/**
 * The secret's SecretString as credentials: a JSON object with `password` (and `username`), the shape
 * ElastiCache's rotation writes (`{"username", "password", "user_arn"}`), or the bare AUTH token.
 */
export function credentialsOf(secretString: string, fallbackUsername?: string): RedisCredentials {
  const text = secretString.trim();
  if (!text.startsWith('{')) return { username: fallbackUsername, password: secretString };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RedisSecretError('the Redis secret starts like JSON but is not JSON');
  }
  const { username, password } = parsed as { username?: unknown; password?: unknown };
  if (typeof password !== 'string' || password === '')
    throw new RedisSecretError('the Redis secret is a JSON object without a string "password"');
  if (username !== undefined && typeof username !== 'string')
    throw new RedisSecretError('the Redis secret\'s "username" is not a string');
  return { username: username || fallbackUsername, password };
}

async function readSecret(arn: string, env: NodeJS.ProcessEnv): Promise<RedisCredentials> {
  client ??= new SecretsManagerClient({});
  let secretString: string | undefined;
  try {
    ({ SecretString: secretString } = await client.send(new GetSecretValueCommand({ SecretId: arn })));
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    throw new RedisSecretError(`cannot read the Redis secret ${arn}: ${name}`);
  }
  if (secretString === undefined)
    throw new RedisSecretError(`the Redis secret ${arn} has no SecretString (a binary secret)`);
  return credentialsOf(secretString, env.REDIS_USERNAME || undefined);
}

/**
 * The credentials, from the cache when this container has read the secret already (`fresh`: read again).
 * `refused` is the read whose credentials Redis refused: the secret is read again only while that read is
 * still the cached one, so functions refused at once after a rotation (Write and AwaitProbe start
 * together) share one read.
 */
export function redisCredentials(
  env: NodeJS.ProcessEnv = process.env,
  options: { fresh?: boolean; refused?: Promise<RedisCredentials> } = {},
): Promise<RedisCredentials> {
  const arn = env.REDIS_SECRET_ARN;
  if (!arn)
    return Promise.resolve({
      username: env.REDIS_USERNAME || undefined,
      password: env.REDIS_PASSWORD || undefined,
    });
  const stale = options.fresh === true && (options.refused === undefined || cached?.read === options.refused);
  if (!cached || cached.arn !== arn || stale) {
    // Which secret and why, never what it holds: a rotation shows as one read `after a refusal`.
    logger.info('reading the Redis secret', {
      secretArn: arn,
      reason: options.fresh ? 'after a refusal' : 'first use',
    });
    const read = readSecret(arn, env);
    cached = { arn, read };
    // A failed read is not kept: the next invocation tries again.
    read.catch(() => {
      if (cached?.read === read) cached = undefined;
    });
  }
  return cached.read;
}

/** WRONGPASS or NOAUTH: the password is wrong or missing — what a rotated secret looks like to a client. */
export function isPasswordRefusal(error: unknown): boolean {
  return error instanceof RedisAuthError && /\b(WRONGPASS|NOAUTH)\b/.test(error.message);
}

/**
 * Runs `attempt` with the credentials; when Redis refuses the password and it came from the secret, reads
 * the secret once more (unless a concurrent refusal already did) and runs `attempt` again with what it holds
 * now (a rotation).
 */
export async function withRedisCredentials<T>(
  attempt: (credentials: RedisCredentials) => Promise<T>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  const read = redisCredentials(env);
  const credentials = await read;
  try {
    return await attempt(credentials);
  } catch (error) {
    if (!env.REDIS_SECRET_ARN || !isPasswordRefusal(error)) throw error;
    return attempt(await redisCredentials(env, { fresh: true, refused: read }));
  }
}
