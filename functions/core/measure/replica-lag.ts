/**
 * The replication lag in the drill's own writes: which acknowledged sequences the primary's best replica
 * holds. The writer's writes go down one connection, so the primary applies them in seq order and the
 * replica, applying a prefix of the primary's stream, holds exactly the acknowledged seqs up to some H and
 * none after it. EXISTS over acknowledged keys in ascending order therefore counts how many of them lie
 * at or below H: a search of a few round trips, read from the replica, never the primary.
 */
import { closeClient, type RedisClient, waitUntilReady } from '../../shared/redis-client.js';
import { parseInfo } from '../../shared/redis-info.js';
import { keyFor } from './keys.js';
import { type ReplicaAddress, type ReplicationStream, streamOf } from './monitor.js';
import type { ReplicaLag } from './summary.js';

/** Keys per EXISTS; two rounds resolve 4096 candidates exactly. */
const PROBES = 64;
const MAX_ROUNDS = 4;

export type ReplicaClientFactory = (address: { host: string; port: number }) => RedisClient;

export interface AckView {
  /** Acknowledged seqs above `afterSeq` (every one kept when null) and their start times, ascending by seq. */
  ackedAfter(afterSeq: number | null): { seqs: number[]; times: number[] };
}

export class ReplicaLagSampler {
  private client: RedisClient | undefined;
  private address: string | undefined;
  /** The highest acknowledged seq the replica was seen to hold: it only ever grows. */
  private replicaSeq: number | null = null;
  private replicaSeqAckMs: number | null = null;
  /** Replicas that could not be reached: not tried again in this run (a TLS name mismatch, a firewall). */
  private readonly unreachable = new Set<string>();

  constructor(
    private readonly createClient: ReplicaClientFactory,
    private readonly keyBase: string,
    private readonly options: { cluster: boolean; timeoutMs: number; now: () => number },
  ) {}

  /**
   * The bytes of the primary's stream that its most advanced replica has not applied, the lag as it is:
   * the primary's offset (`readPrimary`) and the replica's own (INFO replication) requested at the same
   * moment, so that the figure is off by at most the stream of one round trip. Throws when either cannot
   * be read, or when the replica follows another stream (a failover under way): no sample then.
   */
  async sampleBytes(
    replicas: readonly ReplicaAddress[],
    readPrimary: () => Promise<ReplicationStream | null>,
  ): Promise<{ bytes: number; atMs: number }> {
    const client = await this.connectBest(replicas);
    const atMs = this.options.now();
    const [primary, info] = await Promise.all([
      readPrimary(),
      client.call('INFO', 'replication') as Promise<string>,
    ]);
    const replica = streamOf(parseInfo(info), 'slave_repl_offset');
    if (!primary || !replica || replica.replId !== primary.replId)
      throw new Error('the replica does not follow the primary read');
    return { bytes: Math.max(0, primary.offset - replica.offset), atMs: round(atMs) };
  }

  /** One sample of the most advanced replica; throws when it cannot be read (no sample then). */
  async sample(
    replicas: readonly ReplicaAddress[],
    acks: AckView,
  ): Promise<Omit<ReplicaLag, 'predictedLost'>> {
    const client = await this.connectBest(replicas);
    const address = this.address!;
    const { seqs, times } = acks.ackedAfter(this.replicaSeq);
    // Invariant: the replica holds the first `held` candidates, with held in [lo, hi].
    let [lo, hi] = [0, seqs.length];
    let atMs = this.options.now();
    for (let round = 0; round < MAX_ROUNDS && lo < hi; round++) {
      const step = hi - lo <= PROBES ? 1 : (hi - lo) / PROBES;
      const probes: number[] = [];
      for (let x = lo; x < hi && probes.length < PROBES; x += step) {
        const index = Math.floor(x);
        if (probes.at(-1) !== index) probes.push(index);
      }
      const sentMs = this.options.now();
      const held = Number(await client.exists(...probes.map((i) => keyFor(this.keyBase, seqs[i]!))));
      // The replica answered at some point after this; a reply read late must not lengthen the lag.
      atMs = sentMs;
      if (held > 0) lo = probes[held - 1]! + 1;
      if (held < probes.length) hi = probes[held]!;
    }
    if (lo > 0) {
      this.replicaSeq = seqs[lo - 1]!;
      this.replicaSeqAckMs = times[lo - 1]!;
    }
    const behind = seqs.length - lo;
    const firstLackedMs = behind > 0 ? times[lo]! : null;
    const lagMs =
      firstLackedMs === null
        ? 0
        : this.replicaSeqAckMs === null
          ? atMs - firstLackedMs
          : atMs - (firstLackedMs + this.replicaSeqAckMs) / 2;
    return {
      replica: address,
      atMs: round(atMs),
      replicaSeq: this.replicaSeq,
      behind,
      lagMs: round(Math.max(0, lagMs)),
    };
  }

  async close(): Promise<void> {
    if (this.client) await closeClient(this.client);
    this.client = undefined;
  }

  private connectBest(replicas: readonly ReplicaAddress[]): Promise<RedisClient> {
    const best = replicas[0];
    if (!best) throw new Error('no replica online');
    return this.connect(`${best.host}:${best.port}`, best);
  }

  private async connect(address: string, best: ReplicaAddress): Promise<RedisClient> {
    if (this.client && this.address === address && this.client.status === 'ready') return this.client;
    if (this.unreachable.has(address)) throw new Error(`replica ${address} could not be reached`);
    await this.close();
    this.address = address;
    this.replicaSeq = null;
    this.replicaSeqAckMs = null;
    const client = this.createClient({ host: best.host, port: best.port });
    this.client = client;
    try {
      await waitUntilReady(client, this.options.timeoutMs);
      // A cluster replica answers reads of its slots only after READONLY; otherwise MOVED.
      if (this.options.cluster) await client.call('READONLY');
    } catch (error) {
      this.unreachable.add(address);
      await this.close();
      throw error;
    }
    return client;
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
