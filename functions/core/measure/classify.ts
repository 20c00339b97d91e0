/**
 * Classification of every attempted write against what the new primary holds (after Jepsen's set
 * checker): lost, recovered, indeterminate-absent, unexpected, failed-but-present. Streaming: values are
 * observed batch by batch, in any order, so a million writes never sit in memory as strings.
 */
import type { ReadBackCounts, WriteCounts } from './counts.js';
import type { Outcome } from './outcomes.js';
import { rangesOf, type SeqRange } from './ranges.js';

export const UNEXPECTED_SAMPLES = 10;

/** `lost` here also counts an acknowledged write overwritten by a foreign payload. */
export interface Classification extends ReadBackCounts, Pick<WriteCounts, 'unexpected'> {
  lostRanges: SeqRange[];
  failedButPresentRanges: SeqRange[];
  unexpectedDetail: { neverAttempted: number; payloadMismatch: number; samples: string[] };
  /** Keys read back / present among them. */
  keysRead: number;
  present: number;
}

export class Classifier {
  private lostSeqs: number[] = [];
  private failedPresentSeqs: number[] = [];
  private counts = { recovered: 0, indeterminateAbsent: 0, keysRead: 0, present: 0, found: 0 };
  private unexpectedDetail = { neverAttempted: 0, payloadMismatch: 0, samples: [] as string[] };

  /** `isPayload`: whether a value read back is exactly the write's payload (keys.ts payloadMatcher). */
  constructor(private readonly isPayload: (seq: number, value: Uint8Array) => boolean) {}

  /** The value read for an attempted write (null: absent). A foreign payload counts as absent too. */
  observe(seq: number, outcome: Outcome, value: Uint8Array | null, key: string): void {
    this.counts.keysRead++;
    let present = value !== null;
    if (present) this.counts.found++;
    if (present && !this.isPayload(seq, value!)) {
      this.unexpectedDetail.payloadMismatch++;
      this.sample(key);
      present = false;
    }
    if (present) this.counts.present++;
    if (outcome === 'ok' && !present) this.lostSeqs.push(seq);
    else if (outcome === 'info') {
      if (present) this.counts.recovered++;
      else this.counts.indeterminateAbsent++;
    } else if (outcome === 'fail' && present) this.failedPresentSeqs.push(seq);
  }

  /** Keys read back that exist, whatever they hold: what a key count of the run's keyspace must equal. */
  get keysFound(): number {
    return this.counts.found;
  }

  /** A key under the run's prefix that no attempted write explains. */
  neverAttempted(key: string): void {
    this.unexpectedDetail.neverAttempted++;
    this.sample(key);
  }

  result(): Classification {
    const lostRanges = rangesOf(this.lostSeqs.sort((a, b) => a - b));
    const failedButPresentRanges = rangesOf(this.failedPresentSeqs.sort((a, b) => a - b));
    const { neverAttempted, payloadMismatch } = this.unexpectedDetail;
    return {
      lost: this.lostSeqs.length,
      lostRanges,
      recovered: this.counts.recovered,
      indeterminateAbsent: this.counts.indeterminateAbsent,
      failedButPresent: this.failedPresentSeqs.length,
      failedButPresentRanges,
      unexpected: neverAttempted + payloadMismatch,
      unexpectedDetail: { ...this.unexpectedDetail, samples: [...this.unexpectedDetail.samples] },
      keysRead: this.counts.keysRead,
      present: this.counts.present,
    };
  }

  private sample(key: string): void {
    if (this.unexpectedDetail.samples.length < UNEXPECTED_SAMPLES) this.unexpectedDetail.samples.push(key);
  }
}
