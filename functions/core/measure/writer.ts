/**
 * The writer (probe): one key per write at a fixed rate with bounded concurrency, every attempt timed on
 * a monotonic clock, never retried or queued. It stops by itself: baseline → disruption seen (an armed
 * non-ok write, or the primary's identity changing on the monitor connection) → settle (continuous
 * success) → done; or at the hard cap (max duration, the caller's deadline, an abort). When to write and
 * when to stop is the scheduler's (`scheduler.ts`, pure); this file is the I/O around it. It also
 * measures its own precision (`precision.ts`): each write's lateness and its event loop's delay
 * (`loop-delay.ts`).
 */
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { DataPlaneError, WriterStartedLateError } from '../../shared/errors.js';
import { parseInput } from '../../shared/input.js';
import { CLIENT_DEFAULTS, closeClient, type RedisClient, waitUntilReady } from '../../shared/redis-client.js';
import { type Clock, systemClock } from './clock.js';
import { WRITER_DEFAULTS } from './defaults.js';
import { DEFAULT_PREFIX, keyFor, NAME_PATTERN, payloadFor, SLOT_COUNT, writerKeyBase } from './keys.js';
import { watchEventLoop } from './loop-delay.js';
import { probePrimary, type ReplicaAddress, type ReplicationStream } from './monitor.js';
import { classifyError, type ErrorOutcome, NOT_SENT, sampled } from './outcomes.js';
import { aroundDisruptionOf, PrecisionTracker } from './precision.js';
import { PROGRESS_INTERVAL_MS, progressWatched, publishProgress } from './progress.js';
import { DEFAULT_ACK_LOG_CAPACITY, DEFAULT_ACK_LOOKBACK_MS, HistoryRecorder } from './recorder.js';
import { type ReplicaClientFactory, ReplicaLagSampler } from './replica-lag.js';
import { retrying } from './retry.js';
import { systemTimers, WriteScheduler } from './scheduler.js';
import type { StopReason, WriterSummary } from './summary.js';

const name = z.string().regex(NAME_PATTERN);
const ms = z.number().int().min(0);

/** The writer's settings as plain data (what a Lambda receives); defaults filled in by runWriter. */
export const writerSettingsSchema = z.strictObject({
  runId: name,
  /** Distinguishes writers of the same run (a retried Lambda); default random. */
  writerId: name.optional(),
  prefix: name.default(DEFAULT_PREFIX),
  /** For the summary only (no credentials): the clients come from deps.createClient. */
  endpoint: z.string().min(1),
  cluster: z.boolean().default(false),
  /**
   * Writes per second; 0 = as fast as the concurrency allows. Default 1000: 1 ms resolution, about 1,000
   * commands and 90 KB/s on the primary (bench/HISTORY.md: Downtime precision).
   */
  rate: z.number().min(0).max(1_000_000).default(WRITER_DEFAULTS.rate),
  concurrency: z.number().int().min(1).max(1024).default(WRITER_DEFAULTS.concurrency),
  /** Before this, non-ok writes and identity changes are recorded but do not start the disruption. */
  baselineMs: ms.default(0),
  /**
   * A drill's arming moment (epoch ms), counted from when the fault's own wait began rather than from this
   * writer's start, so that a slow start (a cold Lambda) does not arm it after the fault: it arms at this
   * moment, at once if that has passed, and never later than `baselineMs` after its start.
   */
  armAtEpochMs: z.number().optional(),
  /** The latest moment a drill's writer may start (epoch ms): starting later is WriterStartedLateError. */
  startByEpochMs: z.number().optional(),
  /** Continuous success needed after the disruption before stopping. */
  settleMs: ms.default(5000),
  maxDurationMs: z.number().int().min(1).default(300_000),
  /** Optional cap on attempted writes (benchmarks, tests). */
  maxWrites: z.number().int().min(1).optional(),
  ttlSeconds: z.number().int().min(1).default(WRITER_DEFAULTS.ttlSeconds),
  /** Cluster mode: the target shard's slot ranges; keys get a hash tag whose slot is in them. */
  pin: z
    .array(
      z.tuple([
        z
          .number()
          .int()
          .min(0)
          .max(SLOT_COUNT - 1),
        z
          .number()
          .int()
          .min(0)
          .max(SLOT_COUNT - 1),
      ]),
    )
    .min(1)
    .optional(),
  monitorIntervalMs: z.number().int().min(5).default(50),
  /** Bound on waiting for in-flight writes after stopping; default command timeout + 1 s. */
  drainTimeoutMs: ms.optional(),
  connectTimeoutMs: ms.default(5000),
  ackLookbackMs: ms.default(DEFAULT_ACK_LOOKBACK_MS),
  /** Default: enough for the lookback and as long again after the disruption at the rate (at least 8192). */
  ackLogCapacity: z.number().int().min(16).max(1_000_000).optional(),
});

export type WriterSettings = z.input<typeof writerSettingsSchema>;

export interface WriterOptions extends WriterSettings {
  /** Remaining time (ms) the caller allows, e.g. Lambda getRemainingTimeInMillis() minus a margin. */
  deadline?: () => number;
  signal?: AbortSignal;
  /**
   * When a planned change was seen applied (epoch ms), once the fault branch has said so (the
   * change-finished marker, change-marker.ts); undefined until then. Without a disruption the writer stops
   * `settleMs` of continuous success after it (stop reason `changeFinished`).
   */
  changeFinishedAtEpochMs?: () => number | undefined;
}

export type WriterEvent =
  /** `zeroMs`: the clock reading (deps.clock.now()) that the summary's writer ms count from. */
  | { type: 'started'; keyBase: string; zeroMs: number }
  | { type: 'disruption'; atMs: number; cause: 'errors' | 'identity' }
  | { type: 'stopping'; atMs: number; reason: StopReason };

export interface WriterDeps {
  /** A fail-fast client (functions/shared/redis-client.ts); the writer connects and closes it. */
  createClient: (purpose: 'writer' | 'monitor') => RedisClient;
  /**
   * A client for one of the primary's replicas (same credentials and TLS), to measure the replication lag
   * in the writer's own writes (summary.replicaLag); without it the lag is known in bytes only.
   */
  createReplicaClient?: ReplicaClientFactory;
  clock?: Clock;
  onEvent?: (event: WriterEvent) => void;
}

/** Cluster mode: at most one slot-map refresh per this interval, triggered by failed writes. */
const REFRESH_INTERVAL_MS = 20;

/**
 * The writer's I/O shell: it connects, lets the scheduler (`scheduler.ts`) say when to write and when to
 * stop, sends each write with the client and feeds the reply back, and assembles the summary.
 */
export async function runWriter(options: WriterOptions, deps: WriterDeps): Promise<WriterSummary> {
  const { deadline, signal, changeFinishedAtEpochMs, ...rest } = options;
  const settings = parseInput(writerSettingsSchema, rest, 'writer settings');
  const clock = deps.clock ?? systemClock;
  const writerId = settings.writerId ?? randomBytes(4).toString('hex');
  const { keyBase, slot } = writerKeyBase(settings);

  const writer = deps.createClient('writer');
  const monitor = deps.createClient('monitor');
  await connect(writer, monitor, settings, keyBase);

  const zero = clock.now();
  const startedAtEpochMs = clock.epochMs();
  if (settings.startByEpochMs !== undefined && startedAtEpochMs > settings.startByEpochMs) {
    await Promise.all([closeClient(writer), closeClient(monitor)]);
    throw new WriterStartedLateError(
      `the writer started ${startedAtEpochMs - settings.startByEpochMs} ms after the fault could have been injected ` +
        '(its start took longer than its start window): nothing was written; raise writer.baselineSeconds',
    );
  }
  const armAtMs =
    settings.armAtEpochMs === undefined
      ? settings.baselineMs
      : Math.max(0, Math.min(settings.baselineMs, settings.armAtEpochMs - startedAtEpochMs));
  const now = (): number => clock.now() - zero;
  const recorder = new HistoryRecorder({
    armAtMs,
    ackLookbackMs: settings.ackLookbackMs,
    ackLogCapacity: settings.ackLogCapacity ?? ackLogCapacityFor(settings),
  });
  const precision = new PrecisionTracker();
  const loop = watchEventLoop(now, precision);
  deps.onEvent?.({ type: 'started', keyBase, zeroMs: zero });

  const drainTimeoutMs = settings.drainTimeoutMs ?? CLIENT_DEFAULTS.commandTimeoutMs + 1000;
  const progress = progressReporter(settings.runId, armAtMs, recorder);
  let lastRefreshMs = Number.NEGATIVE_INFINITY;
  let announced = false;

  const settle = (seq: number, startMs: number, result: 'ok' | ErrorOutcome): void => {
    const endMs = now();
    recorder.settle(seq, startMs, endMs, result);
    progress(endMs);
    if (!announced && recorder.disruption) {
      announced = true;
      deps.onEvent?.({
        type: 'disruption',
        atMs: recorder.disruption.seenAtMs,
        cause: recorder.disruption.cause,
      });
    }
    if (result !== 'ok' && settings.cluster && endMs - lastRefreshMs >= REFRESH_INTERVAL_MS) {
      lastRefreshMs = endMs;
      (writer as { refreshSlotsCache?: () => void }).refreshSlotsCache?.();
    }
  };

  const scheduler: WriteScheduler<'ok' | ErrorOutcome> = new WriteScheduler(settings, {
    now,
    timers: systemTimers,
    signal,
    deadline,
    quietForMs: (atMs) => recorder.quietForMs(atMs),
    changeQuietForMs: (atMs) => {
      const finishedAt = changeFinishedAtEpochMs?.();
      return recorder.changeQuietForMs(
        atMs,
        finishedAt === undefined ? undefined : finishedAt - startedAtEpochMs,
      );
    },
    settle,
    stopping: (reason, atMs) => deps.onEvent?.({ type: 'stopping', atMs, reason }),
    send: ({ seq, startMs, latenessMs }) => {
      precision.lateness(startMs, latenessMs);
      if (writer.status !== 'ready') return { outcome: 'fail', kind: NOT_SENT };
      writer
        .set(keyFor(keyBase, seq), payloadFor(settings.runId, writerId, seq), 'EX', settings.ttlSeconds)
        .then(
          () => scheduler.completed(seq, 'ok'),
          (error: unknown) => scheduler.completed(seq, sampled(classifyError(error), error)),
        );
      return undefined;
    },
  });
  const stopped = (): boolean => scheduler.stopReason !== undefined;

  // Back from an outage: write now rather than at the next slot, so the first ok is not late by a slot.
  const onReady = (): void => scheduler.ready();
  writer.on('ready', onReady);
  const replicas: { latest: ReplicaAddress[] } = { latest: [] };
  const monitoring = monitorLoop(
    monitor,
    slot ?? null,
    settings.monitorIntervalMs,
    now,
    recorder,
    replicas,
    stopped,
  );
  // The primary's offset for a lag sample, read on the monitor connection (beside the identity probe).
  const readPrimary = async () => (await probePrimary(monitor, slot ?? null)).stream;
  const sampler = deps.createReplicaClient
    ? new ReplicaLagSampler(deps.createReplicaClient, keyBase, {
        cluster: settings.cluster,
        timeoutMs: settings.connectTimeoutMs,
        now,
      })
    : undefined;
  const lagSampling = sampler
    ? replicaLagLoop(sampler, readPrimary, settings.monitorIntervalMs, now, recorder, replicas, stopped)
    : Promise.resolve();
  scheduler.start();
  await scheduler.stopped;
  // In-flight writes settle by reply, command timeout or connection loss; the bound is a safety net.
  let drainTimer: NodeJS.Timeout | undefined;
  await Promise.race([
    scheduler.drained,
    new Promise((resolve) => (drainTimer = setTimeout(resolve, drainTimeoutMs))),
  ]);
  clearTimeout(drainTimer);
  for (const { seq, startMs } of scheduler.close()) {
    settle(seq, startMs, { outcome: 'info', kind: 'UNSETTLED' });
  }
  const durationMs = now();
  writer.off('ready', onReady);
  const eventLoopDelayMs = loop.stop();
  await Promise.all([monitoring, lagSampling]);
  await Promise.all([closeClient(writer), closeClient(monitor), sampler?.close()]);

  const parts = recorder.summaryParts();
  return {
    version: 1,
    runId: settings.runId,
    writerId,
    prefix: settings.prefix,
    keyBase,
    slot: slot ?? null,
    cluster: settings.cluster,
    endpoint: settings.endpoint,
    ttlSeconds: settings.ttlSeconds,
    rate: settings.rate,
    concurrency: settings.concurrency,
    baselineMs: settings.baselineMs,
    settleMs: settings.settleMs,
    maxDurationMs: settings.maxDurationMs,
    startedAtEpochMs,
    durationMs: Math.round(durationMs * 100) / 100,
    stopReason: scheduler.stopReason ?? 'aborted',
    skipped: scheduler.skipped,
    ...parts,
    precision: precision.summary(eventLoopDelayMs, aroundDisruptionOf(parts.disruption, durationMs)),
  };
}

type ParsedSettings = z.output<typeof writerSettingsSchema>;

/** Connects both clients (cluster mode: and the run's slot's node); closes them and says why if it cannot. */
async function connect(
  writer: RedisClient,
  monitor: RedisClient,
  settings: ParsedSettings,
  keyBase: string,
): Promise<void> {
  try {
    await Promise.all([
      waitUntilReady(writer, settings.connectTimeoutMs),
      waitUntilReady(monitor, settings.connectTimeoutMs),
    ]);
    // Cluster mode: a read of the run's slot opens the connection to the node that owns it, so that the
    // first writes are not refused (NOT_CONNECTED) while the client connects on first use. The fail-fast
    // client rejects the read when that first connect drops (MaxRetriesPerRequestError): nothing is
    // measured yet and a read is idempotent, so it is tried again within the connect timeout.
    if (settings.cluster)
      await retrying(settings.connectTimeoutMs, "opening the run slot's node", writer, () =>
        writer.exists(keyFor(keyBase, 0)),
      );
  } catch (error) {
    await Promise.all([closeClient(writer), closeClient(monitor)]);
    throw error instanceof DataPlaneError ? error : new DataPlaneError(String(error));
  }
}

/** Enough acknowledgement times for the lookback and as long again after the disruption (at least 8192). */
function ackLogCapacityFor(settings: ParsedSettings): number {
  const atRate = Math.ceil((settings.rate * 2 * settings.ackLookbackMs) / 1000);
  return Math.min(1_000_000, Math.max(DEFAULT_ACK_LOG_CAPACITY, atRate));
}

/** Publishes the writer's progress for a status line, at most once per PROGRESS_INTERVAL_MS. */
function progressReporter(runId: string, armAtMs: number, recorder: HistoryRecorder): (atMs: number) => void {
  let lastProgressMs = Number.NEGATIVE_INFINITY;
  return (atMs) => {
    if (atMs - lastProgressMs < PROGRESS_INTERVAL_MS || !progressWatched()) return;
    lastProgressMs = atMs;
    const counts = recorder.recorded;
    const marks = recorder.disruption;
    publishProgress({
      runId,
      atMs,
      attempted: counts.attempted,
      acknowledged: counts.acknowledged,
      nonOk: counts.failed + counts.indeterminate,
      phase:
        atMs < armAtMs
          ? 'baseline'
          : !marks
            ? 'armed'
            : recorder.quietForMs(atMs) === null
              ? 'disrupted'
              : 'settling',
    });
  };
}

/** Samples the primary's identity until the writer stops; a failed probe is simply no sample. */
async function monitorLoop(
  client: RedisClient,
  slot: number | null,
  intervalMs: number,
  now: () => number,
  recorder: HistoryRecorder,
  replicas: { latest: ReplicaAddress[] },
  stopped: () => boolean,
): Promise<void> {
  while (!stopped()) {
    const began = now();
    try {
      const probe = await probePrimary(client, slot);
      const atMs = Math.round(now() * 100) / 100;
      recorder.observeIdentity({ atMs, id: probe.id, role: probe.role, address: probe.address });
      if (probe.lagBytes !== null) recorder.observeLag(probe.lagBytes, atMs, 'acknowledged');
      replicas.latest = probe.replicas;
    } catch {
      // the monitor shares the writer's fate during an outage; writes tell that story
    }
    const wait = intervalMs - (now() - began);
    if (wait > 0 && !stopped()) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/**
 * Reads the best replica's view of the stream (bytes) and of the writer's sequence (writes) until the
 * disruption (then the replica may be promoted and the sample no longer describes the stream that was
 * lost); its own loop, so that a slow or unreachable replica never delays the identity samples.
 */
async function replicaLagLoop(
  sampler: ReplicaLagSampler,
  readPrimary: () => Promise<ReplicationStream | null>,
  intervalMs: number,
  now: () => number,
  recorder: HistoryRecorder,
  replicas: { latest: ReplicaAddress[] },
  stopped: () => boolean,
): Promise<void> {
  while (!stopped() && !recorder.disruption) {
    const began = now();
    if (replicas.latest.length > 0) {
      try {
        const { bytes, atMs } = await sampler.sampleBytes(replicas.latest, readPrimary);
        recorder.observeLag(bytes, atMs, 'replica');
      } catch {
        // no sample: the replica is unreachable or changing; the acknowledged offset stands in
      }
      try {
        recorder.observeReplicaLag(await sampler.sample(replicas.latest, recorder));
      } catch {
        // no sample: the replica is unreachable or changing; the lag in bytes still stands
      }
    }
    const wait = intervalMs - (now() - began);
    if (wait > 0 && !stopped()) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
