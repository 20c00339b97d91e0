import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsCli } from '../../test/support/aws-cli.js';
import { ControlPlane } from '../control-plane.js';
import { SECRETS_MANAGER_TARGET_PREFIX, SecretsManagerService } from './service.js';

const account = { region: 'us-east-1', accountId: '000000000000' };
let plane: ControlPlane;
let secrets: SecretsManagerService;

beforeEach(async () => {
  secrets = new SecretsManagerService(account);
  plane = await ControlPlane.start();
  plane.mount('secretsmanager', secrets.handler, { targetPrefix: SECRETS_MANAGER_TARGET_PREFIX });
  plane.open();
});
afterEach(async () => {
  await plane.close();
});

const client = () =>
  new SecretsManagerClient({
    endpoint: plane.endpoint,
    region: account.region,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 1,
  });

describe('Secrets Manager through the pinned SDK (AWS JSON 1.1)', () => {
  it('creates a secret, rotates it, and reads AWSCURRENT and AWSPREVIOUS by ARN, partial ARN and name', async () => {
    // Prepare
    const sm = client();

    // Act
    const created = await sm.send(
      new CreateSecretCommand({ Name: 'app/redis', SecretString: '{"username":"u","password":"one"}' }),
    );
    const rotated = await sm.send(
      new PutSecretValueCommand({ SecretId: created.ARN, SecretString: '{"username":"u","password":"two"}' }),
    );
    const current = await sm.send(new GetSecretValueCommand({ SecretId: created.ARN }));
    const byPartialArn = await sm.send(new GetSecretValueCommand({ SecretId: created.ARN!.slice(0, -7) }));
    const previous = await sm.send(
      new GetSecretValueCommand({ SecretId: 'app/redis', VersionStage: 'AWSPREVIOUS' }),
    );

    // Assess
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:app\/redis-\w{6}$/);
    expect(rotated.VersionStages).toEqual(['AWSCURRENT']);
    expect(current).toMatchObject({
      Name: 'app/redis',
      VersionId: rotated.VersionId,
      VersionStages: ['AWSCURRENT'],
    });
    expect(JSON.parse(current.SecretString!).password).toBe('two');
    expect(byPartialArn.SecretString).toBe(current.SecretString);
    expect(JSON.parse(previous.SecretString!).password).toBe('one');
    expect(previous.VersionStages).toEqual(['AWSPREVIOUS']);
    expect(current.CreatedDate).toBeInstanceOf(Date);
    expect(secrets.readCount('app/redis')).toBe(3);
  });

  it('refuses an unknown secret, a duplicate name and a value given twice, by the model’s names', async () => {
    // Prepare
    const sm = client();
    await sm.send(new CreateSecretCommand({ Name: 'known', SecretString: 'x' }));

    // Act
    const unknown = await sm.send(new GetSecretValueCommand({ SecretId: 'nope' })).catch((e: unknown) => e);
    const duplicate = await sm
      .send(new CreateSecretCommand({ Name: 'known', SecretString: 'y' }))
      .catch((e: unknown) => e);
    const both = await sm
      .send(
        new PutSecretValueCommand({ SecretId: 'known', SecretString: 'a', SecretBinary: Buffer.from('b') }),
      )
      .catch((e: unknown) => e);

    // Assess
    expect(unknown).toBeInstanceOf(ResourceNotFoundException);
    expect(duplicate).toMatchObject({ name: 'ResourceExistsException', $metadata: { httpStatusCode: 400 } });
    expect(both).toMatchObject({ name: 'InvalidParameterException' });
    expect(secrets.readCount('known')).toBe(0);
  });
});

describe('Secrets Manager through the AWS CLI v1 (botocore)', () => {
  it('creates, puts and gets a secret value, and names an unknown one ResourceNotFoundException', async () => {
    // Act
    const created = await awsCli(plane.endpoint, [
      'secretsmanager',
      'create-secret',
      '--name',
      'cli/redis',
      '--secret-string',
      'token-one',
    ]);
    const put = await awsCli(plane.endpoint, [
      'secretsmanager',
      'put-secret-value',
      '--secret-id',
      'cli/redis',
      '--secret-string',
      'token-two',
    ]);
    const got = await awsCli(plane.endpoint, [
      'secretsmanager',
      'get-secret-value',
      '--secret-id',
      'cli/redis',
    ]);
    const described = await awsCli(plane.endpoint, [
      'secretsmanager',
      'describe-secret',
      '--secret-id',
      'cli/redis',
    ]);
    const unknown = await awsCli(plane.endpoint, [
      'secretsmanager',
      'get-secret-value',
      '--secret-id',
      'nope',
    ]);

    // Assess
    expect(
      [created.code, put.code, got.code, described.code],
      `${created.stderr}${put.stderr}${got.stderr}`,
    ).toEqual([0, 0, 0, 0]);
    expect(got.json).toMatchObject({
      Name: 'cli/redis',
      SecretString: 'token-two',
      VersionStages: ['AWSCURRENT'],
    });
    expect(
      Object.values((described.json as { VersionIdsToStages: object }).VersionIdsToStages).sort(),
    ).toEqual([['AWSCURRENT'], ['AWSPREVIOUS']]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/ResourceNotFoundException/);
  });
});
