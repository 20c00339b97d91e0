/**
 * A durable group's transactional log, emulated on the replication links of real redis-server processes.
 * The delay line on each replica's link (--replication-lag-ms) is where a write waits before a replica
 * holds it. Sync: that line is the log — when the primary dies, what it holds is still delivered before
 * the promotion, so the lag costs downtime, not data. Async: the line stays a plain delay line, so a
 * promotion loses what it held (the writes of the lag's window), as asynchronous persistence may. And
 * while the oldest write still in the line is older than the buffer (a stalled log), the primary endpoint
 * rejects every write with a cluster-down error, in order, until the line catches up.
 */
import type { DurableMode } from '../../functions/core/measure/durability.js';
import { DURABILITY_BUFFER_MS, REJECTED_KIND } from '../../functions/core/measure/durability.js';
import type { FaultProxy } from '../redis/proxy.js';

/** What a durable local group presents: Valkey 9.0, the first engine with durability. */
export const DURABLE_ENGINE = 'valkey';
export const DURABLE_ENGINE_VERSION = '9.0';

export interface LocalDurability {
  mode: DurableMode;
  /** A test-only fault: the sync log loses what reached it in its last that many ms (0: none). */
  dropTailMs?: number;
  /** Async: writes are rejected while the log's oldest write is older than this (default 10,000 ms). */
  bufferMs?: number;
}

/**
 * The reply of a write the async primary rejects. AWS documents only "the cluster down error message"
 * (Developer Guide, *Durability options*), so the code is Redis's cluster-down code and the words ours.
 */
export const REJECTION_TEXT = `${REJECTED_KIND} The durability buffer is exceeded: writes are rejected until the transactional log catches up`;

/** How often the async gate looks at the log's age (ms). */
const GATE_EVERY_MS = 20;

/** The CloudWatch metrics the emulation publishes (AWS/ElastiCache), by name. */
export const LOG_METRICS = [
  'DurabilityLag',
  'DurabilityBufferExceededErrorCount',
  'TrafficManagementActive',
] as const;
export type LogMetric = (typeof LOG_METRICS)[number];

/** One datapoint per second of the emulation: the log's lag (max), the writes rejected, the gate shut (max). */
interface Second {
  lagMs: number;
  rejected: number;
  /** 1 if the async write gate was shut (traffic throttled) at any look in that second, else 0. */
  throttled: 0 | 1;
}

export interface LogEmulation {
  /** Ends the emulation and what it did to the links and the endpoint (the mode can then be switched). */
  stop(): void;
  /** What it published, kept across a switch of mode. */
  readonly recorder: LogRecorder;
  /** The per-second values of `metric` in [fromMs, toMs) (epoch ms, seconds first to last). */
  seconds(metric: LogMetric, fromMs: number, toMs: number): { atMs: number; value: number }[];
}

/**
 * What the emulation publishes, sampled as its gate looks: `DurabilityLag` the age of the oldest write
 * still on the line (0 for sync, as AWS documents), `DurabilityBufferExceededErrorCount` the writes the
 * primary endpoint rejected, `TrafficManagementActive` 1 while the gate is shut (always 0 for sync). The
 * rejections are read once more when asked, so none is missed.
 */
export class LogRecorder {
  readonly #seconds = new Map<number, Second>();
  #rejectedSeen = 0;

  constructor(private readonly rejectedTotal: () => number) {}

  sample(lagMs: number, throttled = false, now = Date.now()): void {
    const second = Math.floor(now / 1000);
    const entry = this.#seconds.get(second) ?? { lagMs: 0, rejected: 0, throttled: 0 };
    const total = this.rejectedTotal();
    entry.lagMs = Math.max(entry.lagMs, lagMs);
    // A write rejected since the last look was throttled too, even if the gate has opened since.
    if (throttled || total > this.#rejectedSeen) entry.throttled = 1;
    entry.rejected += total - this.#rejectedSeen;
    this.#rejectedSeen = total;
    this.#seconds.set(second, entry);
  }

  seconds(
    metric: LogMetric,
    fromMs: number,
    toMs: number,
    lagNowMs: number,
    throttledNow = false,
  ): { atMs: number; value: number }[] {
    this.sample(lagNowMs, throttledNow);
    return [...this.#seconds.entries()]
      .filter(([second]) => second * 1000 >= Math.floor(fromMs / 1000) * 1000 && second * 1000 < toMs)
      .sort(([a], [b]) => a - b)
      .map(([second, entry]) => ({
        atMs: second * 1000,
        value:
          metric === 'DurabilityLag'
            ? entry.lagMs
            : metric === 'TrafficManagementActive'
              ? entry.throttled
              : entry.rejected,
      }));
  }
}

/**
 * Sync: every replica's link becomes a log that outlives the primary. Async: the primary endpoint rejects
 * writes while the oldest write still on any replica's link is older than the buffer.
 */
export function emulateLog(
  durability: LocalDurability,
  members: readonly { link: FaultProxy }[],
  primaryEndpoint: FaultProxy,
  recorder = new LogRecorder(() => primaryEndpoint.rejectedWrites),
): LogEmulation {
  if (durability.mode === 'sync') {
    for (const member of members) member.link.logged({ dropTailMs: durability.dropTailMs ?? 0 });
    // Sync's lag is always 0: one datapoint a second says so.
    const timer = setInterval(() => recorder.sample(0), 1000);
    timer.unref();
    recorder.sample(0);
    return {
      stop: () => {
        clearInterval(timer);
        for (const member of members) member.link.unlogged();
      },
      recorder,
      seconds: (metric, fromMs, toMs) => recorder.seconds(metric, fromMs, toMs, 0),
    };
  }
  const bufferMs = durability.bufferMs ?? DURABILITY_BUFFER_MS;
  primaryEndpoint.gateWrites();
  const lagMs = () => Math.max(0, ...members.map((m) => m.link.oldestInFlightMs()));
  let rejecting = false;
  const timer = setInterval(() => {
    const lag = lagMs();
    const behind = lag > bufferMs;
    if (behind !== rejecting) {
      rejecting = behind;
      primaryEndpoint.rejectWrites(behind ? REJECTION_TEXT : undefined);
    }
    // Sampled after the gate moved, so a second that shut it reads 1.
    recorder.sample(lag, rejecting);
  }, GATE_EVERY_MS);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      rejecting = false;
      primaryEndpoint.rejectWrites(undefined);
    },
    recorder,
    seconds: (metric, fromMs, toMs) => recorder.seconds(metric, fromMs, toMs, lagMs(), rejecting),
  };
}
