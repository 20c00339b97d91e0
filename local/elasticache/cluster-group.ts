/**
 * A replication group with cluster mode enabled: a real Redis Cluster of N shards × R replicas, node
 * groups 0001…, a configuration endpoint (a proxy in front of any live node; clients then learn the
 * nodes' real addresses from CLUSTER SLOTS). A test failover crashes the shard's primary and makes its
 * best replica take over at once (CLUSTER FAILOVER TAKEOVER): the result is the cluster's, but
 * deterministic. The old primary comes back as a replica of the new one, as ElastiCache brings back a
 * replaced node: its own cluster record says so before it restarts. Left to the epochs, it could take its
 * slots back — TAKEOVER bumps the new primary's epoch without consensus, and not at all when that epoch is
 * already the highest, so the returning node can tie it and win the tie. Roles change only so: the
 * replicas never start an election of their own
 * (cluster-replica-no-failover), as on ElastiCache, whose control plane decides failovers. Otherwise a
 * node starved of CPU for longer than the node timeout (a loaded machine) is voted out by its replica —
 * the old primary, just back, then takes its slots again and never becomes the replica it should be.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RedisCluster } from '../redis/cluster.js';
import { FaultProxy } from '../redis/proxy.js';
import type { RedisServer } from '../redis/server.js';
import { failoverMessages } from './events.js';
import {
  CACHE_NODE_ID,
  type Emit,
  endpointOf,
  FailoverLifecycle,
  type FailoverTiming,
  type GroupView,
  type LocalGroup,
  leastLagged,
  nodeGroupId,
  type RedisAccess,
  replicationState,
} from './group.js';

export interface ClusterGroupOptions extends RedisAccess, FailoverTiming {
  id: string;
  shards: number;
  replicas: number;
}

interface Member {
  id: string;
  server: RedisServer;
  createdAt: Date;
}

interface Shard {
  id: string;
  slots: string;
  members: Member[];
  primary: Member;
}

const NODE_TIMEOUT_MS = 1000;
/** Failovers are the control plane's alone (TestFailover), never an election the cluster starts. */
const NO_AUTOMATIC_FAILOVER = { 'cluster-replica-no-failover': 'yes' };
const STEP_TIMEOUT_MS = 20_000;

export class ClusterGroup extends FailoverLifecycle implements LocalGroup {
  private readonly createdAt = new Date();

  private constructor(
    private readonly options: ClusterGroupOptions,
    private readonly cluster: RedisCluster,
    private readonly shards: Shard[],
    private readonly configurationEndpoint: FaultProxy,
    readonly engineVersion: string,
  ) {
    super();
  }

  get id(): string {
    return this.options.id;
  }

  static async start(options: ClusterGroupOptions): Promise<ClusterGroup> {
    const { id, shards, replicas, password, aclUsers, tls } = options;
    const cluster = await RedisCluster.start({
      shards,
      replicas,
      password,
      aclUsers,
      tls,
      nodeTimeoutMs: NODE_TIMEOUT_MS,
      config: NO_AUTOMATIC_FAILOVER,
      name: id,
    });
    try {
      const createdAt = new Date();
      const groups: Shard[] = cluster.shards.map((shard, s) => {
        const ng = nodeGroupId(s);
        const members = shard.nodes.map((server, r) => ({
          id: `${id}-${ng}-${String(r + 1).padStart(3, '0')}`,
          server,
          createdAt,
        }));
        return { id: ng, slots: `${shard.slots[0]}-${shard.slots[1]}`, members, primary: members[0]! };
      });
      const first = cluster.nodes[0]!;
      const configurationEndpoint = await FaultProxy.start({ target: first.endpoint });
      const version = (await first.info('server')).redis_version ?? 'unknown';
      return new ClusterGroup(options, cluster, groups, configurationEndpoint, version);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  view(): GroupView {
    return {
      id: this.id,
      clusterMode: 'enabled',
      tls: this.options.tls !== undefined,
      authToken: this.options.password !== undefined,
      engineVersion: this.engineVersion,
      createdAt: this.createdAt,
      configurationEndpoint: endpointOf(this.configurationEndpoint),
      nodeGroups: this.shards.map((shard) => ({
        id: shard.id,
        slots: shard.slots,
        members: shard.members.map((m) => ({
          id: m.id,
          nodeGroupId: shard.id,
          endpoint: m.server.endpoint,
          role: m === shard.primary ? 'primary' : 'replica',
          createdAt: m.createdAt,
        })),
      })),
    };
  }

  /** The process id of a node (fault injection: a stall is SIGSTOP, as a starved machine makes one). */
  pid(nodeId: string): number | undefined {
    return this.shards.flatMap((s) => s.members).find((m) => m.id === nodeId)?.server.pid;
  }

  protected async release(): Promise<void> {
    await Promise.all([this.cluster.stop(), this.configurationEndpoint.close()]);
  }

  protected async runFailover(nodeGroupId: string, emit: Emit): Promise<void> {
    const shard = this.shards.find((s) => s.id === nodeGroupId)!;
    await this.pause(this.options.detectionDelayMs);
    const from = shard.primary;
    const candidates = shard.members.filter((m) => m !== from);
    if (!this.options.graceful) {
      await from.server.kill();
      this.moveConfigurationEndpoint();
    }
    const to = await leastLagged(candidates);
    // Graceful: the primary pauses its clients until `to` has caught up, then the roles swap.
    await to.server.call('CLUSTER', 'FAILOVER', ...(this.options.graceful ? [] : ['TAKEOVER']));
    await this.waitUntil(
      `${to.id} serving the slots of ${shard.id}`,
      async () => {
        const state = await replicationState(to.server);
        return state.role === 'master' && (await this.cluster.waitUntilHealthy(1).then(() => true));
      },
      STEP_TIMEOUT_MS,
    );
    shard.primary = to;
    emit('cache-cluster', to.id, failoverMessages.completed(from.id, to.id));
    emit('replication-group', this.id, failoverMessages.completed(from.id, to.id));

    emit('cache-cluster', from.id, failoverMessages.recovering(CACHE_NODE_ID));
    this.check();
    if (!this.options.graceful) {
      await rejoinAsReplica(from.server, (await to.server.call('CLUSTER', 'MYID')) as string);
      await from.server.restart();
    }
    // The old primary comes back as the new primary's replica and syncs from it.
    await this.waitUntil(
      `${from.id} in sync with ${to.id}`,
      async () => {
        const state = await replicationState(from.server);
        return state.role === 'slave' && state.linkUp && state.masterPort === to.server.port;
      },
      STEP_TIMEOUT_MS,
    );
    this.moveConfigurationEndpoint();
    emit('cache-cluster', from.id, failoverMessages.finished(CACHE_NODE_ID));
  }

  /** The configuration endpoint stays on a live node, as ElastiCache's DNS name resolves to live ones. */
  private moveConfigurationEndpoint(): void {
    const target = this.configurationEndpoint.target;
    const live = this.cluster.nodes.filter((n) => n.running);
    if (live.some((n) => n.port === target.port)) return;
    const next = live[0];
    if (next) this.configurationEndpoint.retarget(next.endpoint);
  }
}

/**
 * Rewrites a stopped node's own line in its nodes.conf: a replica of `primaryId`, no slots. It learns the
 * rest (the new primary's slots and epoch) from the cluster once it is back.
 */
async function rejoinAsReplica(server: RedisServer, primaryId: string): Promise<void> {
  const file = join(server.dir, 'nodes.conf');
  const lines = (await readFile(file, 'utf8')).split('\n').map((line) => {
    const fields = line.split(' ');
    const flags = fields[2]?.split(',') ?? [];
    if (!flags.includes('myself')) return line;
    // <id> <addr> <flags> <primary> <ping-sent> <pong-recv> <config-epoch> <link-state> [slots…]
    fields[2] = flags.map((f) => (f === 'master' ? 'slave' : f)).join(',');
    fields[3] = primaryId;
    return fields.slice(0, 8).join(' ');
  });
  await writeFile(file, lines.join('\n'));
}
