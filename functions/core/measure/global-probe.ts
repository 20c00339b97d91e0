/**
 * The cross-region probe of a region failover: one key per write at a fixed interval, to the primary
 * endpoint of the region that holds the Global Datastore's primary, as an application that follows the
 * roles would. It writes to the old primary region until that group refuses (READONLY: it is a secondary
 * now), then to the promoted region's primary endpoint, and stops after a settle period of continuous
 * success there (or at its cap). Writes are never retried; each outcome is classified as the writer's are.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CLIENT_DEFAULTS, closeClient, type RedisClient, waitUntilReady } from '../../shared/redis-client.js';
import { type Clock, systemClock } from './clock.js';
import type { CrossRegionWrite } from './global-figures.js';
import { keyBaseFor, keyFor, payloadFor } from './keys.js';
import { classifyError } from './outcomes.js';

export interface RegionEndpoint {
  region: string;
  /** redis[s]://HOST:PORT of the region's group primary endpoint. */
  endpoint: string;
}

export interface GlobalProbeOptions {
  runId: string;
  prefix: string;
  primary: RegionEndpoint;
  secondary: RegionEndpoint;
  intervalMs: number;
  /** Continuous success in the promoted region before stopping. */
  settleMs: number;
  maxDurationMs: number;
  ttlSeconds: number;
}

export interface GlobalProbeDeps {
  /** A fail-fast client (functions/shared/redis-client.ts) for an endpoint; the probe closes it. */
  createClient: (endpoint: string) => RedisClient;
  clock?: Clock;
}

/** The errors that say a group no longer takes writes: it became a secondary. */
const DEMOTED = new Set(['READONLY']);
const WRITER_ID = 'global';

export class GlobalProbe {
  readonly writes: CrossRegionWrite[] = [];
  readonly keyBase: string;
  private active: RegionEndpoint;
  private readonly clients: Map<string, RedisClient>;
  private readonly clock: Clock;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly options: GlobalProbeOptions,
    deps: GlobalProbeDeps,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.keyBase = keyBaseFor(options.prefix, options.runId).keyBase;
    this.active = options.primary;
    this.clients = new Map(
      [options.primary, options.secondary].map((r) => [r.region, deps.createClient(r.endpoint)]),
    );
  }

  /** The region written to now. */
  get region(): string {
    return this.active.region;
  }

  key(seq: number): string {
    return keyFor(this.keyBase, seq);
  }

  /** Starts writing; `done` resolves once it settled in the promoted region or hit its cap. */
  start(): { done: Promise<void> } {
    this.running ??= this.loop();
    return { done: this.running };
  }

  /** Stops writing (what is in flight settles) and closes the clients. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    await Promise.all([...this.clients.values()].map((c) => closeClient(c)));
  }

  /**
   * The replication lag the secondary region shows in the probe's own writes, now: the age of the newest
   * write acknowledged in the primary region that the secondary already holds (ms; undefined before any).
   */
  async sampleLag(recent = 2000): Promise<number | undefined> {
    const acked = this.writes
      .filter((w) => w.region === this.options.primary.region && w.outcome === 'ok')
      .slice(-recent);
    if (acked.length === 0) return undefined;
    const client = this.clients.get(this.options.secondary.region)!;
    const now = this.clock.epochMs();
    const values = (await client.mget(...acked.map((w) => this.key(w.seq)))) as (string | null)[];
    for (let i = acked.length - 1; i >= 0; i--) if (values[i] !== null) return now - acked[i]!.endEpochMs;
    return now - acked[0]!.startEpochMs;
  }

  private async loop(): Promise<void> {
    // Both regions are reachable before the first write: a connect is never counted as an outage.
    await Promise.all(
      [...this.clients.values()].map((c) => waitUntilReady(c, 5 * CLIENT_DEFAULTS.connectTimeoutMs)),
    );
    const started = this.clock.now();
    let okSince: number | undefined;
    for (let seq = 0; !this.stopped; seq++) {
      const tick = this.clock.now();
      if (tick - started > this.options.maxDurationMs) return;
      const write = await this.write(seq);
      this.writes.push(write);
      const promoted = this.active !== this.options.primary;
      if (write.outcome === 'ok') okSince ??= write.endEpochMs;
      else okSince = undefined;
      if (write.outcome !== 'ok' && write.kind && DEMOTED.has(write.kind) && !promoted) {
        this.active = this.options.secondary;
        continue; // the next write goes to the promoted region at once
      }
      if (promoted && okSince !== undefined && write.endEpochMs - okSince >= this.options.settleMs) return;
      const wait = this.options.intervalMs - (this.clock.now() - tick);
      if (wait > 0) await sleep(wait);
    }
  }

  private async write(seq: number): Promise<CrossRegionWrite> {
    const region = this.active.region;
    const client = this.clients.get(region)!;
    const startEpochMs = this.clock.epochMs();
    try {
      await client.set(
        this.key(seq),
        payloadFor(this.options.runId, WRITER_ID, seq),
        'EX',
        this.options.ttlSeconds,
      );
      return { seq, region, startEpochMs, endEpochMs: this.clock.epochMs(), outcome: 'ok' };
    } catch (error) {
      const { outcome, kind } = classifyError(error);
      return { seq, region, startEpochMs, endEpochMs: this.clock.epochMs(), outcome, kind };
    }
  }
}
