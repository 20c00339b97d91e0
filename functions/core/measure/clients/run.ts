/**
 * Runs client profiles beside the probe: each profile is one client of its library, configured as the
 * application configures it, writing counted keys at a fixed rate in its own key space. Unlike the probe
 * it waits, queues and retries exactly as its library does; what it records is what the application saw.
 */
import { errorInfo } from '../../../shared/errors.js';
import { type Clock, systemClock } from '../clock.js';
import type { SentCounts, WriteCounts } from '../counts.js';
import { keyFor, type SlotRange } from '../keys.js';
import { createLatencyHistogram, encodeHistogram, recordLatency } from '../latency.js';
import type { ErrorOutcome, Outcome } from '../outcomes.js';
import { OutcomeLog } from '../ranges.js';
import { RedirectionCounter, type RedirectionCounts } from '../redirections.js';
import { type EncodedTimeline, TimelineRecorder } from '../timeline.js';
import type { ClientTarget, OpenClient, ProfileClient } from './client.js';
import { loadGlide, openGlide } from './glide.js';
import { openIoredis } from './ioredis.js';
import { loadNodeRedis, openNodeRedis } from './node-redis.js';
import { type ClientProfile, LIBRARY_PACKAGES, type Library } from './profile.js';
import { DEFAULT_PROFILE_RATE, profileKeyBase } from './profile-keys.js';

export const OPENERS: Record<Library, OpenClient> = {
  ioredis: openIoredis,
  'node-redis': openNodeRedis,
  'valkey-glide': openGlide,
};

/** Each library's import, ahead of its first client (ioredis is the probe's own, imported with this module). */
export const LOADERS: Record<Library, () => Promise<unknown>> = {
  ioredis: async () => {},
  'node-redis': loadNodeRedis,
  'valkey-glide': loadGlide,
};

export interface ProfileRunSettings {
  runId: string;
  prefix: string;
  cluster: boolean;
  /** Cluster mode: the target shard's slots (the profile's keys share one slot in them). */
  pin?: SlotRange[];
  /** Writes per second of each profile (default 100: a 10 ms resolution). */
  rate?: number;
  ttlSeconds: number;
  /** Writes waiting in the client at most; beyond it the application would shed load: `skipped`. */
  maxPending?: number;
  /** After the stop, how long writes still queued or in flight may take before the client is closed. */
  drainMs?: number;
  connectTimeoutMs?: number;
}

export interface ErrorSeen {
  outcome: Exclude<Outcome, 'ok'>;
  count: number;
  /** Completion times (profile ms) of the first and last write that ended with this error. */
  firstMs: number;
  lastMs: number;
  /** The first such error's message (scrubbed): what the kind stands for. */
  sample?: string;
}

/**
 * One profile's record, compact and JSON-serialisable (it travels through the state machine). Its counts
 * (counts.ts): `pendingAtStop` still waiting when it was closed, `skipped` over `maxPending`.
 */
export interface ProfileRun extends SentCounts, Pick<WriteCounts, 'pendingAtStop' | 'skipped'> {
  name: string;
  library: Library;
  version: string;
  /** Keys are `<keyBase>:<seq>`; never under the probe's pattern. */
  keyBase: string;
  startedAtEpochMs: number;
  durationMs: number;
  errors: Record<string, ErrorSeen>;
  /** Run-length encoded outcome per seq (ranges.ts). */
  outcomes: string;
  /** Acknowledged-write latency (HDR, µs, compressed base64): queueing in the client shows here. */
  latency: string;
  /** The longest stretch without an acknowledgement: completion of an ok (or the start) to the next ok. */
  longestGap: { ms: number; startMs: number; endMs: number | null };
  firstNonOkMs: number | null;
  lastNonOkMs: number | null;
  /** Outcomes per 100 ms by start time (profile ms), as the probe's: the report's lane of this writer. */
  timeline?: EncodedTimeline;
  /** The profile could not run at all (e.g. it never connected): the figures are empty. */
  error?: { name: string; message: string };
  /**
   * Redirections and refusals the library met, followed or surfaced (profile ms), where its adapter can
   * watch it (ProfileClient.onRedirection); absent otherwise.
   */
  redirections?: RedirectionCounts;
  /** The library follows redirections where nothing watches it (ProfileClient.redirectionsNotObservable). */
  redirectionsNotObservable?: string;
}

export interface ProfileDeps {
  clock?: Clock;
  openers?: Partial<Record<Library, OpenClient>>;
  /** A profile's client is connected (or could not be: `error`) and it starts writing. */
  onStarted?: (name: string, error?: Error) => void;
}

/** Runs every profile until `signal` aborts; never throws for a profile's failure (it is in its record). */
export async function runClientProfiles(
  profiles: readonly ClientProfile[],
  settings: ProfileRunSettings,
  target: ClientTarget,
  signal: AbortSignal,
  deps: ProfileDeps = {},
): Promise<ProfileRun[]> {
  return Promise.all(profiles.map((profile) => runProfile(profile, settings, target, signal, deps)));
}

async function runProfile(
  profile: ClientProfile,
  settings: ProfileRunSettings,
  target: ClientTarget,
  signal: AbortSignal,
  deps: ProfileDeps,
): Promise<ProfileRun> {
  const clock = deps.clock ?? systemClock;
  const open = deps.openers?.[profile.library] ?? OPENERS[profile.library];
  const record = new ProfileRecorder();
  const base = profileBase(profile, settings);
  let startedAtEpochMs = clock.epochMs();
  let client: ProfileClient;
  try {
    client = await open(profile, target, settings.connectTimeoutMs ?? 10_000);
  } catch (error) {
    deps.onStarted?.(profile.name, error instanceof Error ? error : new Error(String(error)));
    return failedRun(profile, settings, startedAtEpochMs, error);
  }
  deps.onStarted?.(profile.name);
  // Times count from here, when the profile starts writing (its connect may have taken a while).
  const zero = clock.now();
  startedAtEpochMs = clock.epochMs();
  const now = (): number => clock.now() - zero;
  const redirections = client.onRedirection ? new RedirectionCounter() : null;
  client.onRedirection?.((kind) => redirections?.note(kind, now()));
  const interval = 1000 / (settings.rate ?? DEFAULT_PROFILE_RATE);
  const maxPending = settings.maxPending ?? 10_000;
  const pending = new Map<number, number>();
  let nextSeq = 0;
  let nextDueMs = 0;
  let skipped = 0;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let drained: () => void = () => {};

  const settle = (seq: number, startMs: number, result: 'ok' | ErrorOutcome): void => {
    if (closed || !pending.delete(seq)) return;
    record.settle(seq, startMs, now(), result);
    if (signal.aborted && pending.size === 0) drained();
  };
  const issue = (): void => {
    const seq = nextSeq++;
    const startMs = now();
    pending.set(seq, startMs);
    let sent: Promise<unknown>;
    try {
      sent = client.write(keyFor(base.keyBase, seq), settings.ttlSeconds);
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      () => settle(seq, startMs, 'ok'),
      (error: unknown) => settle(seq, startMs, client.classify(error)),
    );
  };
  const pump = (): void => {
    if (signal.aborted) return;
    const t = now();
    while (nextDueMs <= t) {
      if (pending.size < maxPending) issue();
      else skipped++;
      nextDueMs += interval;
    }
    timer = setTimeout(pump, Math.max(1, Math.ceil(nextDueMs - now())));
  };
  pump();
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  clearTimeout(timer);
  const stoppedMs = now();
  if (pending.size > 0) {
    let drainTimer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      drained = resolve;
      drainTimer = setTimeout(resolve, settings.drainMs ?? 2000);
    });
    clearTimeout(drainTimer);
  }
  closed = true;
  const pendingAtStop = pending.size;
  for (const [seq, startMs] of [...pending].sort((a, b) => a[0] - b[0]))
    record.settle(seq, startMs, now(), { outcome: 'info', kind: 'PENDING_AT_STOP' });
  await client.close().catch(() => {});
  return {
    ...base,
    startedAtEpochMs,
    durationMs: round(now()),
    ...record.parts(stoppedMs, pendingAtStop),
    skipped,
    ...(redirections ? { redirections: redirections.result() } : {}),
    ...(client.redirectionsNotObservable
      ? { redirectionsNotObservable: client.redirectionsNotObservable }
      : {}),
  };
}

function profileBase(profile: ClientProfile, settings: ProfileRunSettings) {
  return {
    name: profile.name,
    library: profile.library,
    version: LIBRARY_PACKAGES[profile.library].version,
    keyBase: profileKeyBase(settings, profile.name),
  };
}

/** The record of a profile that could not run at all (never connected, or its worker failed): no figures. */
export function failedRun(
  profile: ClientProfile,
  settings: ProfileRunSettings,
  startedAtEpochMs: number,
  error: unknown,
): ProfileRun {
  return {
    ...profileBase(profile, settings),
    startedAtEpochMs,
    durationMs: 0,
    ...new ProfileRecorder().parts(0, 0),
    error: errorInfo(error),
  };
}

/**
 * A profile's or shard writer's timeline travels in the Write step's output (Step Functions: 256 KB for
 * all of it): 2 minutes at 100 ms, coarser beyond, so ≤ ~8 KB a writer; the report's lanes hold 1200.
 */
const PROFILE_TIMELINE_MAX_BUCKETS = 1200;

/** The pure half: told each outcome in completion order, keeps the counts, error streaks and gaps. */
export class ProfileRecorder {
  private readonly outcomes = new OutcomeLog();
  private readonly latency = createLatencyHistogram();
  private readonly timeline = new TimelineRecorder();
  private readonly counts: SentCounts = { attempted: 0, acknowledged: 0, failed: 0, indeterminate: 0 };
  private readonly errors: Record<string, ErrorSeen> = {};
  private lastOkMs = 0;
  private gap: ProfileRun['longestGap'] = { ms: 0, startMs: 0, endMs: 0 };
  private firstNonOkMs: number | null = null;
  private lastNonOkMs: number | null = null;

  settle(seq: number, startMs: number, endMs: number, result: 'ok' | ErrorOutcome): void {
    this.counts.attempted++;
    this.timeline.record(startMs, result === 'ok' ? 'ok' : result.outcome, endMs - startMs);
    if (result === 'ok') {
      this.outcomes.set(seq, 'ok');
      this.counts.acknowledged++;
      recordLatency(this.latency, endMs - startMs);
      if (endMs - this.lastOkMs > this.gap.ms)
        this.gap = { ms: round(endMs - this.lastOkMs), startMs: round(this.lastOkMs), endMs: round(endMs) };
      this.lastOkMs = Math.max(this.lastOkMs, endMs);
      return;
    }
    this.outcomes.set(seq, result.outcome);
    if (result.outcome === 'fail') this.counts.failed++;
    else this.counts.indeterminate++;
    const at = round(endMs);
    const seen = this.errors[result.kind];
    if (seen) {
      seen.count++;
      seen.lastMs = at;
    } else {
      const sample = result.message === undefined ? {} : { sample: result.message };
      this.errors[result.kind] = { outcome: result.outcome, count: 1, firstMs: at, lastMs: at, ...sample };
    }
    this.firstNonOkMs ??= at;
    this.lastNonOkMs = at;
  }

  /** `endMs`: when writing stopped; a gap still open then is counted to it (endMs null: never recovered). */
  parts(
    endMs: number,
    pendingAtStop: number,
  ): Omit<
    ProfileRun,
    'name' | 'library' | 'version' | 'keyBase' | 'startedAtEpochMs' | 'durationMs' | 'error'
  > {
    const open = endMs - this.lastOkMs;
    const longestGap =
      open > this.gap.ms ? { ms: round(open), startMs: round(this.lastOkMs), endMs: null } : this.gap;
    return {
      ...this.counts,
      pendingAtStop,
      skipped: 0,
      errors: structuredClone(this.errors),
      outcomes: this.outcomes.encode(),
      latency: encodeHistogram(this.latency),
      longestGap,
      firstNonOkMs: this.firstNonOkMs,
      lastNonOkMs: this.lastNonOkMs,
      timeline: this.timeline.encode(PROFILE_TIMELINE_MAX_BUCKETS),
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
