/**
 * A replication group with cluster mode disabled: one node group (0001), a primary and N replicas, each
 * a real redis-server. Every node replicates through its own FaultProxy (its "link"), which always
 * points at the current primary: `replicationLagMs` is a delay line on that link, and moving the primary
 * is retargeting the links. The primary and reader endpoints are proxies that follow the roles, the way
 * ElastiCache's DNS names do (connections are cut when they move, so that clients reconnect).
 */
import { FaultProxy } from '../redis/proxy.js';
import { RedisServer } from '../redis/server.js';
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
  REALISTIC_DEFAULTS,
  type RedisAccess,
  replicationState,
} from './group.js';

export interface PrimaryReplicaGroupOptions extends RedisAccess, FailoverTiming {
  id: string;
  replicas: number;
  replicationLagMs: number;
  /** A durable group (local/elasticache/durability.ts): its mode, and a test-only fault of its log. */
  durability?: LocalDurability;
}

interface Member {
  id: string;
  server: RedisServer;
  /** This node's replication link: a proxy in front of the current primary. */
  link: FaultProxy;
  createdAt: Date;
}

import type { DurabilityMode } from '../../functions/core/measure/durability.js';
import {
  DURABLE_ENGINE_VERSION,
  emulateLog,
  type LocalDurability,
  type LogEmulation,
  type LogMetric,
} from './durability.js';
import type { NodeReplacementRequest } from './node-replacement.js';

const NODE_GROUP = nodeGroupId(0);
/** Bounds for the steps of a failover; generous, since CI machines are slow. */
const STEP_TIMEOUT_MS = 15_000;

/** Replication must survive the delay line: the link timeout grows with the lag. */
function replicationConfig(lagMs: number): Record<string, string> {
  return { 'repl-timeout': String(Math.max(5, Math.ceil((3 * lagMs) / 1000) + 5)) };
}

export class PrimaryReplicaGroup extends FailoverLifecycle implements LocalGroup {
  private primary: Member;
  private readerTarget: Member;
  private readonly createdAt = new Date();
  /** A durable group's log emulation (durability.ts). */
  private log: LogEmulation | undefined;
  /** A durable group's durability switched off (ModifyReplicationGroup `Durability: disabled`). */
  private durabilityOff = false;
  /** What the last node replacement applied (node-replacement.ts). */
  private replaced: { cacheNodeType?: string; engineVersion?: string } = {};

  private constructor(
    private readonly options: PrimaryReplicaGroupOptions,
    private readonly members: Member[],
    private readonly primaryEndpoint: FaultProxy,
    private readonly readerEndpoint: FaultProxy,
    readonly engineVersion: string,
  ) {
    super();
    this.primary = members[0]!;
    this.readerTarget = members[1] ?? this.primary;
  }

  get id(): string {
    return this.options.id;
  }

  /** The current primary's redis-server (a Global Datastore chains a secondary group's primary to it). */
  get primaryServer(): RedisServer {
    return this.primary.server;
  }

  static async start(options: PrimaryReplicaGroupOptions): Promise<PrimaryReplicaGroup> {
    const { id, replicas, replicationLagMs, password, aclUsers, tls } = options;
    const common = { password, aclUsers, tls, config: replicationConfig(replicationLagMs) };
    const started: { stop(): Promise<void> }[] = [];
    const closeable: FaultProxy[] = [];
    let log: LogEmulation | undefined;
    try {
      const primaryServer = await RedisServer.start({ ...common, name: `${id}-001` });
      started.push(primaryServer);
      const primaryLink = await FaultProxy.start({ target: primaryServer.endpoint });
      closeable.push(primaryLink);
      const members: Member[] = [
        { id: `${id}-001`, server: primaryServer, link: primaryLink, createdAt: new Date() },
      ];
      for (let r = 0; r < replicas; r++) {
        const name = `${id}-${String(r + 2).padStart(3, '0')}`;
        const link = await FaultProxy.start({ target: primaryServer.endpoint });
        closeable.push(link);
        const server = await RedisServer.start({ ...common, name, replicaOf: endpointOf(link) });
        started.push(server);
        members.push({ id: name, server, link, createdAt: new Date() });
      }
      // The delay goes on once the replicas are in sync: the handshake need not crawl through it.
      for (const member of members) member.link.delay(replicationLagMs, 'toClient');
      const primaryEndpoint = await FaultProxy.start({ target: primaryServer.endpoint });
      closeable.push(primaryEndpoint);
      log = options.durability ? emulateLog(options.durability, members, primaryEndpoint) : undefined;
      const readerEndpoint = await FaultProxy.start({ target: (members[1] ?? members[0]!).server.endpoint });
      closeable.push(readerEndpoint);
      const version = (await primaryServer.info('server')).redis_version ?? 'unknown';
      const group = new PrimaryReplicaGroup(options, members, primaryEndpoint, readerEndpoint, version);
      group.log = log;
      return group;
    } catch (error) {
      log?.stop();
      await Promise.all([...started.map((s) => s.stop()), ...closeable.map((p) => p.close())]);
      throw error;
    }
  }

  view(): GroupView {
    return {
      id: this.id,
      clusterMode: 'disabled',
      tls: this.options.tls !== undefined,
      authToken: this.options.password !== undefined,
      engineVersion:
        this.replaced.engineVersion ??
        (this.options.durability ? DURABLE_ENGINE_VERSION : this.engineVersion),
      ...(this.replaced.cacheNodeType ? { cacheNodeType: this.replaced.cacheNodeType } : {}),
      ...(this.options.durability
        ? { durability: this.durabilityOff ? 'disabled' : this.options.durability.mode }
        : {}),
      createdAt: this.createdAt,
      nodeGroups: [
        {
          id: NODE_GROUP,
          primaryEndpoint: endpointOf(this.primaryEndpoint),
          readerEndpoint: endpointOf(this.readerEndpoint),
          members: this.members.map((m) => ({
            id: m.id,
            nodeGroupId: NODE_GROUP,
            endpoint: m.server.endpoint,
            role: m === this.primary ? 'primary' : 'replica',
            createdAt: m.createdAt,
          })),
        },
      ],
    };
  }

  /**
   * ModifyReplicationGroup's Durability: the log's emulation is switched in place, its metrics kept.
   * `disabled` stops the emulation (the links are plain delay lines again, the endpoint lets every write
   * through); `sync` or `async` after it starts one again.
   */
  switchDurability(mode: DurabilityMode): void {
    const current = this.options.durability;
    if (!current || !this.log) throw new Error(`${this.id} is not durable`);
    if ((this.durabilityOff ? 'disabled' : current.mode) === mode) return;
    const recorder = this.log.recorder;
    this.log.stop();
    this.durabilityOff = mode === 'disabled';
    if (mode === 'disabled') return;
    this.options.durability = { ...current, mode };
    this.log = emulateLog(this.options.durability, this.members, this.primaryEndpoint, recorder);
  }

  /** The log's metrics; none while durability is disabled (no log publishes them). */
  durabilitySeconds(metric: LogMetric, fromMs: number, toMs: number) {
    return this.durabilityOff ? undefined : this.log?.seconds(metric, fromMs, toMs);
  }

  /** Writes the primary rejected because its log was behind (async; see durability.ts). */
  get rejectedWrites(): number {
    return this.primaryEndpoint.rejectedWrites;
  }

  protected async release(): Promise<void> {
    this.log?.stop();
    await Promise.all([
      ...this.members.map((m) => m.server.stop()),
      ...this.members.map((m) => m.link.close()),
      this.primaryEndpoint.close(),
      this.readerEndpoint.close(),
    ]);
  }

  protected async runFailover(nodeGroupId: string, emit: Emit): Promise<void> {
    if (this.options.model === 'realistic' && !this.options.graceful)
      return this.realisticFailover(nodeGroupId, emit);
    await this.pause(this.options.detectionDelayMs);
    const from = this.primary;
    const to = this.options.graceful ? await this.handOver(from) : await this.crashOver(from);
    for (const member of this.members) if (member !== to) member.link.retarget(to.server.endpoint);
    this.primary = to;
    this.primaryEndpoint.retarget(to.server.endpoint);
    this.moveReader();
    emit('cache-cluster', to.id, failoverMessages.completed(from.id, to.id));
    emit('replication-group', this.id, failoverMessages.completed(from.id, to.id));

    emit('cache-cluster', from.id, failoverMessages.recovering(CACHE_NODE_ID));
    if (this.options.graceful) {
      // FAILOVER made the old primary a direct replica of the new one: route it through its link again.
      await from.server.call('REPLICAOF', from.link.host, from.link.port);
    } else {
      this.check();
      await from.server.restart({ replicaOf: endpointOf(from.link), waitForSync: false });
    }
    await this.inSync(from, to);
    this.moveReader();
    emit('cache-cluster', from.id, failoverMessages.finished(CACHE_NODE_ID));
  }

  /**
   * ElastiCache's phases as a client lives them (AWS, "Minimizing downtime in ElastiCache by using
   * Multi-AZ": the primary fails, a read replica is promoted, ElastiCache propagates the promoted
   * replica's DNS name to the primary endpoint; knowledge center "elasticache-correct-readonly-error":
   * a client still resolving the old address writes to a node that is now a replica and gets READONLY):
   * 1. the primary stops answering: packets to it are dropped, connects stall instead of being refused
   *    (a user-space proxy accepts the TCP connection but nothing passes: the nearest it gets to a
   *    dropped SYN);
   * 2. after the detection delay the least-lagged replica is promoted ("Failover … completed");
   * 3. the old node comes back as a replica ("Recovering cache nodes"); the endpoint's name still points
   *    at it for the DNS TTL, so clients that reconnect meet a replica: READONLY;
   * 4. the name moves to the new primary; connections already open to the old node live on, READONLY,
   *    until a client reconnects by itself or the old node's recovery closes them;
   * 5. the old node recovers: its connections are closed, it is in sync ("Finished recovery").
   */
  private async realisticFailover(_nodeGroupId: string, emit: Emit): Promise<void> {
    const dnsTtlMs = this.options.dnsTtlMs ?? REALISTIC_DEFAULTS.dnsTtlMs;
    const staleMs = this.options.staleConnectionsMs ?? REALISTIC_DEFAULTS.staleConnectionsMs;
    const from = this.primary;
    this.primaryEndpoint.blackhole();
    await this.pause(this.options.detectionDelayMs);
    const to = await this.crashOver(from);
    for (const member of this.members) if (member !== to) member.link.retarget(to.server.endpoint);
    this.primary = to;
    emit('cache-cluster', to.id, failoverMessages.completed(from.id, to.id));
    emit('replication-group', this.id, failoverMessages.completed(from.id, to.id));
    this.check();
    await from.server.restart({ replicaOf: endpointOf(from.link), waitForSync: false });
    emit('cache-cluster', from.id, failoverMessages.recovering(CACHE_NODE_ID));
    // The name still resolves to the old node: what lived through the outage is reset, as TCP would once
    // the node answers again, and every new connection reaches a replica.
    this.primaryEndpoint.retarget(from.server.endpoint, { cut: false });
    this.primaryEndpoint.heal();
    this.moveReader();
    await this.pause(dnsTtlMs);
    this.primaryEndpoint.retarget(to.server.endpoint, { cut: false });
    await this.pause(staleMs);
    this.primaryEndpoint.cut(from.server.endpoint);
    await this.inSync(from, to);
    this.moveReader();
    emit('cache-cluster', from.id, failoverMessages.finished(CACHE_NODE_ID));
  }

  replaceNodes(request: NodeReplacementRequest, emit: Emit): Promise<void> {
    return this.track(this.runReplacement(request, emit));
  }

  /**
   * A scale or an engine upgrade as ElastiCache applies it with replicas: a new node per member, started
   * and synced as a replica of the primary (through a link of its own); then FAILOVER hands the primary's
   * role to its replacement without losing an acknowledged write, the endpoints move (cutting what was
   * open), and the old nodes stop, their connections dropped. The node ids stay, as AWS keeps them.
   */
  private async runReplacement(request: NodeReplacementRequest, emit: Emit): Promise<void> {
    const { password, aclUsers, tls } = this.options;
    const common = { password, aclUsers, tls, config: replicationConfig(this.options.replicationLagMs) };
    const old = [...this.members];
    const fresh: Member[] = [];
    const total = old.length + 1;
    try {
      for (const member of old) {
        this.check();
        const link = await FaultProxy.start({ target: this.primary.server.endpoint });
        const server = await RedisServer.start({
          ...common,
          name: `${member.id}-new`,
          replicaOf: endpointOf(link),
        }).catch(async (error: unknown) => {
          await link.close();
          throw error;
        });
        fresh.push({ id: member.id, server, link, createdAt: new Date() });
        request.progress(fresh.length, total);
      }
    } catch (error) {
      await Promise.all(fresh.flatMap((m) => [m.server.stop(), m.link.close()]));
      throw error;
    }
    const from = this.primary;
    const to = fresh[old.indexOf(from)]!;
    request.switching?.(Date.now());
    await from.server.call('FAILOVER', 'TO', to.server.host, to.server.port, 'TIMEOUT', STEP_TIMEOUT_MS);
    await this.waitUntil(
      `${to.id} promoted`,
      async () => (await replicationState(to.server)).role === 'master',
      this.stepTimeoutMs,
    );
    for (const member of fresh) if (member !== to) member.link.retarget(to.server.endpoint);
    this.members.splice(0, this.members.length, ...fresh);
    this.primary = to;
    this.primaryEndpoint.retarget(to.server.endpoint);
    request.switched?.(Date.now());
    this.moveReader();
    emit('cache-cluster', to.id, failoverMessages.completed(from.id, to.id));
    await Promise.all(old.flatMap((m) => [m.server.stop(), m.link.close()]));
    this.replaced = {
      cacheNodeType: request.cacheNodeType ?? this.replaced.cacheNodeType,
      engineVersion: request.engineVersion ?? this.replaced.engineVersion,
    };
    request.progress(total, total);
  }

  changeReplicas(count: number, emit: Emit): Promise<void> {
    return this.track(this.runReplicaChange(count, emit));
  }

  /**
   * IncreaseReplicaCount and DecreaseReplicaCount as ElastiCache applies them, with no downtime: a new
   * replica starts behind a link of its own to the primary and syncs before it counts; a removed replica
   * leaves the group (and the reader endpoint) before its process stops, its connections dropped.
   */
  private async runReplicaChange(count: number, emit: Emit): Promise<void> {
    const { password, aclUsers, tls, replicationLagMs } = this.options;
    const common = { password, aclUsers, tls, config: replicationConfig(replicationLagMs) };
    const replicas = () => this.members.filter((m) => m !== this.primary);
    while (replicas().length < count) {
      this.check();
      const next = Math.max(...this.members.map((m) => Number(m.id.slice(-3)) || 0)) + 1;
      const memberId = `${this.id}-${String(next).padStart(3, '0')}`;
      const link = await FaultProxy.start({ target: this.primary.server.endpoint });
      const server = await RedisServer.start({
        ...common,
        name: memberId,
        replicaOf: endpointOf(link),
      }).catch(async (error: unknown) => {
        await link.close();
        throw error;
      });
      link.delay(replicationLagMs, 'toClient');
      this.members.push({ id: memberId, server, link, createdAt: new Date() });
      emit('cache-cluster', memberId, `Added cache node ${CACHE_NODE_ID} in availability zone local`);
    }
    // From none to some replicas, the reader endpoint leaves the primary for one.
    this.moveReader();
    const removed = replicas().slice(count);
    if (removed.length === 0) return;
    this.members.splice(0, this.members.length, ...this.members.filter((m) => !removed.includes(m)));
    this.moveReader();
    await Promise.all(removed.flatMap((m) => [m.server.stop(), m.link.close()]));
    for (const m of removed) emit('cache-cluster', m.id, `Removed cache node ${CACHE_NODE_ID}`);
  }

  interruptPower(memberIds: string[], restore: Promise<void>, emit: Emit): Promise<void> {
    return this.track(this.powerOff(memberIds, restore, emit));
  }

  /**
   * An AZ power interruption as ElastiCache lives it: the zone's nodes die at once (SIGKILL: no reply,
   * no final replication); if the primary was among them the least-lagged surviving replica is promoted
   * (Multi-AZ), the endpoints follow; when power returns the nodes restart as replicas of the primary.
   */
  private async powerOff(memberIds: string[], restore: Promise<void>, emit: Emit): Promise<void> {
    const down = this.members.filter((m) => memberIds.includes(m.id));
    const survivors = this.members.filter((m) => !down.includes(m));
    const from = this.primary;
    await this.kill(down);
    if (down.includes(from) && survivors.length > 0) {
      await this.linksDown(survivors);
      await this.pause(this.options.detectionDelayMs);
      const to = await leastLagged(survivors);
      await to.server.call('REPLICAOF', 'NO', 'ONE');
      for (const member of this.members) if (member !== to) member.link.retarget(to.server.endpoint);
      this.primary = to;
      this.primaryEndpoint.retarget(to.server.endpoint);
      emit('cache-cluster', to.id, failoverMessages.completed(from.id, to.id));
      emit('replication-group', this.id, failoverMessages.completed(from.id, to.id));
    }
    this.moveReader();
    await this.until(restore);
    for (const member of down) {
      emit('cache-cluster', member.id, failoverMessages.recovering(CACHE_NODE_ID));
      await member.server.restart(
        member === this.primary
          ? { replicaOf: undefined, waitForSync: false }
          : { replicaOf: endpointOf(member.link), waitForSync: false },
      );
    }
    // With no survivor the primary itself came back: its replicas resync through their links.
    if (down.includes(this.primary)) return;
    await this.inSync(from, this.primary);
    this.moveReader();
    for (const member of down) emit('cache-cluster', member.id, failoverMessages.finished(CACHE_NODE_ID));
  }

  /** Recovered: the old primary and every other replica replicate the new primary through their links. */
  private async inSync(from: Member, to: Member): Promise<void> {
    await this.waitUntil(
      `${from.id} in sync with ${to.id}`,
      async () => {
        const states = await Promise.all(
          this.members
            .filter((m) => m !== to)
            .map(async (m) => [m, await replicationState(m.server)] as const),
        );
        return states.every(([m, s]) => s.role === 'slave' && s.linkUp && s.masterPort === m.link.port);
      },
      this.stepTimeoutMs,
    );
  }

  /** The primary is dead: every replica's link to it has fallen (what was in flight is dropped with it). */
  private async linksDown(replicas: Member[]): Promise<void> {
    await this.waitUntil(
      'replication links down',
      async () => {
        const states = await Promise.all(replicas.map((m) => replicationState(m.server)));
        return states.every((s) => !s.linkUp);
      },
      this.stepTimeoutMs,
    );
  }

  /**
   * SIGKILL: no reply, no final replication. If the primary is among them, what its links still carry is
   * lost in the same tick, as with asynchronous replication (a durable group's log delivers it instead).
   */
  private async kill(down: Member[]): Promise<void> {
    const killed = Promise.all(down.map((m) => m.server.kill())); // each SIGKILL is sent before this returns
    if (down.includes(this.primary))
      for (const m of this.members) if (m !== this.primary) m.link.serverCrashed();
    await killed;
  }

  /** Crash: SIGKILL the primary, let the links fall, promote the replica that received the most. */
  private async crashOver(from: Member): Promise<Member> {
    await this.kill([from]);
    const replicas = this.members.filter((m) => m !== from);
    await this.linksDown(replicas);
    const to = await leastLagged(replicas);
    await to.server.call('REPLICAOF', 'NO', 'ONE');
    return to;
  }

  /** Graceful: Redis FAILOVER pauses writes until the chosen replica has everything, then swaps roles. */
  private async handOver(from: Member): Promise<Member> {
    const replicas = this.members.filter((m) => m !== from);
    const to = await leastLagged(replicas);
    await from.server.call('FAILOVER', 'TO', to.server.host, to.server.port, 'TIMEOUT', STEP_TIMEOUT_MS);
    await this.waitUntil(
      `${to.id} promoted`,
      async () => {
        const [old, next] = await Promise.all([replicationState(from.server), replicationState(to.server)]);
        return next.role === 'master' && old.role === 'slave';
      },
      this.stepTimeoutMs,
    );
    return to;
  }

  /** A resync crosses the delay line: the bound grows with the lag. */
  private get stepTimeoutMs(): number {
    return STEP_TIMEOUT_MS + 10 * this.options.replicationLagMs;
  }

  /** The reader endpoint serves a replica while there is one, else the primary (as ElastiCache's does). */
  private moveReader(): void {
    const replicas = this.members.filter((m) => m !== this.primary && m.server.running);
    const next = replicas.includes(this.readerTarget) ? this.readerTarget : (replicas[0] ?? this.primary);
    if (next === this.readerTarget && this.readerEndpoint.target.port === next.server.port) return;
    this.readerTarget = next;
    this.readerEndpoint.retarget(next.server.endpoint);
  }
}
