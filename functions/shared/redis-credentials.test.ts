import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { RedisAuthError, RedisSecretError } from './errors.js';
import { credentialsOf, redisCredentials, withRedisCredentials } from './redis-credentials.js';

const secrets = mockClient(SecretsManagerClient);
// Unit files share a worker (isolate: false): the stubbed client's prototype must not outlive this file.
afterAll(() => secrets.restore());
let arnCounter = 0;
/** A fresh ARN per test: the cache is per container (module), keyed by the ARN. */
const env = () => ({
  REDIS_SECRET_ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:t${++arnCounter}-AbCdEf`,
  REDIS_USERNAME: 'from-env',
});
const refused = (reply: string) => new RedisAuthError(`Redis refused the credentials: ${reply}`);

beforeEach(() => {
  secrets.reset();
});

describe('the Redis secret', () => {
  it('is read once per container and then served from memory', async () => {
    // Prepare
    const e = env();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: '{"username":"u","password":"p1"}' });

    // Act
    const first = await redisCredentials(e);
    const again = await Promise.all([redisCredentials(e), redisCredentials(e)]);

    // Assess
    expect(first).toEqual({ username: 'u', password: 'p1' });
    expect(again).toEqual([first, first]);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secrets.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({
      SecretId: e.REDIS_SECRET_ARN,
    });
  });

  it('is read again exactly once on WRONGPASS, and the attempt retried with the rotated value', async () => {
    // Prepare
    const e = env();
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: '{"password":"old"}' })
      .resolves({ SecretString: '{"password":"new"}' });
    await redisCredentials(e); // the container's first read, before the rotation
    const tried: (string | undefined)[] = [];

    // Act
    const result = await withRedisCredentials(async ({ password }) => {
      tried.push(password);
      if (password === 'old') throw refused('WRONGPASS invalid username-password pair');
      return 'connected';
    }, e);
    const cached = await redisCredentials(e);

    // Assess
    expect(result).toBe('connected');
    expect(tried).toEqual(['old', 'new']);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(cached.password).toBe('new');
  });

  it('is read again once for functions refused at once after a rotation', async () => {
    // Prepare: one container, two functions connecting together with the old password (Write, AwaitProbe)
    const e = env();
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: '{"password":"old"}' })
      .resolves({ SecretString: '{"password":"new"}' });
    await redisCredentials(e);
    const connect = () =>
      withRedisCredentials(async ({ password }) => {
        if (password === 'old') throw refused('WRONGPASS invalid username-password pair');
        return password;
      }, e);

    // Act
    const results = await Promise.all([connect(), connect()]);

    // Assess
    expect(results).toEqual(['new', 'new']);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('gives up after the one re-read, and never re-reads on NOPERM or other errors', async () => {
    // Prepare
    const e = env();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'token' });
    let attempts = 0;

    // Act
    const stillRefused = await withRedisCredentials(async () => {
      attempts++;
      throw refused('NOAUTH Authentication required.');
    }, e).catch((error: unknown) => error);
    const reads = secrets.commandCalls(GetSecretValueCommand).length;
    const noPerm = await withRedisCredentials(async () => {
      throw refused('NOPERM this user has no permissions');
    }, e).catch((error: unknown) => error);

    // Assess
    expect(stillRefused).toBeInstanceOf(RedisAuthError);
    expect(attempts).toBe(2);
    expect(reads).toBe(2);
    expect(noPerm).toBeInstanceOf(RedisAuthError);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('names a failed read and a malformed value without quoting the value, and keeps no failed read', async () => {
    // Prepare
    const e = env();
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))
      .resolves({ SecretString: '{"password":"p"}' });

    // Act
    const denied = await redisCredentials(e).catch((error: unknown) => error);
    const later = await redisCredentials(e);
    const malformed = (() => {
      try {
        return credentialsOf('{"pass": "hunter2-secret"}');
      } catch (error) {
        return error;
      }
    })();

    // Assess
    expect(denied).toBeInstanceOf(RedisSecretError);
    expect((denied as Error).message).toMatch(/AccessDeniedException/);
    expect(later.password).toBe('p');
    expect(malformed).toBeInstanceOf(RedisSecretError);
    expect((malformed as Error).message).not.toContain('hunter2');
  });

  it('takes a bare AUTH token with the environment’s user, and the environment alone without a secret', async () => {
    // Act
    const token = credentialsOf('tok', 'from-env');
    const fromEnv = await redisCredentials({ REDIS_USERNAME: 'u', REDIS_PASSWORD: 'p' });

    // Assess
    expect(token).toEqual({ username: 'from-env', password: 'tok' });
    expect(fromEnv).toEqual({ username: 'u', password: 'p' });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });
});
