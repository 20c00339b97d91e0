import { describe, expect, it } from 'vitest';
import { publishProgress, type WriterProgress } from '../functions/core/measure/progress.js';
import type { EventLog } from '../local/stepfunctions/runner.js';
import { drillProgress, painter } from './progress.js';

class Captured {
  text = '';
  constructor(
    readonly isTTY: boolean,
    readonly columns = 120,
  ) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

const event = (type: string, name: string, timestamp: number) =>
  ({ type, state: { name }, timestamp }) as unknown as EventLog;

const update = (
  atMs: number,
  attempted: number,
  nonOk: number,
  phase: WriterProgress['phase'],
): WriterProgress => ({
  runId: 'run-1',
  atMs,
  attempted,
  acknowledged: attempted - nonOk,
  nonOk,
  phase,
});

// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape codes are what is asserted
const ESCAPES = /\x1b\[/;

describe('drill progress', () => {
  it('keeps one live line on a terminal: state, phase, writes/s, non-ok so far, elapsed', () => {
    // Prepare
    const stream = new Captured(true);
    let clock = 1000;
    const progress = drillProgress(stream, { env: {}, now: () => clock, redraw: false });

    // Act
    progress.onEvent(event('StateEntered', 'Drill', 1000));
    progress.onEvent(event('StateEntered', 'Write', 1001));
    publishProgress(update(1000, 500, 0, 'armed'));
    clock = 3500;
    publishProgress(update(1200, 600, 13, 'disrupted'));
    progress.stop();

    // Assess
    const frames = stream.text.split('\x1b[2K');
    const last = frames.findLast((frame) => frame.includes('writes/s'))!;
    expect(last).toContain('Write');
    expect(last).toContain('disrupted · 500 writes/s');
    expect(last).toContain('\x1b[31m13 non-ok\x1b[39m');
    expect(last).toContain('2.5 s');
  });

  it('writes plain lines without escape codes when not on a terminal', () => {
    // Prepare
    const stream = new Captured(false);
    const progress = drillProgress(stream, { env: {}, now: () => 0 });

    // Act
    progress.onEvent(event('StateEntered', 'Preflight', 0));
    progress.onEvent(event('StateExited', 'Preflight', 40));
    publishProgress(update(1000, 500, 0, 'armed'));
    publishProgress(update(1200, 600, 13, 'disrupted'));
    progress.stop();

    // Assess
    expect(stream.text).not.toMatch(ESCAPES);
    expect(stream.text).toBe(
      [
        '  ✓ Preflight        40 ms',
        '    writer: writing, waiting for the disruption (500 writes, 0 non-ok)',
        '    writer: disrupted (600 writes, 13 non-ok)',
        '',
      ].join('\n'),
    );
  });

  it('honours NO_COLOR on a terminal', () => {
    // Prepare
    const paintTty = painter(new Captured(true), {});
    const paintNoColor = painter(new Captured(true), { NO_COLOR: '1' });

    // Assess
    expect(paintTty('red', 'x')).toBe('\x1b[31mx\x1b[39m');
    expect(paintNoColor('red', 'x')).toBe('x');
  });
});
