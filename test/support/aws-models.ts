/**
 * AWS's own service models, the judge of the local cloud: botocore's `data/<service>/<api>/service-2.json.gz`,
 * from the botocore this machine has (the AWS CLI v1 parses with the same one, so the conformance suite and the
 * second client judge by one model). Pinned: a different botocore is refused by name, not silently used.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Durability, EffectiveDurability } from '@aws-sdk/client-elasticache';

export const BOTOCORE_VERSION = readFileSync(new URL('./botocore-version', import.meta.url), 'utf8').trim();

export interface Shape {
  type: string;
  members?: Record<string, { shape: string; locationName?: string; flattened?: boolean }>;
  required?: string[];
  member?: { shape: string; locationName?: string };
  key?: { shape: string; locationName?: string };
  value?: { shape: string; locationName?: string };
  flattened?: boolean;
  enum?: string[];
  min?: number;
  max?: number;
  error?: { code?: string; httpStatusCode?: number };
  exception?: boolean;
  timestampFormat?: string;
}

export interface Operation {
  name: string;
  output?: { shape: string; resultWrapper?: string };
  errors?: { shape: string }[];
}

export interface ServiceModel {
  metadata: { apiVersion: string; protocol: string; xmlNamespace?: string; targetPrefix?: string };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

export class BotocoreMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BotocoreMissingError';
  }
}

let located: { dir: string; version: string } | undefined;

/** botocore's package directory and version, from python3 (once). */
export function botocore(): { dir: string; version: string } {
  if (located) return located;
  let out: string;
  try {
    out = execFileSync(
      'python3',
      ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__)); print(botocore.__version__)'],
      {
        encoding: 'utf8',
      },
    );
  } catch (error) {
    throw new BotocoreMissingError(
      `python3 with botocore ${BOTOCORE_VERSION} is needed: ${(error as Error).message}`,
    );
  }
  const [dir = '', version = ''] = out.trim().split('\n');
  if (version !== BOTOCORE_VERSION)
    throw new BotocoreMissingError(
      `botocore ${version} found; the service models are pinned at ${BOTOCORE_VERSION}`,
    );
  located = { dir, version };
  return located;
}

const cache = new Map<string, ServiceModel>();

/**
 * Members AWS added after the pinned botocore, taken from the pinned @aws-sdk's own model, in this one
 * place: a replication group's Durability and EffectiveDurability (ElastiCache durability, June 2026),
 * with the SDK's enums, and the Durability that CreateReplicationGroup and ModifyReplicationGroup take.
 */
const NEWER_THAN_BOTOCORE: Record<string, (model: ServiceModel) => void> = {
  'elasticache/2015-02-02': (model) => {
    model.shapes.Durability = { type: 'string', enum: Object.values(Durability) };
    model.shapes.EffectiveDurability = { type: 'string', enum: Object.values(EffectiveDurability) };
    const group = model.shapes.ReplicationGroup!;
    group.members = {
      ...group.members,
      Durability: { shape: 'Durability' },
      EffectiveDurability: { shape: 'EffectiveDurability' },
    };
    for (const input of ['CreateReplicationGroupMessage', 'ModifyReplicationGroupMessage']) {
      const message = model.shapes[input]!;
      message.members = { ...message.members, Durability: { shape: 'Durability' } };
    }
  },
};

/** The service model of `service` (botocore's name: elasticache, sns, stepfunctions…) at `apiVersion`. */
export function serviceModel(service: string, apiVersion: string): ServiceModel {
  const key = `${service}/${apiVersion}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const base = join(botocore().dir, 'data', service, apiVersion, 'service-2.json');
  const text = existsSync(`${base}.gz`)
    ? gunzipSync(readFileSync(`${base}.gz`)).toString('utf8')
    : readFileSync(base, 'utf8');
  const model = JSON.parse(text) as ServiceModel;
  for (const [name, operation] of Object.entries(model.operations)) operation.name = name;
  NEWER_THAN_BOTOCORE[key]?.(model);
  cache.set(key, model);
  return model;
}

/**
 * A botocore data directory holding `service`'s model as this project judges by it (NEWER_THAN_BOTOCORE
 * applied), for `AWS_DATA_PATH`: the AWS CLI v1 then parses and sends the newer members too.
 */
export function modelDataPath(service: string, apiVersion: string): string {
  const dir = join(tmpdir(), `failover-drill-models-${BOTOCORE_VERSION}-${process.pid}`);
  const at = join(dir, service, apiVersion);
  mkdirSync(at, { recursive: true });
  writeFileSync(join(at, 'service-2.json'), JSON.stringify(serviceModel(service, apiVersion)));
  return dir;
}
