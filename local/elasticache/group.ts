/**
 * What the control plane knows of a replication group, whichever its cluster mode: a view for the
 * Describe* shapes and the data-plane facts, and a failover the group runs on its own processes.
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisServer } from '../redis/server.js';
import type { TlsFiles } from '../redis/tls.js';
import type { ReshardRequest } from './cluster-group.js';
import type { LogMetric } from './durability.js';
import type { SourceType } from './events.js';
import type { NodeReplacementRequest } from './node-replacement.js';

export interface Endpoint {
  host: string;
  port: number;
}

export type Role = 'primary' | 'replica';

export interface NodeView {
  /** The cache cluster id, e.g. drill-demo-002 or drill-demo-0001-002. */
  id: string;
  nodeGroupId: string;
  /** The node's own address (its real redis-server port). */
  endpoint: Endpoint;
  role: Role;
  createdAt: Date;
}

export interface NodeGroupView {
  id: string;
  /** Cluster mode enabled: the slot range, e.g. 0-5460. */
  slots?: string;
  /** Cluster mode disabled: the endpoints that follow the roles. */
  primaryEndpoint?: Endpoint;
  readerEndpoint?: Endpoint;
  members: NodeView[];
}

export interface GroupView {
  id: string;
  clusterMode: 'enabled' | 'disabled';
  nodeGroups: NodeGroupView[];
  configurationEndpoint?: Endpoint;
  tls: boolean;
  authToken: boolean;
  engineVersion: string;
  /** After a scale (node-replacement.ts); absent: the local cloud's default node type. */
  cacheNodeType?: string;
  /**
   * A durable-capable group's mode (Engine valkey): `Durability` and `EffectiveDurability` as AWS reports
   * them; `disabled` once ModifyReplicationGroup switched it off.
   */
  durability?: 'sync' | 'async' | 'disabled';
  createdAt: Date;
}

/** A plain address of anything that listens (a server, a proxy). */
export function endpointOf(listener: Endpoint): Endpoint {
  return { host: listener.host, port: listener.port };
}

/** Records one event in the group's event log. */
export type Emit = (sourceType: SourceType, sourceIdentifier: string, message: string) => void;

export interface LocalGroup {
  readonly id: string;
  view(): GroupView;
  /** Runs a test failover of one node group (already validated and announced); resolves once recovered. */
  failover(nodeGroupId: string, emit: Emit): Promise<void>;
  /**
   * Powers off the members named (an Availability Zone's) until `restore` resolves: their redis-servers
   * stop answering, a surviving replica is promoted if the primary was among them, and they come back as
   * replicas. Resolves once they are back in sync. Absent where the local cloud does not model it.
   */
  interruptPower?(memberIds: string[], restore: Promise<void>, emit: Emit): Promise<void>;
  /**
   * Online resharding (cluster mode enabled): slots move with their keys, shards join or leave. Resolves
   * once done. Absent where the local cloud does not model it.
   */
  reshard?(request: ReshardRequest, emit: Emit): Promise<void>;
  /**
   * Node replacement (a scale or an engine upgrade, node-replacement.ts): new nodes sync, the primary
   * fails over to its replacement, the old nodes stop. Resolves once done. Absent where not modelled.
   */
  replaceNodes?(request: NodeReplacementRequest, emit: Emit): Promise<void>;
  /**
   * IncreaseReplicaCount / DecreaseReplicaCount (replica-count.ts): new replicas start and sync from the
   * primary, or the last replicas stop. Resolves once every node group has `count`. Absent where not modelled.
   */
  changeReplicas?(count: number, emit: Emit): Promise<void>;
  /** A durable group's mode switched in place (ModifyReplicationGroup's Durability). Absent: not durable. */
  switchDurability?(mode: 'sync' | 'async' | 'disabled'): void;
  /**
   * A durable group's log metrics (durability.ts), per second of [fromMs, toMs), for the local CloudWatch.
   * Absent, or undefined: the group publishes none.
   */
  durabilitySeconds?(
    metric: LogMetric,
    fromMs: number,
    toMs: number,
  ): { atMs: number; value: number }[] | undefined;
  /** A node's used_memory and maxmemory in bytes (INFO memory), for the local CloudWatch. Absent: none. */
  memory?(nodeId: string): Promise<{ used: number; max: number } | undefined>;
  /** Stops every process and proxy of the group; waits for a failover under way to give up. Idempotent. */
  stop(): Promise<void>;
}

/** How clients and nodes authenticate and encrypt, shared by every node of a group. */
export interface RedisAccess {
  password?: string;
  aclUsers?: string[];
  tls?: TlsFiles;
}

export interface FailoverTiming {
  /**
   * `fast`: TestFailover crashes the primary after the detection delay and the endpoint moves at once.
   * `realistic`: ElastiCache's phases as clients live them, see PrimaryReplicaGroup.realisticFailover
   * and ClusterGroup.realisticFailover.
   */
  model?: FailoverModel;
  /** Between the TestFailover call and the primary's crash (or handover); realistic: the promotion. */
  detectionDelayMs: number;
  /** Realistic: after the promotion, the primary endpoint's name still points at the old node this long. */
  dnsTtlMs?: number;
  /**
   * Realistic: after the name moved (cluster mode: after the promotion), connections to the old node live
   * on this long (until its recovery).
   */
  staleConnectionsMs?: number;
  /** Hand over without loss (Redis FAILOVER / CLUSTER FAILOVER) instead of crashing the primary. */
  graceful: boolean;
}

export type FailoverModel = 'fast' | 'realistic';

/** The realistic model's delays when none are given: a local drill stays well under 20 s. */
export const REALISTIC_DEFAULTS = {
  detectionDelayMs: 1000,
  dnsTtlMs: 2000,
  staleConnectionsMs: 2000,
} as const;

export const CACHE_NODE_ID = '0001';

/** A node group's id as ElastiCache writes it: 0001, 0002, … */
export function nodeGroupId(index: number): string {
  return String(index + 1).padStart(4, '0');
}

/** The group was stopped while a failover was under way: the failover gives up. */
export class GroupStoppedError extends Error {
  constructor(groupId: string) {
    super(`replication group ${groupId} was stopped during a failover`);
    this.name = 'GroupStoppedError';
  }
}

/** A failover step did not reach its state in time. */
export class FailoverStepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FailoverStepError';
  }
}

/**
 * The replica to promote: the highest replication offset (the one that received the most of the
 * primary's stream); on a tie the first in member order, so that the choice is deterministic.
 */
export function pickLeastLagged<T extends { offset: number }>(candidates: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const candidate of candidates) if (!best || candidate.offset > best.offset) best = candidate;
  return best;
}

export interface ReplicationState {
  role: string;
  linkUp: boolean;
  offset: number;
  masterPort?: number;
}

export async function replicationState(server: RedisServer): Promise<ReplicationState> {
  const info = await server.info('replication');
  const offset = Number(info.role === 'slave' ? info.slave_repl_offset : info.master_repl_offset);
  return {
    role: info.role ?? 'unknown',
    linkUp: info.master_link_status === 'up' && info.master_sync_in_progress === '0',
    offset: Number.isFinite(offset) ? offset : -1,
    masterPort: info.master_port === undefined ? undefined : Number(info.master_port),
  };
}

/** The replica that received the most of the primary's stream, by the offsets the replicas report. */
export async function leastLagged<T extends { server: RedisServer }>(replicas: readonly T[]): Promise<T> {
  const offsets = await Promise.all(
    replicas.map(async (member) => ({ member, offset: (await replicationState(member.server)).offset })),
  );
  const best = pickLeastLagged(offsets);
  if (!best) throw new FailoverStepError('no replica to promote');
  return best.member;
}

/**
 * What every local group does around a failover: one at a time, bounded waits, and a stop() that makes a
 * failover under way give up (GroupStoppedError) before the group's processes are released, so that no
 * process is restarted after stop.
 */
export abstract class FailoverLifecycle {
  protected stopped = false;
  private readonly stopSignal = new AbortController();
  private stopping: Promise<void> | undefined;
  private running: Promise<void> | undefined;

  abstract get id(): string;

  protected abstract runFailover(nodeGroupId: string, emit: Emit): Promise<void>;

  /** Stops every process and proxy of the group. */
  protected abstract release(): Promise<void>;

  failover(nodeGroupId: string, emit: Emit): Promise<void> {
    return this.track(this.runFailover(nodeGroupId, emit));
  }

  /** A fault under way that stop() waits for before releasing the processes. */
  protected track(run: Promise<void>): Promise<void> {
    this.running = run.catch(() => {});
    return run;
  }

  /** Resolves with `until`, or when the group stops (then GroupStoppedError). */
  protected async until(until: Promise<void>): Promise<void> {
    await Promise.race([until, once(this.stopSignal.signal, 'abort')]);
    this.check();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      this.stopSignal.abort();
      await this.running;
      await this.release();
    })();
    return this.stopping;
  }

  /** Waits `ms`, or less when the group stops (then GroupStoppedError). */
  protected async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.stopSignal.signal }).catch(() => {});
    this.check();
  }

  protected check(): void {
    if (this.stopped) throw new GroupStoppedError(this.id);
  }

  /** Polls `probe` until true, within `timeoutMs`; a probe that throws (a node restarting) counts as not yet. */
  protected async waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.check();
      if (await probe().catch(() => false)) return;
      if (Date.now() > deadline) throw new FailoverStepError(`${what}: not reached within ${timeoutMs} ms`);
      await sleep(20);
    }
  }
}
