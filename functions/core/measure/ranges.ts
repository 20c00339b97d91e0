/** Sequence numbers by outcome: a byte per write while writing, inclusive ranges in the summary. */
import { VarintReader, VarintWriter } from './codec.js';
import { OUTCOME_BY_CODE, OUTCOME_CODE, type Outcome } from './outcomes.js';

/** Inclusive: [first, last]. */
export type SeqRange = [first: number, last: number];

export type OutcomeRanges = Record<Outcome, SeqRange[]>;

/** One byte per sequence number (0 = not settled), grown by doubling. */
export class OutcomeLog {
  private codes = new Uint8Array(4096);
  private size = 0;

  get length(): number {
    return this.size;
  }

  set(seq: number, outcome: Outcome): void {
    while (seq >= this.codes.length) {
      const grown = new Uint8Array(this.codes.length * 2);
      grown.set(this.codes);
      this.codes = grown;
    }
    this.codes[seq] = OUTCOME_CODE[outcome];
    if (seq >= this.size) this.size = seq + 1;
  }

  get(seq: number): Outcome | undefined {
    return OUTCOME_BY_CODE[this.codes[seq] ?? 0];
  }

  /** Run-length encoded: varint(runLength * 4 + code) per run. */
  encode(): string {
    const out = new VarintWriter();
    let start = 0;
    for (let seq = 1; seq <= this.size; seq++) {
      if (seq < this.size && this.codes[seq] === this.codes[start]) continue;
      out.uint((seq - start) * 4 + (this.codes[start] ?? 0));
      start = seq;
    }
    return out.encode();
  }
}

/** Decodes OutcomeLog.encode() into ranges per outcome (unsettled sequences are in none). */
export function decodeOutcomes(encoded: string): OutcomeRanges {
  const ranges: OutcomeRanges = { ok: [], fail: [], info: [] };
  const reader = new VarintReader(encoded);
  let seq = 0;
  while (!reader.done) {
    const run = reader.uint();
    const length = Math.floor(run / 4);
    const outcome = OUTCOME_BY_CODE[run % 4];
    if (outcome) ranges[outcome].push([seq, seq + length - 1]);
    seq += length;
  }
  return ranges;
}

export function countSeqs(ranges: readonly SeqRange[]): number {
  let count = 0;
  for (const [first, last] of ranges) count += last - first + 1;
  return count;
}

export function* seqsOf(ranges: readonly SeqRange[]): Generator<number> {
  for (const [first, last] of ranges) for (let seq = first; seq <= last; seq++) yield seq;
}

/** Ascending sequence numbers → inclusive ranges. */
export function rangesOf(seqs: Iterable<number>): SeqRange[] {
  const ranges: SeqRange[] = [];
  let current: SeqRange | undefined;
  for (const seq of seqs) {
    if (current && seq === current[1] + 1) current[1] = seq;
    else {
      current = [seq, seq];
      ranges.push(current);
    }
  }
  return ranges;
}
