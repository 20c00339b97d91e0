/**
 * A bounded sample of single writes around the disruption — when each started, how long it took, how it
 * ended — for the report's latency-over-time chart (one mark per write, as in Jepsen's latency plot).
 * Before the disruption a ring keeps the latest writes started within the lookback; from the disruption
 * on, every write is kept until the capacity is used up. Encoded as varints: ~5 bytes a write.
 */
import { VarintReader, VarintWriter } from './codec.js';
import { OUTCOME_CODE, type Outcome } from './outcomes.js';

export interface WriteSample {
  entries: number;
  /** Writes after the disruption were dropped: the capacity was used up. */
  truncated: boolean;
  /** varints, sorted by start: start delta in 0.1 ms; latency in 0.01 ms × 4 + outcome code. */
  data: string;
}

export interface SampledWrite {
  /** ms since the writer's zero. */
  startMs: number;
  latencyMs: number;
  outcome: Outcome;
}

export const DEFAULT_SAMPLE_CAPACITY = 4096;
export const DEFAULT_SAMPLE_LOOKBACK_MS = 5000;
const OUTCOMES: Outcome[] = ['ok', 'ok', 'fail', 'info'];

export class WriteSampler {
  private readonly ring: Float64Array;
  private readonly ringSize: number;
  private head = 0;
  private size = 0;
  private kept: number[] | null = null;
  private truncated = false;

  constructor(
    private readonly capacity = DEFAULT_SAMPLE_CAPACITY,
    private readonly lookbackMs = DEFAULT_SAMPLE_LOOKBACK_MS,
  ) {
    // Half the capacity for what came before the disruption, the rest for what follows it.
    this.ringSize = Math.max(1, Math.floor(capacity / 2));
    this.ring = new Float64Array(this.ringSize * 3);
  }

  add(startMs: number, latencyMs: number, outcome: Outcome): void {
    if (this.kept) {
      if (this.kept.length / 3 >= this.capacity) this.truncated = true;
      else this.kept.push(startMs, latencyMs, OUTCOME_CODE[outcome]);
      return;
    }
    const index = ((this.head + this.size) % this.ringSize) * 3;
    this.ring[index] = startMs;
    this.ring[index + 1] = latencyMs;
    this.ring[index + 2] = OUTCOME_CODE[outcome];
    if (this.size < this.ringSize) this.size++;
    else this.head = (this.head + 1) % this.ringSize;
  }

  /** The disruption was seen at this time: keep the lookback before it, then everything after. */
  freeze(atMs: number): void {
    if (this.kept) return;
    this.kept = [];
    for (const [startMs, latencyMs, code] of this.ringEntries()) {
      if (startMs >= atMs - this.lookbackMs) this.kept.push(startMs, latencyMs, code);
    }
  }

  encode(): WriteSample {
    const entries: [number, number, number][] = [];
    if (this.kept) for (let i = 0; i < this.kept.length; i += 3) entries.push(this.triple(this.kept, i));
    else entries.push(...this.ringEntries());
    entries.sort((a, b) => a[0] - b[0]);
    const out = new VarintWriter();
    let previous = 0;
    for (const [startMs, latencyMs, code] of entries) {
      const tenths = Math.round(startMs * 10);
      out.uint(tenths - previous);
      out.uint(Math.max(0, Math.round(latencyMs * 100)) * 4 + code);
      previous = tenths;
    }
    return { entries: entries.length, truncated: this.truncated, data: out.encode() };
  }

  private *ringEntries(): Generator<[number, number, number]> {
    for (let i = 0; i < this.size; i++) yield this.triple(this.ring, ((this.head + i) % this.ringSize) * 3);
  }

  private triple(values: ArrayLike<number>, at: number): [number, number, number] {
    return [values[at]!, values[at + 1]!, values[at + 2]!];
  }
}

export function decodeWriteSample(sample: WriteSample): SampledWrite[] {
  const reader = new VarintReader(sample.data);
  const writes: SampledWrite[] = [];
  let tenths = 0;
  for (let i = 0; i < sample.entries; i++) {
    tenths += reader.uint();
    const packed = reader.uint();
    writes.push({
      startMs: tenths / 10,
      latencyMs: Math.floor(packed / 4) / 100,
      outcome: OUTCOMES[packed % 4]!,
    });
  }
  return writes;
}
