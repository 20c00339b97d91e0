/**
 * Secrets Manager (API 2017-10-17) for the data plane's credentials: CreateSecret, PutSecretValue,
 * GetSecretValue and DescribeSecret, in the AWS JSON 1.1 protocol that both the pinned SDK and the AWS
 * CLI v1 send (target prefix `secretsmanager`). Versions are staged as AWS stages them: a new value
 * becomes AWSCURRENT and the one before it AWSPREVIOUS, so a rotation is one PutSecretValue. Values are
 * kept in memory only and never logged.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Account } from '../account.js';
import type { ServiceHandler } from '../control-plane.js';
import { epochSeconds, JsonFault, type JsonInput, jsonService } from '../protocols/json.js';

export const SECRETS_MANAGER_TARGET_PREFIX = 'secretsmanager';

/** Secrets Manager's own faults, as botocore's model names them (every one HTTP 400). */
export const secretsManagerFaults = {
  missing: (member: string) =>
    new JsonFault('InvalidParameterException', 400, `You must provide a value for ${member}.`),
  invalid: (message: string) => new JsonFault('InvalidParameterException', 400, message),
  request: (message: string) => new JsonFault('InvalidRequestException', 400, message),
  notFound: () =>
    new JsonFault('ResourceNotFoundException', 400, "Secrets Manager can't find the specified secret."),
  versionNotFound: () =>
    new JsonFault(
      'ResourceNotFoundException',
      400,
      "Secrets Manager can't find the specified secret value for the given version or staging label.",
    ),
  exists: (message: string) => new JsonFault('ResourceExistsException', 400, message),
};

const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
const NAME = /^[A-Za-z0-9/_+=.@-]+$/;

interface Version {
  id: string;
  value: { SecretString: string } | { SecretBinary: string };
  stages: Set<string>;
  created: number;
}

interface Secret {
  arn: string;
  name: string;
  description?: string;
  created: number;
  changed: number;
  accessed?: number;
  versions: Map<string, Version>;
}

export class SecretsManagerService {
  readonly handler: ServiceHandler;
  readonly operations = ['CreateSecret', 'PutSecretValue', 'GetSecretValue', 'DescribeSecret'];
  private readonly secrets = new Map<string, Secret>();
  /** GetSecretValue calls answered, by secret name: how often a caller read it (the cache's test). */
  private readonly reads = new Map<string, number>();

  constructor(
    private readonly account: Account,
    private readonly clock: () => number = Date.now,
  ) {
    this.handler = jsonService(
      {
        targetPrefix: SECRETS_MANAGER_TARGET_PREFIX,
        namespace: 'com.amazonaws.secretsmanager',
        jsonVersion: '1.1',
        faults: secretsManagerFaults,
      },
      {
        CreateSecret: (input) => {
          const name = input.required('Name', { min: 1, max: 512 });
          const value = secretValue(input, false);
          const secret = this.createSecret(name, value, {
            description: input.string('Description', { max: 2048 }),
            versionId: versionToken(input),
          });
          const versionId = value && [...secret.versions.keys()][0];
          return { ARN: secret.arn, Name: secret.name, ...(versionId ? { VersionId: versionId } : {}) };
        },
        PutSecretValue: (input) => {
          const secret = this.find(input.required('SecretId', { min: 1, max: 2048 }));
          const value = secretValue(input, true)!;
          const version = this.putValue(secret, value, versionToken(input));
          return {
            ARN: secret.arn,
            Name: secret.name,
            VersionId: version.id,
            VersionStages: [...version.stages],
          };
        },
        GetSecretValue: (input) => {
          const secret = this.find(input.required('SecretId', { min: 1, max: 2048 }));
          const versionId = input.string('VersionId', { min: 32, max: 64 });
          const stage = input.string('VersionStage', { min: 1, max: 256 });
          const exact =
            versionId !== undefined
              ? secret.versions.get(versionId)
              : [...secret.versions.values()].find((v) => v.stages.has(stage ?? CURRENT));
          if (exact && stage !== undefined && !exact.stages.has(stage))
            throw secretsManagerFaults.versionNotFound();
          if (!exact) throw secretsManagerFaults.versionNotFound();
          secret.accessed = this.clock();
          this.reads.set(secret.name, (this.reads.get(secret.name) ?? 0) + 1);
          return {
            ARN: secret.arn,
            Name: secret.name,
            VersionId: exact.id,
            ...exact.value,
            VersionStages: [...exact.stages],
            CreatedDate: epochSeconds(exact.created),
          };
        },
        DescribeSecret: (input) => {
          const secret = this.find(input.required('SecretId', { min: 1, max: 2048 }));
          return {
            ARN: secret.arn,
            Name: secret.name,
            ...(secret.description !== undefined ? { Description: secret.description } : {}),
            RotationEnabled: false,
            LastChangedDate: epochSeconds(secret.changed),
            ...(secret.accessed !== undefined ? { LastAccessedDate: epochSeconds(secret.accessed) } : {}),
            CreatedDate: epochSeconds(secret.created),
            VersionIdsToStages: Object.fromEntries(
              [...secret.versions.values()]
                .filter((v) => v.stages.size > 0)
                .map((v) => [v.id, [...v.stages]]),
            ),
          };
        },
      },
    );
  }

  /** Creates a secret (with its first value, staged AWSCURRENT); its ARN ends in six random characters, as AWS's do. */
  createSecret(
    name: string,
    value?: Version['value'],
    options: { description?: string; versionId?: string } = {},
  ): Secret {
    if (!NAME.test(name))
      throw secretsManagerFaults.invalid(
        'The secret name can contain ASCII letters, numbers and /_+=.@- only.',
      );
    if (this.secrets.has(name))
      throw secretsManagerFaults.exists(`The operation failed because the secret ${name} already exists.`);
    const now = this.clock();
    const suffix = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 6);
    const secret: Secret = {
      arn: `arn:aws:secretsmanager:${this.account.region}:${this.account.accountId}:secret:${name}-${suffix}`,
      name,
      description: options.description,
      created: now,
      changed: now,
      versions: new Map(),
    };
    if (value) this.putValue(secret, value, options.versionId);
    this.secrets.set(name, secret);
    return secret;
  }

  /** A new value, staged AWSCURRENT; the value it replaces becomes AWSPREVIOUS (a rotation). */
  putSecretString(secretId: string, value: string): string {
    return this.putValue(this.find(secretId), { SecretString: value }).id;
  }

  /** How many times GetSecretValue answered for this secret (by name or ARN). */
  readCount(secretId: string): number {
    return this.reads.get(this.find(secretId).name) ?? 0;
  }

  private putValue(secret: Secret, value: Version['value'], versionId: string = randomUUID()): Version {
    const existing = secret.versions.get(versionId);
    if (existing) {
      // The SDK's idempotency token: the same request again is the same version; another value is refused.
      if (JSON.stringify(existing.value) !== JSON.stringify(value))
        throw secretsManagerFaults.exists(
          `A version with VersionId ${versionId} already exists with a different value.`,
        );
      return existing;
    }
    for (const v of secret.versions.values()) {
      v.stages.delete(PREVIOUS);
      if (v.stages.delete(CURRENT)) v.stages.add(PREVIOUS);
    }
    const now = this.clock();
    const version: Version = { id: versionId, value, stages: new Set([CURRENT]), created: now };
    secret.versions.set(versionId, version);
    secret.changed = now;
    return version;
  }

  /** By name, full ARN, or ARN without its random suffix (a partial ARN), as AWS finds a SecretId. */
  private find(secretId: string): Secret {
    const byName = this.secrets.get(secretId);
    if (byName) return byName;
    for (const secret of this.secrets.values())
      if (secret.arn === secretId || secret.arn.slice(0, -7) === secretId) return secret;
    throw secretsManagerFaults.notFound();
  }
}

/** The value given, SecretString or SecretBinary (base64 on the wire), never both; required or not. */
function secretValue(input: JsonInput, required: boolean): Version['value'] | undefined {
  const text = input.string('SecretString', { min: 1, max: 65_536 });
  const binary = input.string('SecretBinary', { min: 1, max: 87_384 });
  if (text !== undefined && binary !== undefined)
    throw secretsManagerFaults.invalid(
      "You can't specify both a binary secret value and a string secret value.",
    );
  if (binary !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(binary))
    throw secretsManagerFaults.invalid('SecretBinary must be base64.');
  if (text === undefined && binary === undefined) {
    if (required) throw secretsManagerFaults.invalid('You must provide either SecretString or SecretBinary.');
    return undefined;
  }
  return text !== undefined ? { SecretString: text } : { SecretBinary: binary! };
}

/** ClientRequestToken, which the SDK and the CLI fill in (an idempotency token): the version's id. */
function versionToken(input: JsonInput): string | undefined {
  return input.string('ClientRequestToken', { min: 32, max: 64 });
}
