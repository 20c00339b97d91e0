import { describe, expect, it } from 'vitest';
import { decodeWriteSample, WriteSampler } from './sample.js';

describe('WriteSampler', () => {
  it('keeps the lookback before the disruption and every write after it, with outcome and latency', () => {
    // Prepare: 200 writes/s for 20 s, a disruption at 10 s (failures for 300 ms), a slow write after it
    const sampler = new WriteSampler(4096, 5000);
    for (let ms = 0; ms < 10_000; ms += 5) sampler.add(ms, 0.42, 'ok');
    sampler.freeze(10_000);
    for (let ms = 10_000; ms < 10_300; ms += 5) sampler.add(ms, 1000, ms % 2 ? 'info' : 'fail');
    sampler.add(10_300, 123.456, 'ok');

    // Act
    const encoded = sampler.encode();
    const writes = decodeWriteSample(encoded);

    // Assess
    expect(encoded.truncated).toBe(false);
    expect(writes[0]).toEqual({ startMs: 5000, latencyMs: 0.42, outcome: 'ok' });
    expect(writes).toHaveLength(1000 + 60 + 1);
    expect(writes.filter((w) => w.outcome === 'fail')).toHaveLength(30);
    expect(writes.filter((w) => w.outcome === 'info')).toHaveLength(30);
    expect(writes.at(-1)).toEqual({ startMs: 10_300, latencyMs: 123.46, outcome: 'ok' });
    expect(writes.map((w) => w.startMs)).toEqual([...writes.map((w) => w.startMs)].sort((a, b) => a - b));
  });

  it('is bounded: half the capacity before the disruption, the rest after, then truncated', () => {
    // Prepare: 1000 writes/s for 10 s before and after
    const sampler = new WriteSampler(1000, 5000);
    for (let ms = 0; ms < 10_000; ms++) sampler.add(ms, 0.3, 'ok');
    sampler.freeze(10_000);
    for (let ms = 10_000; ms < 20_000; ms++) sampler.add(ms, 0.3, 'ok');

    // Act
    const encoded = sampler.encode();
    const writes = decodeWriteSample(encoded);

    // Assess
    expect(writes).toHaveLength(1000);
    expect(writes[0]!.startMs).toBe(9500);
    expect(encoded.truncated).toBe(true);
  });

  it('stays compact: the default 4096 writes in well under 32 KB of JSON', () => {
    // Prepare
    const sampler = new WriteSampler();
    for (let i = 0; i < 8192; i++) sampler.add(i * 5 + (i % 3) * 0.37, 0.2 + (i % 97) * 0.731, 'ok');
    sampler.freeze(8192 * 2.5);
    for (let i = 0; i < 8192; i++)
      sampler.add(8192 * 5 + i * 5, 0.3 + (i % 89) * 1.37, i % 7 ? 'ok' : 'fail');

    // Act
    const json = JSON.stringify(sampler.encode());

    // Assess
    expect(decodeWriteSample(JSON.parse(json))).toHaveLength(4096);
    expect(json.length).toBeLessThan(32 * 1024);
  });
});
