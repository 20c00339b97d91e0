/**
 * CreateReplicationGroup as the local cloud models it (issue 23): a cluster-mode-disabled group started on
 * real redis-server processes by the same path the CLI's groups take, durable or not. The request is judged
 * here, purely, as AWS judges what it documents of durability (Developer Guide, *Durability* ›
 * *Limitations*): Valkey 9.0 or later, Multi-AZ with at least one replica, a value of the model's enum.
 * AWS documents no error code for these refusals; they are CreateReplicationGroup's listed faults.
 */
import { Durability } from '@aws-sdk/client-elasticache';
import type { QueryParams } from '../protocols/query.js';
import { DURABLE_ENGINE } from './durability.js';
import { elastiCacheFaults as faults } from './faults.js';
import { compareVersions, VERSION_PATTERN } from './node-replacement.js';

/** What the local cloud starts for a CreateReplicationGroup it accepts. */
export interface CreateGroupRequest {
  id: string;
  replicas: number;
  /** Absent: durability disabled (or `default`, which Valkey 9.0 resolves to disabled). */
  durability?: 'sync' | 'async';
}

/** The Durability values of @aws-sdk/client-elasticache's model (the pinned botocore has none). */
export const DURABILITY_VALUES: readonly string[] = Object.values(Durability);

/** The first engine version with durability (AWS: "supported on Valkey 9.0 or later"). */
const FIRST_DURABLE_VERSION = '9.0';

/** What the local cloud reads of the request; any other member is refused as not modelled. */
const MODELLED = new Set([
  'Action',
  'Version',
  'ReplicationGroupId',
  'ReplicationGroupDescription',
  'Engine',
  'EngineVersion',
  'Durability',
  'NumCacheClusters',
  'ReplicasPerNodeGroup',
  'MultiAZEnabled',
  'AutomaticFailoverEnabled',
  'CacheNodeType',
]);

/** AWS's rule for a replication group id: a letter first, letters, digits and single hyphens, ≤ 40. */
const GROUP_ID = /^[A-Za-z](?:-?[A-Za-z0-9])*$/;

/** The request, checked; refused by the fault AWS's model lists for each case. */
export function checkCreateReplicationGroup(
  p: QueryParams,
  exists: (id: string) => boolean,
): CreateGroupRequest {
  const other = Object.keys(p.toRecord()).find((name) => !MODELLED.has(name));
  if (other !== undefined)
    throw faults.invalidParameterValue(
      `The local cloud creates cluster-mode-disabled groups from ${[...MODELLED].slice(2).join(', ')} only, not ${other}.`,
    );
  const id = p.required('ReplicationGroupId');
  p.required('ReplicationGroupDescription');
  if (id.length > 40 || !GROUP_ID.test(id))
    throw faults.invalidParameterValue(
      `Invalid value for ReplicationGroupId: ${id}. It must begin with a letter, hold letters, digits and single hyphens, and be at most 40 characters.`,
    );
  if (exists(id)) throw faults.replicationGroupAlreadyExists(id);
  const engine = (p.string('Engine') ?? 'redis').toLowerCase();
  if (engine !== 'redis' && engine !== DURABLE_ENGINE)
    throw faults.invalidParameterValue(`Invalid value for Engine: ${engine}. Valid values: redis, valkey.`);
  const version = p.string('EngineVersion');
  if (version !== undefined && !VERSION_PATTERN.test(version))
    throw faults.invalidParameterValue(`Invalid value for EngineVersion: ${version}`);
  const durability = checkDurability(p, engine, version);
  const replicas = replicasOf(p);
  if (durability && (replicas < 1 || p.boolean('MultiAZEnabled') !== true))
    throw faults.invalidParameterCombination(
      'Durability requires Multi-AZ enabled (MultiAZEnabled true) with at least one replica per shard.',
    );
  // The local cloud presents valkey only as a durable group's engine (shapes.ts).
  if (!durability && engine === DURABLE_ENGINE)
    throw faults.invalidParameterValue(
      'The local cloud creates a valkey group only with Durability sync or async; use engine redis.',
    );
  return { id, replicas, ...(durability ? { durability } : {}) };
}

/** Durability against the engine and its version, as AWS documents it. */
function checkDurability(
  p: QueryParams,
  engine: string,
  version: string | undefined,
): 'sync' | 'async' | undefined {
  const durability = p.string('Durability');
  if (durability === undefined) return undefined;
  if (!DURABILITY_VALUES.includes(durability))
    throw faults.invalidParameterValue(
      `Invalid value for Durability: ${durability}. Valid values: ${DURABILITY_VALUES.join(', ')}.`,
    );
  if (durability !== 'sync' && durability !== 'async') return undefined;
  if (engine !== DURABLE_ENGINE)
    throw faults.invalidParameterCombination(
      `Durability ${durability} is not supported for engine ${engine}: it needs Valkey ${FIRST_DURABLE_VERSION} or later.`,
    );
  // No EngineVersion: AWS takes the newest Valkey, which has durability.
  if (version !== undefined && compareVersions(version, FIRST_DURABLE_VERSION) < 0)
    throw faults.invalidParameterCombination(
      `Durability ${durability} is not supported for Valkey ${version}: it needs Valkey ${FIRST_DURABLE_VERSION} or later.`,
    );
  return durability;
}

/** Replicas from NumCacheClusters (all nodes, 1–6) or ReplicasPerNodeGroup (0–5); neither: one. */
function replicasOf(p: QueryParams): number {
  const clusters = p.integer('NumCacheClusters', { min: 1, max: 6 });
  const perGroup = p.integer('ReplicasPerNodeGroup', { min: 0, max: 5 });
  if (clusters !== undefined && perGroup !== undefined && clusters - 1 !== perGroup)
    throw faults.invalidParameterCombination(
      'NumCacheClusters and ReplicasPerNodeGroup disagree on the number of replicas.',
    );
  return perGroup ?? (clusters === undefined ? 1 : clusters - 1);
}
