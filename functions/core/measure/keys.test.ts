import { describe, expect, it } from 'vitest';
import {
  keyBaseFor,
  keyFor,
  keySlot,
  keysFor,
  payloadFor,
  payloadMatcher,
  probeWindow,
  seqOfKey,
  writerKeyBase,
} from './keys.js';

describe('keys', () => {
  it('computes Redis Cluster key slots, hash tags included (values from CLUSTER KEYSLOT)', () => {
    // Prepare
    const known: [string, number][] = [
      ['foo', 12182],
      ['123456789', 12739],
      ['{user1000}.following', 3443],
      ['failover-drill:{r1.0}:5', 3634],
      ['a{}b', 13694],
      ['{}{x}', 3257],
      ['x{y}{z}', 12222],
    ];
    // Act
    const slots = known.map(([key]) => keySlot(key));
    // Assess
    expect(slots).toEqual(known.map(([, slot]) => slot));
  });

  it('pins a run to a shard with a hash tag whose slot is in its ranges', () => {
    // Prepare
    const ranges: [number, number][] = [
      [5461, 5470],
      [9000, 9000],
    ];
    // Act
    const { keyBase, slot } = keyBaseFor('failover-drill', 'run-1', ranges);
    // Assess
    expect(keyBase).toMatch(/^failover-drill:\{run-1\.\d+\}$/);
    expect(slot).toBe(keySlot(keyFor(keyBase, 123)));
    expect(ranges.some(([first, last]) => slot! >= first && slot! <= last)).toBe(true);
  });

  it('recognises only the run own keys, and the key base of a writer without a summary', () => {
    // Prepare
    const { keyBase } = keyBaseFor('failover-drill', 'run-1');
    // Act
    const seqs = ['failover-drill:run-1:17', 'failover-drill:run-1:x', 'failover-drill:run-1:017'].map(
      (key) => seqOfKey(keyBase, key),
    );
    const bases = [
      writerKeyBase({ prefix: 'failover-drill', runId: 'run-1', cluster: false }),
      writerKeyBase({ prefix: 'failover-drill', runId: 'run-1', cluster: true, pin: [[100, 200]] }),
    ];
    // Assess
    expect(seqs).toEqual([17, undefined, undefined]);
    expect(bases[0]).toEqual({ keyBase });
    expect(bases[1]).toEqual(keyBaseFor('failover-drill', 'run-1', [[100, 200]]));
    expect(probeWindow(1000)).toBe(5000);
    expect(probeWindow(0)).toBe(1000);
    expect(() => keyBaseFor('a:b', 'run')).toThrow(/prefix must match/);
    expect(() => keyBaseFor('p', 'run*')).toThrow(/runId must match/);
  });

  it("matches exactly the write's payload, byte by byte, and names a batch of keys as keyFor does", () => {
    // Prepare
    const isPayload = payloadMatcher('run-1', 'w1');
    const seqs = [0, 7, 10, 99, 100, 1234567, 2 ** 40];
    const bytes = (text: string) => Buffer.from(text);
    // Act
    const own = seqs.map((seq) => isPayload(seq, bytes(payloadFor('run-1', 'w1', seq))));
    const others = [
      isPayload(10, bytes(payloadFor('run-1', 'w1', 1))), // shorter
      isPayload(1, bytes(payloadFor('run-1', 'w1', 10))), // longer
      isPayload(7, bytes('run-1/w1/07')), // a leading zero
      isPayload(0, bytes('run-1/w1/00')),
      isPayload(12, bytes('run-1/w1/1:')), // not a digit
      isPayload(12, bytes('run-1/w1/21')),
      isPayload(5, bytes(payloadFor('run-1', 'w2', 5))), // another writer
      isPayload(5, bytes(payloadFor('run-2', 'w1', 5))),
      isPayload(5, bytes('run-1/w1/')),
      isPayload(5, bytes('')),
    ];
    const keys = keysFor('failover-drill:run-1', seqs);
    // Assess
    expect(own).toEqual(seqs.map(() => true));
    expect(others).toEqual(others.map(() => false));
    expect(keys).toEqual(seqs.map((seq) => keyFor('failover-drill:run-1', seq)));
  });
});
