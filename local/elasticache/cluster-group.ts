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
 *
 * The realistic model (ClusterGroup.realisticFailover) puts a proxy in front of every node, announced in
 * the slot map, so that a failing primary can stop answering without dying at once.
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
  type Endpoint,
  endpointOf,
  FailoverLifecycle,
  type FailoverTiming,
  type GroupView,
  type LocalGroup,
  leastLagged,
  nodeGroupId,
  REALISTIC_DEFAULTS,
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
  /** Realistic model: where clients and replicas reach the node (announced in the slot map). */
  proxy?: FaultProxy;
  createdAt: Date;
}

/** The node's address as the cluster announces it: its proxy's when it has one. */
function announced(member: Member): Endpoint {
  return member.proxy ? endpointOf(member.proxy) : member.server.endpoint;
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
    const proxies = new Map<RedisServer, FaultProxy>();
    const closeProxies = () => Promise.all([...proxies.values()].map((proxy) => proxy.close()));
    const announce = realistic(options)
      ? async (server: RedisServer) => {
          const proxy = await FaultProxy.start({ target: server.endpoint });
          proxies.set(server, proxy);
          return proxy.port;
        }
      : undefined;
    const cluster = await RedisCluster.start({
      shards,
      replicas,
      password,
      aclUsers,
      tls,
      nodeTimeoutMs: NODE_TIMEOUT_MS,
      config: NO_AUTOMATIC_FAILOVER,
      name: id,
      announce,
    }).catch(async (error) => {
      await closeProxies();
      throw error;
    });
    try {
      const createdAt = new Date();
      const groups: Shard[] = cluster.shards.map((shard, s) => {
        const ng = nodeGroupId(s);
        const members = shard.nodes.map((server, r) => ({
          id: `${id}-${ng}-${String(r + 1).padStart(3, '0')}`,
          server,
          proxy: proxies.get(server),
          createdAt,
        }));
        return { id: ng, slots: `${shard.slots[0]}-${shard.slots[1]}`, members, primary: members[0]! };
      });
      const first = cluster.nodes[0]!;
      // In front of the node's announced address, so that a node that stops answering does so here too.
      const configurationEndpoint = await FaultProxy.start({ target: announced(groups[0]!.members[0]!) });
      const version = (await first.info('server')).redis_version ?? 'unknown';
      return new ClusterGroup(options, cluster, groups, configurationEndpoint, version);
    } catch (error) {
      await Promise.all([cluster.stop(), closeProxies()]);
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
          endpoint: announced(m),
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
    await Promise.all([
      this.cluster.stop(),
      this.configurationEndpoint.close(),
      ...this.shards.flatMap((s) => s.members.map((m) => m.proxy?.close())),
    ]);
  }

  protected async runFailover(nodeGroupId: string, emit: Emit): Promise<void> {
    const shard = this.shards.find((s) => s.id === nodeGroupId)!;
    if (realistic(this.options)) return this.realisticFailover(shard, emit);
    await this.pause(this.options.detectionDelayMs);
    const from = shard.primary;
    if (!this.options.graceful) {
      await from.server.kill();
      this.moveConfigurationEndpoint();
    }
    const to = await this.promote(shard, emit);
    emit('cache-cluster', from.id, failoverMessages.recovering(CACHE_NODE_ID));
    this.check();
    if (!this.options.graceful) await this.rejoin(from, to);
    await this.recovered(from, to, emit);
  }

  /**
   * ElastiCache's phases as a cluster client lives them (AWS, "Mitigating Failures": ElastiCache detects
   * the primary node failure, promotes the read replica with the least replication lag, and spins up a
   * replica in the failed primary's place that syncs with the new primary; "Cluster client discovery and
   * exponential backoff": on a failover all slots of the former primary are taken over by the replica,
   * and a client learns it from a MOVED redirection or its own refresh of CLUSTER SLOTS). Node endpoints
   * keep their addresses ("Each cache node has its own DNS name and port"), so there is no DNS lag:
   * 1. the primary stops answering: packets to it are dropped (connections stall, connects time out);
   * 2. after the detection delay the least-lagged replica takes over the shard's slots (the slot map
   *    changes; clients that refresh it move on);
   * 3. connections to the old node still hang for `staleConnectionsMs`, for a client whose slot map
   *    still names it;
   * 4. the old node comes back as a replica of the new primary: what lived through the outage is reset,
   *    and a write that still reaches it is answered MOVED to the new primary;
   * 5. it is in sync ("Finished recovery").
   */
  private async realisticFailover(shard: Shard, emit: Emit): Promise<void> {
    const staleMs = this.options.staleConnectionsMs ?? REALISTIC_DEFAULTS.staleConnectionsMs;
    const from = shard.primary;
    const proxy = from.proxy!;
    // Nothing reaches the node; what it already sent arrives: its replica gets every acknowledged write.
    proxy.blackhole('toServer');
    // The name resolves to another node from now on; connections already open to this one stall with it.
    this.moveConfigurationEndpoint(from, { cut: false });
    await this.pause(this.options.detectionDelayMs);
    await from.server.kill();
    const to = await this.promote(shard, emit);
    await this.pause(staleMs);
    emit('cache-cluster', from.id, failoverMessages.recovering(CACHE_NODE_ID));
    await this.rejoin(from, to);
    proxy.heal();
    await this.recovered(from, to, emit);
  }

  /** The least-lagged replica takes over the shard's slots (graceful: once it has caught up). */
  private async promote(shard: Shard, emit: Emit): Promise<Member> {
    const from = shard.primary;
    const to = await leastLagged(shard.members.filter((m) => m !== from));
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
    return to;
  }

  /** The crashed primary restarts as the new primary's replica. */
  private async rejoin(from: Member, to: Member): Promise<void> {
    this.check();
    await rejoinAsReplica(from.server, (await to.server.call('CLUSTER', 'MYID')) as string);
    await from.server.restart();
  }

  /** The old primary replicates the new one (at the address the new one announces). */
  private async recovered(from: Member, to: Member, emit: Emit): Promise<void> {
    await this.waitUntil(
      `${from.id} in sync with ${to.id}`,
      async () => {
        const state = await replicationState(from.server);
        return state.role === 'slave' && state.linkUp && state.masterPort === announced(to).port;
      },
      STEP_TIMEOUT_MS,
    );
    this.moveConfigurationEndpoint();
    emit('cache-cluster', from.id, failoverMessages.finished(CACHE_NODE_ID));
  }

  /**
   * The configuration endpoint stays on a live node (not `avoid`, one that stopped answering), as
   * ElastiCache's DNS name resolves to live ones.
   */
  private moveConfigurationEndpoint(avoid?: Member, options?: { cut?: boolean }): void {
    const target = this.configurationEndpoint.target;
    const live = this.shards.flatMap((s) => s.members).filter((m) => m.server.running && m !== avoid);
    if (live.some((m) => announced(m).port === target.port)) return;
    const next = live[0];
    if (next) this.configurationEndpoint.retarget(announced(next), options);
  }
}

/** The realistic model needs a crash to stage; a graceful handover is the same in both models. */
function realistic(options: FailoverTiming): boolean {
  return options.model === 'realistic' && !options.graceful;
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
