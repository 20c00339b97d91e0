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
import { parseInfo } from '../../functions/shared/redis-info.js';
import { RedisCluster } from '../redis/cluster.js';
import { waitUntilReplicasSynced } from '../redis/progress.js';
import { FaultProxy } from '../redis/proxy.js';
import { RedisServer } from '../redis/server.js';
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
import { type MigrationNode, migrateSlots, planMoves, RESHARD_DEFAULTS, slotsText } from './reshard.js';

/** A shard-count change as ModifyReplicationGroupShardConfiguration asks it (already validated). */
export interface ReshardRequest {
  nodeGroupCount: number;
  /** Scale-in: the node groups to remove (their slots go to the others). */
  remove: string[];
  /** Told the percent of the slots to move that have moved (AWS's ProgressPercentage). */
  progress: (moved: number, total: number) => void;
}

export interface ClusterGroupOptions extends RedisAccess, FailoverTiming {
  id: string;
  shards: number;
  replicas: number;
  /** Resharding's pace (default RESHARD_DEFAULTS). */
  reshard?: { batch?: number; dwellMs?: number };
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
  /** The slots it owns, as the control plane last moved them. */
  slots: number[];
  members: Member[];
  primary: Member;
}

const NODE_TIMEOUT_MS = 1000;
/**
 * The cluster bus's pings a second, bounded: each node pings every other at least once in half the node
 * timeout, so n nodes send ~n²/(timeout/2) a second. Up to 32 nodes (16 shards) the timeout stays 1 s;
 * at 128 nodes it grows to ~16 s, and 2 cores are not spent on ~32,000 pings a second (nodes starved
 * past the timeout are flagged failing, and the whole cluster with them).
 */
const BUS_PINGS_PER_SECOND = 2000;

/** The node timeout for a group of `nodes` processes: 1 s, or more where the bus's pings would pass the bound. */
export function nodeTimeoutMs(nodes: number): number {
  return Math.max(NODE_TIMEOUT_MS, Math.ceil((2 * nodes * (nodes - 1) * 1000) / BUS_PINGS_PER_SECOND));
}
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
      nodeTimeoutMs: nodeTimeoutMs(shards * (1 + replicas)),
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
        const slots = Array.from(
          { length: shard.slots[1] - shard.slots[0] + 1 },
          (_, i) => shard.slots[0] + i,
        );
        return { id: ng, slots, members, primary: members[0]! };
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
        slots: slotsText(shard.slots),
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

  /** A node's used_memory and maxmemory (INFO memory): what CloudWatch's memory metrics publish. */
  async memory(nodeId: string): Promise<{ used: number; max: number } | undefined> {
    const member = this.shards.flatMap((s) => s.members).find((m) => m.id === nodeId);
    if (!member) return undefined;
    const info = await member.server.info('memory');
    return { used: Number(info.used_memory), max: Number(info.maxmemory) };
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

  /**
   * Online resharding: new shards join (their processes start, meet the cluster, their replicas sync), the
   * slots move with their keys to an even split over the node groups kept, and removed shards leave (every
   * other node forgets them, their processes stop and their connections drop). Resolves once done.
   */
  reshard(request: ReshardRequest, emit: Emit): Promise<void> {
    return this.track(this.runReshard(request, emit));
  }

  private async runReshard({ nodeGroupCount, remove, progress }: ReshardRequest, emit: Emit): Promise<void> {
    const kept = this.shards.filter((s) => !remove.includes(s.id));
    const removed = this.shards.filter((s) => remove.includes(s.id));
    const added: Shard[] = [];
    for (let k = kept.length; k < nodeGroupCount; k++) added.push(await this.addShard());
    const targets = [...kept, ...added];
    const owners: string[] = [];
    for (const shard of this.shards) for (const slot of shard.slots) owners[slot] = shard.id;
    const moves = planMoves(
      owners,
      targets.map((s) => s.id),
    );
    const nodes = new Map<Shard, MigrationNode>();
    for (const shard of this.shards)
      nodes.set(shard, {
        server: shard.primary.server,
        nodeId: (await shard.primary.server.call('CLUSTER', 'MYID')) as string,
      });
    let moved = 0;
    progress(0, moves.length);
    for (const from of this.shards)
      for (const to of targets) {
        const slots = moves.filter((m) => m.from === from.id && m.to === to.id).map((m) => m.slot);
        if (slots.length === 0) continue;
        await migrateSlots(nodes.get(from)!, nodes.get(to)!, slots, {
          ...RESHARD_DEFAULTS,
          ...this.options.reshard,
          password: this.options.password,
          primaries: () => [...nodes.values()],
          check: () => this.check(),
          moved: (batch) => {
            const gone = new Set(batch);
            from.slots = from.slots.filter((slot) => !gone.has(slot));
            to.slots.push(...batch);
            moved += batch.length;
            progress(moved, moves.length);
          },
        });
      }
    for (const shard of removed) await this.removeShard(shard);
    await this.cluster.waitUntilHealthy(STEP_TIMEOUT_MS);
    emit(
      'replication-group',
      this.id,
      `Shard configuration of ${this.id} modified to ${nodeGroupCount} node groups`,
    );
  }

  /** A new shard of 1 + replicas processes, met by the cluster, its replicas in sync; no slots yet. */
  private async addShard(): Promise<Shard> {
    this.check();
    const index = Math.max(...this.shards.map((s) => Number(s.id)));
    const ng = nodeGroupId(index);
    const { password, aclUsers, tls } = this.options;
    const servers = await Promise.all(
      Array.from({ length: 1 + this.options.replicas }, (_, r) =>
        RedisServer.start({
          password,
          aclUsers,
          tls,
          config: NO_AUTOMATIC_FAILOVER,
          name: `${this.id}-${ng}-${r + 1}`,
          cluster: { nodeTimeoutMs: nodeTimeoutMs((this.shards.length + 1) * (1 + this.options.replicas)) },
        }),
      ),
    );
    this.cluster.shards.push({ slots: [0, -1], nodes: servers });
    const createdAt = new Date();
    const members: Member[] = [];
    for (const [r, server] of servers.entries()) {
      const proxy = realistic(this.options) ? await FaultProxy.start({ target: server.endpoint }) : undefined;
      if (proxy)
        await server.configure({
          [tls ? 'cluster-announce-tls-port' : 'cluster-announce-port']: String(proxy.port),
        });
      members.push({ id: `${this.id}-${ng}-${String(r + 1).padStart(3, '0')}`, server, proxy, createdAt });
    }
    const shard: Shard = { id: ng, slots: [], members, primary: members[0]! };
    this.shards.push(shard);
    const known = this.shards[0]!.primary.server;
    for (const server of servers) await server.call('CLUSTER', 'MEET', known.host, known.port);
    const primaryId = (await servers[0]!.call('CLUSTER', 'MYID')) as string;
    // SETSLOT IMPORTING and MIGRATING name the other node: every node must know every other first. A new
    // node answers CLUSTERDOWN (to MIGRATE too) until it has learnt that every slot is served.
    const all = this.shards.flatMap((s) => s.members.map((m) => m.server));
    await this.waitUntil(
      `${ng} known to the cluster, its state ok`,
      async () => {
        const known = await Promise.all(
          all.map(async (s) => parseInfo((await s.call('CLUSTER', 'INFO')) as string)),
        );
        return known.every(
          (info) => info.cluster_known_nodes === String(all.length) && info.cluster_state === 'ok',
        );
      },
      STEP_TIMEOUT_MS,
    );
    for (const replica of servers.slice(1)) await replica.call('CLUSTER', 'REPLICATE', primaryId);
    await waitUntilReplicasSynced(servers.slice(1));
    return shard;
  }

  changeReplicas(count: number, emit: Emit): Promise<void> {
    return this.track(this.runReplicaChange(count, emit));
  }

  /**
   * IncreaseReplicaCount and DecreaseReplicaCount, node group by node group: a new replica starts, meets the
   * cluster, replicates its shard's primary and syncs; a removed one is forgotten by every other node, then
   * stops with its connections. New shards get the new count too.
   */
  private async runReplicaChange(count: number, emit: Emit): Promise<void> {
    const { password, aclUsers, tls } = this.options;
    for (const shard of this.shards) {
      const record = this.cluster.shards.find((s) => s.nodes.includes(shard.primary.server));
      while (shard.members.length - 1 < count) {
        this.check();
        const next = Math.max(...shard.members.map((m) => Number(m.id.slice(-3)) || 0)) + 1;
        const server = await RedisServer.start({
          password,
          aclUsers,
          tls,
          config: NO_AUTOMATIC_FAILOVER,
          name: `${this.id}-${shard.id}-${next}`,
          cluster: { nodeTimeoutMs: NODE_TIMEOUT_MS },
        });
        record?.nodes.push(server);
        const proxy = realistic(this.options)
          ? await FaultProxy.start({ target: server.endpoint })
          : undefined;
        if (proxy)
          await server.configure({
            [tls ? 'cluster-announce-tls-port' : 'cluster-announce-port']: String(proxy.port),
          });
        const id = `${this.id}-${shard.id}-${String(next).padStart(3, '0')}`;
        const primary = shard.primary.server;
        await server.call('CLUSTER', 'MEET', primary.host, primary.port);
        const primaryId = (await primary.call('CLUSTER', 'MYID')) as string;
        // REPLICATE names a node the new one must know first.
        await this.waitUntil(
          `${id} knows ${shard.id}'s primary`,
          async () => ((await server.call('CLUSTER', 'NODES')) as string).includes(primaryId),
          STEP_TIMEOUT_MS,
        );
        await server.call('CLUSTER', 'REPLICATE', primaryId);
        await server.waitForSync();
        shard.members.push({ id, server, proxy, createdAt: new Date() });
        emit('cache-cluster', id, `Added cache node ${CACHE_NODE_ID} in availability zone local`);
      }
      const removed = shard.members.filter((m) => m !== shard.primary).slice(count);
      if (removed.length === 0) continue;
      shard.members.splice(0, shard.members.length, ...shard.members.filter((m) => !removed.includes(m)));
      if (record) record.nodes = record.nodes.filter((n) => !removed.some((m) => m.server === n));
      const ids = await Promise.all(
        removed.map(async (m) => (await m.server.call('CLUSTER', 'MYID')) as string),
      );
      for (const node of this.shards.flatMap((s) => s.members))
        for (const id of ids) await node.server.call('CLUSTER', 'FORGET', id).catch(() => {});
      await Promise.all(
        removed.map(async (m) => {
          await m.server.stop();
          await m.proxy?.close();
        }),
      );
      for (const m of removed) emit('cache-cluster', m.id, `Removed cache node ${CACHE_NODE_ID}`);
    }
    this.options.replicas = count;
    // Finished when every node knows every other: a client's CLUSTER SHARDS then lists the new count anywhere.
    const all = this.shards.flatMap((s) => s.members.map((m) => m.server));
    await this.waitUntil(
      'every node known to every node',
      async () => {
        const infos = await Promise.all(
          all.map(async (s) => parseInfo((await s.call('CLUSTER', 'INFO')) as string)),
        );
        return infos.every((i) => i.cluster_known_nodes === String(all.length) && i.cluster_state === 'ok');
      },
      STEP_TIMEOUT_MS,
    );
  }

  /** A shard without slots leaves: every other node forgets its nodes, then they stop. */
  private async removeShard(shard: Shard): Promise<void> {
    this.shards.splice(this.shards.indexOf(shard), 1);
    const servers = shard.members.map((m) => m.server);
    const index = this.cluster.shards.findIndex((s) => s.nodes.includes(servers[0]!));
    if (index >= 0) this.cluster.shards.splice(index, 1);
    const ids = await Promise.all(servers.map(async (s) => (await s.call('CLUSTER', 'MYID')) as string));
    for (const node of this.shards.flatMap((s) => s.members))
      for (const id of ids) await node.server.call('CLUSTER', 'FORGET', id).catch(() => {});
    this.moveConfigurationEndpoint(shard.primary);
    await Promise.all(
      shard.members.map(async (m) => {
        await m.server.stop();
        await m.proxy?.close();
      }),
    );
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
