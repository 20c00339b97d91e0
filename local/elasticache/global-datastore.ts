/**
 * A Global Datastore of the local cloud: a primary replication group in one region and a secondary in
 * another, joined by real asynchronous replication through a WAN link. The link is a FaultProxy between
 * the secondary's primary node and the primary's: it adds the cross-region latency both ways and, on the
 * replication stream, an injectable delay line. What is still in the line at a promotion is lost, as
 * with ElastiCache's asynchronous cross-region replication.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultProxy } from '../redis/proxy.js';
import { FailoverStepError, replicationState } from './group.js';
import type { PrimaryReplicaGroup } from './primary-replica-group.js';

/**
 * ElastiCache prefixes a Global Datastore's id with one of its creating region (AWS, "Using global
 * datastores (CLI)"): ldgnf-<suffix> in us-east-1.
 */
export const GLOBAL_ID_PREFIXES: Readonly<Record<string, string>> = {
  'us-east-1': 'ldgnf',
  'us-east-2': 'fpkhr',
  'us-west-1': 'virxk',
  'us-west-2': 'sgaui',
  'ca-central-1': 'bxodz',
  'eu-west-1': 'gxeiz',
  'eu-west-2': 'okuqm',
  'eu-west-3': 'fgjhi',
  'eu-central-1': 'iudkw',
  'ap-northeast-1': 'quwsw',
  'ap-southeast-1': 'vlqxn',
  'ap-southeast-2': 'vbgxd',
  'sa-east-1': 'juxlw',
};

export type GlobalRole = 'primary' | 'secondary';
/** The Global Datastore's status: with one member it is primary-only (no failover possible). */
export type GlobalStatus = 'available' | 'modifying' | 'primary-only';
export type MemberStatus = 'associated' | 'disassociating';

export interface WanLinkOptions {
  /** One-way latency of the link between the regions, both directions. */
  latencyMs: number;
  /** A delay line on the replication stream, beyond the latency (what a promotion loses). */
  lagMs: number;
  /** FailoverGlobalReplicationGroup called → the secondary promoted. */
  promotionDelayMs: number;
}

interface Member {
  region: string;
  group: PrimaryReplicaGroup;
  role: GlobalRole;
  status: MemberStatus;
}

export interface GlobalMemberView {
  replicationGroupId: string;
  region: string;
  role: GlobalRole;
  status: MemberStatus;
}

export interface GlobalDatastoreView {
  id: string;
  description: string;
  status: GlobalStatus;
  engineVersion: string;
  tls: boolean;
  authToken: boolean;
  members: GlobalMemberView[];
}

/** A promotion as the local cloud performed it: the truth a test holds the drill's figures against. */
export interface Promotion {
  /** Epoch ms, once the promoted node accepts writes and the old primary accepts none. */
  at: number;
  region: string;
  replicationGroupId: string;
}

/** Bounds for a resync across the WAN link; generous, since CI machines are slow. */
const SYNC_TIMEOUT_MS = 20_000;
/** Writes to the old primary are paused (never acknowledged) while the roles swap. */
const PAUSE_MS = 30_000;

/** The replication link must survive the delay line: its timeout grows with it. */
function replTimeout(wan: WanLinkOptions): Record<string, string> {
  return { 'repl-timeout': String(Math.max(5, Math.ceil((3 * (wan.latencyMs + wan.lagMs)) / 1000) + 5)) };
}

export class GlobalDatastore {
  private running: Promise<void> | undefined;
  private link: FaultProxy | undefined;
  readonly promotions: Promotion[] = [];

  private constructor(
    readonly id: string,
    readonly description: string,
    private readonly members: Member[],
    private readonly wan: WanLinkOptions,
  ) {}

  /** A datastore of one primary group (CreateGlobalReplicationGroup): primary-only until a secondary joins. */
  static primaryOnly(
    id: string,
    description: string,
    region: string,
    group: PrimaryReplicaGroup,
    wan: WanLinkOptions,
  ): GlobalDatastore {
    return new GlobalDatastore(
      id,
      description,
      [{ region, group, role: 'primary', status: 'associated' }],
      wan,
    );
  }

  get status(): GlobalStatus {
    if (this.running) return 'modifying';
    return this.members.length > 1 ? 'available' : 'primary-only';
  }

  view(): GlobalDatastoreView {
    const primary = this.primary().group.view();
    return {
      id: this.id,
      description: this.description,
      status: this.status,
      engineVersion: primary.engineVersion,
      tls: primary.tls,
      authToken: primary.authToken,
      members: this.members.map((m) => ({
        replicationGroupId: m.group.id,
        region: m.region,
        role: m.role,
        status: m.status,
      })),
    };
  }

  /** The member `groupId` in `region`, if it is one. */
  member(region: string, groupId: string): GlobalMemberView | undefined {
    return this.view().members.find((m) => m.region === region && m.replicationGroupId === groupId);
  }

  /**
   * GlobalDatastoreReplicationLag as the local CloudWatch serves it (seconds, one value a second of the window
   * up to now): for a node of a secondary member, the delay a write meets on the WAN link's replication
   * stream, its one-way latency plus the delay line. One shard here, so the maximum across shards is it.
   * Undefined for a node of no secondary member (the primary publishes none).
   */
  replicationLagSeconds(
    cacheClusterId: string,
    fromMs: number,
    toMs: number,
    now = Date.now(),
  ): { atMs: number; value: number }[] | undefined {
    const member = this.members.find(
      (m) =>
        m.role === 'secondary' &&
        m.group.view().nodeGroups.some((ng) => ng.members.some((n) => n.id === cacheClusterId)),
    );
    if (!member || !this.link) return undefined;
    const value = (this.wan.latencyMs + this.wan.lagMs) / 1000;
    const seconds: { atMs: number; value: number }[] = [];
    for (let at = Math.ceil(fromMs / 1000) * 1000; at < Math.min(toMs, now); at += 1000)
      seconds.push({ atMs: at, value });
    return seconds;
  }

  /** Joins `group` as a secondary: its primary replicates the datastore's primary across the WAN link. */
  async addSecondary(region: string, group: PrimaryReplicaGroup): Promise<void> {
    const primary = this.primary();
    this.link ??= await FaultProxy.start({ target: primary.group.primaryServer.endpoint });
    const member: Member = { region, group, role: 'secondary', status: 'associated' };
    await this.follow(member, primary);
    // The delay goes on once the secondary is in sync: the full sync need not crawl through it.
    this.link.delay(this.wan.latencyMs, 'toServer');
    this.link.delay(this.wan.latencyMs + this.wan.lagMs, 'toClient');
    this.members.push(member);
  }

  /**
   * FailoverGlobalReplicationGroup, already validated: after the promotion delay the old primary stops
   * acknowledging writes (paused, then READONLY), the secondary's primary is promoted (what is still in
   * the delay line is dropped with its link), and the old primary replicates the new one across the link.
   */
  failover(region: string, groupId: string): void {
    const to = this.members.find((m) => m.region === region && m.group.id === groupId);
    const from = this.members.find((m) => m.role === 'primary');
    if (!to || !from || to === from)
      throw new Error(`${groupId} in ${region} is not a secondary of ${this.id}`);
    this.track(this.promote(from, to));
  }

  /** DisassociateGlobalReplicationGroup, already validated: the secondary becomes a standalone group. */
  disassociate(region: string, groupId: string): void {
    const member = this.members.find((m) => m.region === region && m.group.id === groupId);
    if (member?.role !== 'secondary') throw new Error(`${groupId} is not a secondary of ${this.id}`);
    member.status = 'disassociating';
    this.track(
      (async () => {
        await member.group.primaryServer.call('REPLICAOF', 'NO', 'ONE');
        this.members.splice(this.members.indexOf(member), 1);
        await this.link?.close();
        this.link = undefined;
      })(),
    );
  }

  /** Resolves when no failover or disassociation is under way. */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => {});
  }

  /** Closes the WAN link (the groups are the regions' to stop). */
  async stop(): Promise<void> {
    await this.idle();
    await this.link?.close();
  }

  private primary(): Member {
    const primary = this.members.find((m) => m.role === 'primary');
    if (!primary) throw new Error(`${this.id} has no primary`);
    return primary;
  }

  private track(run: Promise<void>): void {
    const tracked = run
      .catch((error: unknown) => {
        process.stderr.write(`local ElastiCache: global datastore ${this.id}: ${String(error)}\n`);
      })
      .finally(() => {
        if (this.running === tracked) this.running = undefined;
      });
    this.running = tracked;
  }

  private async promote(from: Member, to: Member): Promise<void> {
    const link = this.link;
    if (!link) throw new Error(`${this.id} has no WAN link`);
    await sleep(this.wan.promotionDelayMs);
    const old = from.group.primaryServer;
    await old.call('CLIENT', 'PAUSE', PAUSE_MS, 'WRITE');
    try {
      await to.group.primaryServer.call('REPLICAOF', 'NO', 'ONE');
      from.role = 'secondary';
      to.role = 'primary';
      this.promotions.push({ at: Date.now(), region: to.region, replicationGroupId: to.group.id });
      link.retarget(to.group.primaryServer.endpoint);
      await this.follow(from, to, false);
    } finally {
      await old.call('CLIENT', 'UNPAUSE');
    }
    await this.inSync(from);
  }

  /** Makes `member`'s primary node a replica of `upstream`'s across the WAN link. */
  private async follow(member: Member, upstream: Member, wait = true): Promise<void> {
    const link = this.link;
    if (!link) throw new Error(`${this.id} has no WAN link`);
    link.retarget(upstream.group.primaryServer.endpoint, { cut: false });
    const server = member.group.primaryServer;
    await server.configure(replTimeout(this.wan));
    await server.call('REPLICAOF', link.host, link.port);
    if (wait) await this.inSync(member);
  }

  private async inSync(member: Member): Promise<void> {
    const link = this.link;
    const server = member.group.primaryServer;
    const deadline = Date.now() + SYNC_TIMEOUT_MS + 10 * (this.wan.latencyMs + this.wan.lagMs);
    for (;;) {
      const state = await replicationState(server).catch(() => undefined);
      if (state?.role === 'slave' && state.linkUp && state.masterPort === link?.port) return;
      if (Date.now() > deadline)
        throw new FailoverStepError(`${member.group.id} not in sync across the WAN link`);
      await sleep(20);
    }
  }
}
