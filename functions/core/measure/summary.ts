/** The writer's compact, JSON-serialisable summary: what the verifier and the report work from. */
import type { SentCounts, WriteCounts } from './counts.js';
import type { WriteSample } from './sample.js';
import type { EncodedTimeline } from './timeline.js';

/** Who the data plane says is primary, sampled on a separate monitor connection. */
export interface IdentitySample {
  /** ms since the writer's zero. */
  atMs: number;
  /** The server's run_id (standalone) or cluster node id of the pinned slot's owner. */
  id: string;
  /** master / slave as the server reports it. */
  role: string;
  /** host:port as the client sees it (cluster mode). */
  address?: string;
}

export interface IdentityTrack {
  /** The primary when the writer was armed (end of the baseline). */
  initial: IdentitySample | null;
  /** The last sample taken. */
  final: IdentitySample | null;
  /** First armed sample that differs from the initial id or is no longer a master. */
  changedAtMs: number | null;
  /** First armed sample that shows a different node as master. */
  promotedAtMs: number | null;
  /** Every change of id or role (bounded). */
  changes: IdentitySample[];
  /** Replication lag of the primary's best replica (bytes), sampled last before the disruption. */
  lagBytes: number | null;
  lagSampledAtMs: number | null;
  /**
   * How lagBytes was read: `replica`, the primary's and the replica's own offsets read at once (the lag
   * as it is); `acknowledged`, the offset the replica last acknowledged (about once a second, so up to
   * a second of the stream old), when the replica itself could not be read.
   */
  lagBytesSource: LagBytesSource | null;
}

export type LagBytesSource = 'replica' | 'acknowledged';

/** Times are completion times in ms since the writer's zero. */
export interface DisruptionMarks {
  seenAtMs: number;
  cause: 'errors' | 'identity';
  /** Completion of the first non-ok write after arming, and of the last one. */
  firstNonOkMs: number | null;
  lastNonOkMs: number | null;
  /** Completion of the last ok before the first non-ok (null: nothing had succeeded yet). */
  startMs: number | null;
  /** Completion of the first ok after the last non-ok (null: writes never came back). */
  endMs: number | null;
  /**
   * Latest start of an ok write completed before the first non-ok: its request passed, so the outage began
   * after it (the lower bound of the outage's start; `firstNonOkMs` is the upper).
   */
  lastOkStartMs: number | null;
  /**
   * Latest start of a write the fault itself answered or swallowed (a server error reply, a command
   * timeout): the fault still held after it started, so the outage lasted past it (the lower bound of the
   * outage's end; `endMs` is the upper). Null when no write met the fault itself (only lost connections
   * and refusals before sending: then the outage may have been instantaneous, as a reset is).
   */
  lastFaultSeenStartMs: number | null;
}

/** The first and the last completion of one error kind, in ms since the writer's zero. */
export interface ErrorTimes {
  firstMs: number;
  lastMs: number;
}

export interface AckLog {
  entries: number;
  /** Earliest acknowledgement kept (ms); lost writes acknowledged before it have no exact time. */
  fromMs: number | null;
  /** The log was full before the disruption ended. */
  truncated: boolean;
  /** varints: seq delta, zigzag delta of the ack time in 0.1 ms, sorted by seq. */
  data: string;
}

/** The best replica's view of the writer's own sequence, sampled last before the disruption. */
export interface ReplicaLag {
  /** host:port of the replica read (the most advanced one its primary lists). */
  replica: string;
  /** Writer ms of the sample. */
  atMs: number;
  /** The highest acknowledged seq the replica held (null: none of those the writer kept). */
  replicaSeq: number | null;
  /** Acknowledged writes the replica did not hold yet. */
  behind: number;
  /**
   * How far the replica trailed, in time: from the start of the write it held last and of the first it
   * lacked to the sample (their midpoint; a write's start is when the primary applied it, to within a
   * round trip); 0 when it lacked none. The median of the last three samples.
   */
  lagMs: number;
  /** Acknowledged writes a promotion at the disruption's start would lose: those started within lagMs before the last acknowledged one's start. */
  predictedLost: number | null;
}

/**
 * How exactly the writer kept its own timing (ms): a blocked event loop reads replies late and sends
 * writes late, so every time it took is off by up to that much.
 */
export interface ProbePrecision {
  /** The writer's event-loop delay over its whole run (perf_hooks.monitorEventLoopDelay, beyond its 1 ms tick). */
  eventLoopDelayMs: { p99: number; max: number };
  /** Most a write started after it could have been sent, over the whole run (0 at rate 0). */
  maxLatenessMs: number;
  /** The same maxima from 1 s before the disruption to 1 s after it ended (null: no disruption). */
  aroundDisruption: { eventLoopDelayMaxMs: number; maxLatenessMs: number } | null;
}

/** `changeFinished`: a planned change was applied and the writes were then continuously ok for the settle time. */
export type StopReason = 'settled' | 'changeFinished' | 'maxDuration' | 'maxWrites' | 'deadline' | 'aborted';

/** Its counts (counts.ts): `skipped` never queued, `baselineNonOk` before the writer was armed. */
export interface WriterSummary extends SentCounts, Pick<WriteCounts, 'skipped' | 'baselineNonOk'> {
  version: 1;
  runId: string;
  writerId: string;
  prefix: string;
  /** Keys are `<keyBase>:<seq>`. */
  keyBase: string;
  slot: number | null;
  cluster: boolean;
  /** redis[s]://host:port, no credentials. */
  endpoint: string;
  ttlSeconds: number;
  /** Writes per second scheduled; 0 = as fast as the concurrency allows. */
  rate: number;
  concurrency: number;
  baselineMs: number;
  settleMs: number;
  maxDurationMs: number;
  /** Epoch ms of the writer's monotonic zero: control-plane events (epoch ms) minus this = writer ms. */
  startedAtEpochMs: number;
  durationMs: number;
  stopReason: StopReason;
  /** Run-length encoded outcome per seq 0..attempted-1 (see ranges.ts). */
  outcomes: string;
  /** Non-ok outcomes by kind: READONLY, MOVED, TIMEOUT, CONNECTION_LOST, NOT_CONNECTED, … */
  errors: Record<string, number>;
  /** One message per kind of `errors`, as the client worded it (scrubbed): what the kind stands for. */
  errorSamples?: Record<string, string>;
  /** When each kind of `errors` was first and last met (completion, writer ms; absent from older summaries). */
  errorTimes?: Record<string, ErrorTimes>;
  disruption: DisruptionMarks | null;
  /** Longest time between two consecutive acknowledgements (ms). */
  longestOkGapMs: number;
  identity: IdentityTrack;
  timeline: EncodedTimeline;
  /** Acknowledged-write latency, HDR histograms (µs) as compressed base64. */
  latency: { before: string; during: string; after: string };
  ackLog: AckLog;
  /** Null without a replica the writer could read (or before the first sample). */
  replicaLag: ReplicaLag | null;
  /** Single writes around the disruption (bounded), for the latency-over-time chart. */
  writeSample?: WriteSample;
  /** The writer's own timing precision (absent from summaries written before it was measured). */
  precision?: ProbePrecision;
}
