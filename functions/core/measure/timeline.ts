/** Per-bucket counts of outcomes, bucketed by the attempt's start time, with the slowest ok per bucket. */
import { VarintReader, VarintWriter } from './codec.js';
import type { Outcome } from './outcomes.js';

export const TIMELINE_BUCKET_MS = 100;
/** 20 minutes at 100 ms; longer runs are re-bucketed (200 ms, 300 ms, …) when encoded. */
export const TIMELINE_MAX_BUCKETS = 12_000;

export interface EncodedTimeline {
  bucketMs: number;
  buckets: number;
  /** varints per bucket: ok, fail, info, slowest ok in 0.1 ms units. */
  data: string;
}

export interface Timeline {
  bucketMs: number;
  ok: number[];
  fail: number[];
  info: number[];
  /** Slowest acknowledged write that started in the bucket, ms (0 when none). */
  maxLatencyMs: number[];
}

const FIELDS = ['ok', 'fail', 'info', 'maxLatency'] as const;

export class TimelineRecorder {
  private columns = FIELDS.map(() => new Uint32Array(600));
  private size = 0;

  /** Counts one settled attempt that started at `startMs` (ms since the writer's zero). */
  record(startMs: number, outcome: Outcome, latencyMs: number): void {
    const bucket = Math.max(0, Math.floor(startMs / TIMELINE_BUCKET_MS));
    this.reserve(bucket + 1);
    const column = FIELDS.indexOf(outcome);
    this.columns[column]![bucket]! += 1;
    if (outcome === 'ok') {
      const tenths = Math.ceil(latencyMs * 10);
      const slowest = this.columns[3]!;
      if (tenths > slowest[bucket]!) slowest[bucket] = tenths;
    }
  }

  encode(maxBuckets = TIMELINE_MAX_BUCKETS): EncodedTimeline {
    const factor = Math.max(1, Math.ceil(this.size / maxBuckets));
    const buckets = Math.ceil(this.size / factor);
    const out = new VarintWriter();
    for (let b = 0; b < buckets; b++) {
      const from = b * factor;
      const to = Math.min(this.size, from + factor);
      for (let f = 0; f < FIELDS.length; f++) {
        const column = this.columns[f]!;
        let value = 0;
        for (let i = from; i < to; i++) value = f === 3 ? Math.max(value, column[i]!) : value + column[i]!;
        out.uint(value);
      }
    }
    return { bucketMs: TIMELINE_BUCKET_MS * factor, buckets, data: out.encode() };
  }

  private reserve(size: number): void {
    if (size > this.size) this.size = size;
    const capacity = this.columns[0]!.length;
    if (size <= capacity) return;
    const grown = Math.max(size, capacity * 2);
    this.columns = this.columns.map((column) => {
      const next = new Uint32Array(grown);
      next.set(column);
      return next;
    });
  }
}

export function decodeTimeline(encoded: EncodedTimeline): Timeline {
  const timeline: Timeline = { bucketMs: encoded.bucketMs, ok: [], fail: [], info: [], maxLatencyMs: [] };
  const reader = new VarintReader(encoded.data);
  for (let b = 0; b < encoded.buckets; b++) {
    timeline.ok.push(reader.uint());
    timeline.fail.push(reader.uint());
    timeline.info.push(reader.uint());
    timeline.maxLatencyMs.push(reader.uint() / 10);
  }
  return timeline;
}
