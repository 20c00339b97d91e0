import { setTimeout as sleep } from 'node:timers/promises';
import { SLOT_COUNT } from '../../functions/core/measure/keys.js';
import { parseInfo } from '../../functions/shared/redis-info.js';
import { lastLogLine, type Progress, waitUntilReplicasSynced, waitWhileAdvancing } from './progress.js';
import { RedisServer, type RedisServerOptions, RedisServerStartError } from './server.js';

export interface ClusterShard {
  /** The slot range this shard was created with, inclusive. */
  slots: [number, number];
  /** nodes[0] was the primary at creation; failovers change roles, not this list. */
  nodes: RedisServer[];
}

export interface RedisClusterOptions
  extends Pick<RedisServerOptions, 'password' | 'aclUsers' | 'tls' | 'config'> {
  shards: number;
  replicas: number;
  nodeTimeoutMs?: number;
  name?: string;
  /**
   * Where clients reach a node (e.g. a proxy in front of it): the port the node announces in CLUSTER
   * SLOTS, MOVED and to its replicas, instead of its own. Called once per node, before the cluster forms.
   */
  announce?: (node: RedisServer) => Promise<number>;
  /** Called as each phase of the start ends (processes, meet, replicate, synced, healthy): for timing it. */
  onPhase?: (phase: ClusterStartPhase) => void;
}

/** The phases of a cluster's start, in order. */
export type ClusterStartPhase = 'processes' | 'slots' | 'meet' | 'known' | 'replicate' | 'synced' | 'healthy';

/**
 * Each node's memory, bounded: a drill's keys are small and expire, so 64 MB is far more than a drill
 * writes, and refusing writes (noeviction) beats losing them silently. 128 nodes stay within 8 GB at worst.
 */
export const NODE_MEMORY = { maxmemory: '64mb', 'maxmemory-policy': 'noeviction' };

/** How many redis-server processes start at a time. */
const START_CONCURRENCY = 16;

/** Runs at most `limit` of the tasks given to it at a time, in the order given. */
function inBatches(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** Even slot ranges over `shards`, as ElastiCache and `redis-cli --cluster create` split them. */
export function slotRanges(shards: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let i = 0; i < shards; i++) {
    const start = Math.floor((i * SLOT_COUNT) / shards);
    const end = Math.floor(((i + 1) * SLOT_COUNT) / shards) - 1;
    ranges.push([start, end]);
  }
  return ranges;
}

/** A real Redis Cluster of shards × (1 + replicas) redis-server processes, formed deterministically. */
export class RedisCluster {
  private constructor(readonly shards: ClusterShard[]) {}

  get nodes(): RedisServer[] {
    return this.shards.flatMap((shard) => shard.nodes);
  }

  static async start(options: RedisClusterOptions): Promise<RedisCluster> {
    const {
      shards: shardCount,
      replicas,
      nodeTimeoutMs,
      name = 'cluster',
      announce,
      onPhase,
      ...common
    } = options;
    const shards: ClusterShard[] = [];
    const cluster = new RedisCluster(shards);
    try {
      // Every node at once, a bounded number of processes starting at a time: 128 start in seconds, and
      // two cores are not asked to exec them all in the same instant.
      const config = { ...NODE_MEMORY, ...common.config };
      const starting = inBatches(START_CONCURRENCY);
      const started = await Promise.allSettled(
        slotRanges(shardCount).map(async (slots, s) => ({
          slots,
          nodes: await Promise.all(
            Array.from({ length: 1 + replicas }, (_, r) =>
              starting(() =>
                RedisServer.start({
                  ...common,
                  config,
                  name: `${name}-${s + 1}-${r + 1}`,
                  cluster: { nodeTimeoutMs },
                }),
              ),
            ),
          ),
        })),
      );
      for (const result of started) if (result.status === 'fulfilled') shards.push(result.value);
      const failed = started.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      onPhase?.('processes');
      // Announced before the nodes meet, so that no node ever learns another's own port.
      if (announce) {
        const directive = common.tls ? 'cluster-announce-tls-port' : 'cluster-announce-port';
        for (const node of cluster.nodes) await node.configure({ [directive]: String(await announce(node)) });
      }
      await cluster.form(onPhase ?? (() => {}));
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
  }

  /** Waits until every live node reports cluster_state:ok and agrees on who serves every slot. */
  async waitUntilHealthy(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const live = this.nodes.filter((node) => node.running);
      const states = await Promise.all(
        live.map(async (node) => parseInfo((await node.call('CLUSTER', 'INFO')) as string)),
      ).catch(() => []);
      const ok =
        states.length === live.length &&
        states.every((s) => s.cluster_state === 'ok' && s.cluster_slots_assigned === String(SLOT_COUNT));
      if (ok) return;
      if (Date.now() > deadline) throw new RedisServerStartError(`cluster not healthy after ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  private async form(phase: (name: ClusterStartPhase) => void): Promise<void> {
    const [first] = this.nodes;
    if (!first) throw new RedisServerStartError('a cluster needs at least one node');
    for (const shard of this.shards) {
      await shard.nodes[0]!.call('CLUSTER', 'ADDSLOTSRANGE', shard.slots[0], shard.slots[1]);
    }
    phase('slots');
    // All meet one node, and learn of each other by its gossip (a few nodes a ping): at 64 shards that is
    // the slow phase (bench/cluster-start.bench.ts). It waits while nodes come to know more nodes.
    for (const node of this.nodes.slice(1)) await node.call('CLUSTER', 'MEET', first.host, first.port);
    phase('meet');
    await this.waitUntilAllKnown();
    phase('known');
    // Every shard at once: one after another, 64 shards took 126 s at load 130 (a second a shard).
    await Promise.all(
      this.shards.map(async (shard) => {
        const primaryId = (await shard.nodes[0]!.call('CLUSTER', 'MYID')) as string;
        for (const replica of shard.nodes.slice(1)) await replica.call('CLUSTER', 'REPLICATE', primaryId);
      }),
    );
    phase('replicate');
    await waitUntilReplicasSynced(this.shards.flatMap((shard) => shard.nodes.slice(1)));
    phase('synced');
    await waitWhileAdvancing('cluster forming', () => this.health());
    phase('healthy');
  }

  /**
   * How many nodes see the cluster ok. A laggard learns a shard's slots only from that shard's primary
   * (its ping or pong), which on a starved machine can take longer than the stall window: the wait also
   * advances while the laggards still hear from the cluster bus (a newer pong in their CLUSTER NODES).
   */
  private async health(): Promise<Progress> {
    const looked = await Promise.all(
      this.nodes.map(async (node) => {
        const info = await node
          .call('CLUSTER', 'INFO')
          .then((text) => parseInfo(text as string))
          .catch(() => undefined);
        return { node, info };
      }),
    );
    const ok = looked.filter(
      ({ info }) => info?.cluster_state === 'ok' && info.cluster_slots_assigned === String(SLOT_COUNT),
    );
    const behind = await Promise.all(
      looked
        .filter((l) => !ok.includes(l))
        .map(async ({ node, info }) => {
          const lines = ((await node.call('CLUSTER', 'NODES').catch(() => '')) as string).trim().split('\n');
          // <id> <addr> <flags> <primary> <ping-sent> <pong-recv> …: the last time it heard from any node.
          const heard = Math.max(0, ...lines.map((l) => Number(l.split(' ')[5] ?? 0) || 0));
          const failing = lines.filter((l) => /\bfail\??\b/.test(l.split(' ')[2] ?? '')).length;
          const said = info
            ? `cluster_state ${info.cluster_state}, ${info.cluster_slots_assigned} slots assigned, ` +
              `${failing} nodes flagged failing, last pong ${heard ? Math.round((Date.now() - heard) / 1000) : '–'} s ago`
            : 'does not answer';
          return { heard, text: `${node.name} ${said}` };
        }),
    );
    // Nodes ok first (at most ~1e3 of them, each worth more than any epoch-ms time), then the bus's news.
    const lastHeard = Math.max(0, ...behind.map((b) => b.heard));
    return {
      done: behind.length === 0,
      reached: ok.length * 1e13 + lastHeard,
      laggards: async () => behind.map((b) => b.text),
    };
  }

  /** Every node knows every other by its own id; advancing while the nodes known in all grows. */
  private async waitUntilAllKnown(): Promise<void> {
    const total = this.nodes.length;
    await waitWhileAdvancing('cluster nodes meeting', async () => {
      // Known by their own ids: a node still in handshake is counted under a name of its own making.
      const views = await Promise.all(
        this.nodes.map(async (node) => {
          const lines = ((await node.call('CLUSTER', 'NODES').catch(() => '')) as string).trim().split('\n');
          return { node, known: lines.filter((l) => l !== '' && !l.includes('handshake')).length };
        }),
      );
      const behind = views.filter((v) => v.known < total);
      return {
        done: behind.length === 0,
        reached: views.reduce((sum, v) => sum + v.known, 0),
        laggards: async () =>
          Promise.all(
            behind.map(async ({ node, known }) => {
              const said = await lastLogLine(node, /[Cc]luster|MEET|handshake/);
              return `${node.name} knows ${known} of ${total} nodes${said ? `; its log: "${said}"` : ''}`;
            }),
          ),
      };
    });
  }
}
