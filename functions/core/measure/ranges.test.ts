import { describe, expect, it } from 'vitest';
import { countSeqs, decodeOutcomes, OutcomeLog, rangesOf, seqsOf } from './ranges.js';

describe('OutcomeLog', () => {
  it('round-trips outcomes as inclusive ranges per outcome, in any settling order', () => {
    // Prepare
    const log = new OutcomeLog();
    const truth = ['ok', 'ok', 'fail', 'fail', 'info', 'ok', 'info', 'ok', 'ok', 'fail'] as const;
    const order = [3, 0, 9, 1, 2, 5, 4, 8, 6, 7];
    // Act
    for (const seq of order) log.set(seq, truth[seq]!);
    const ranges = decodeOutcomes(log.encode());
    // Assess
    expect(ranges).toEqual({
      ok: [
        [0, 1],
        [5, 5],
        [7, 8],
      ],
      fail: [
        [2, 3],
        [9, 9],
      ],
      info: [
        [4, 4],
        [6, 6],
      ],
    });
    expect(countSeqs(ranges.ok) + countSeqs(ranges.fail) + countSeqs(ranges.info)).toBe(10);
  });

  it('grows past its initial capacity and leaves unsettled sequences out of every range', () => {
    // Prepare
    const log = new OutcomeLog();
    // Act
    for (let seq = 0; seq < 100_000; seq++) if (seq !== 50_000) log.set(seq, 'ok');
    const ranges = decodeOutcomes(log.encode());
    // Assess
    expect(ranges.ok).toEqual([
      [0, 49_999],
      [50_001, 99_999],
    ]);
    expect(log.get(50_000)).toBeUndefined();
  });

  it('turns sorted sequence numbers into ranges and back', () => {
    // Prepare
    const seqs = [1, 2, 3, 7, 9, 10];
    // Act
    const ranges = rangesOf(seqs);
    // Assess
    expect(ranges).toEqual([
      [1, 3],
      [7, 7],
      [9, 10],
    ]);
    expect([...seqsOf(ranges)]).toEqual(seqs);
  });
});
