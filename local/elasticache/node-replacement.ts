/**
 * ModifyReplicationGroup's CacheNodeType and EngineVersion as AWS judges them, and the node replacement
 * that applies them: new nodes are started and synced, the primary fails over to its replacement, the old
 * nodes are stopped and their connections dropped (AWS, "Scaling node type"; "Upgrading engine
 * versions": "ElastiCache will terminate existing client connections"). The request check is pure.
 */
import { elastiCacheFaults as faults } from './faults.js';
import type { GroupView } from './group.js';

/** The node type the local cloud reports until a scale changes it. */
export const LOCAL_NODE_TYPE = 'cache.t4g.micro';

/** What a replacement applies; the local cloud announces it on the control plane once switched. */
export interface NodeReplacementRequest {
  cacheNodeType?: string;
  engineVersion?: string;
  /** Nodes replaced so far of the total: the change's progress. */
  progress(replaced: number, total: number): void;
  /** Epoch ms just before the primary hands its role over (FAILOVER): writes may pause from here. */
  switching?(atEpochMs: number): void;
  /** Epoch ms at which the primary endpoint moved to the new primary: connections were cut then. */
  switched?(atEpochMs: number): void;
}

export interface ModifyReplicationGroupInput {
  cacheNodeType?: string;
  engineVersion?: string;
  applyImmediately: boolean;
}

const NODE_TYPE_PATTERN = /^cache\.[a-z0-9]+\.[a-z0-9]+$/;
export const VERSION_PATTERN = /^(\d+)\.(\d+)(?:\.(\d+|x))?$/;

/** The validated change: what the new nodes are; refused as AWS refuses it. */
export function checkModifyReplicationGroup(
  view: GroupView & { cacheNodeType: string },
  input: ModifyReplicationGroupInput,
): { cacheNodeType?: string; engineVersion?: string } {
  const { cacheNodeType, engineVersion } = input;
  if (cacheNodeType === undefined && engineVersion === undefined)
    throw faults.invalidParameterCombination('No modifications were requested.');
  if (cacheNodeType !== undefined) {
    if (!NODE_TYPE_PATTERN.test(cacheNodeType))
      throw faults.invalidParameterValue(`Invalid Cache Node Type: ${cacheNodeType}`);
    if (cacheNodeType === view.cacheNodeType)
      throw faults.invalidParameterCombination(
        `${view.id} already has cache node type ${cacheNodeType}: no modifications were requested.`,
      );
  }
  if (engineVersion !== undefined) {
    const requested = VERSION_PATTERN.exec(engineVersion);
    if (!requested) throw faults.invalidParameterValue(`Invalid value for EngineVersion: ${engineVersion}`);
    if (compareVersions(engineVersion, view.engineVersion) <= 0)
      throw faults.invalidParameterCombination(
        `Cannot modify engine version of ${view.id} from ${view.engineVersion} to ${engineVersion}: only upgrades are supported.`,
      );
  }
  // The local cloud has no maintenance window to defer to.
  if (!input.applyImmediately)
    throw faults.invalidParameterValue(
      'The local cloud applies modifications immediately: ApplyImmediately must be true.',
    );
  return {
    ...(cacheNodeType !== undefined ? { cacheNodeType } : {}),
    ...(engineVersion !== undefined ? { engineVersion } : {}),
  };
}

/** Major, minor, patch compared in order ("x" and an absent patch count as 0). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
