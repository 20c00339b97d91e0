/**
 * A drill's progress on stderr. On a terminal: one live status line — the state the drill is in, the
 * writer's phase, writes/s, non-ok writes so far, elapsed — redrawn in place, with a line per finished
 * state above it. Not on a terminal (CI logs, pipes): plain lines only, no escape codes. Colour only on a
 * terminal and never with NO_COLOR set (https://no-color.org).
 */
import { clearLine, cursorTo } from 'node:readline';
import { styleText } from 'node:util';
import { subscribeProgress, type WriterProgress } from '../functions/core/measure/progress.js';
import type { EventLog } from '../local/stepfunctions/runner.js';

type Format = Parameters<typeof styleText>[0];
export type Paint = (format: Format, text: string) => string;

export interface ProgressStream {
  write(text: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

/** Colour for this stream: a terminal, and NO_COLOR absent or empty. */
export function painter(stream: ProgressStream, env: NodeJS.ProcessEnv = process.env): Paint {
  const colour = stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
  // validateStream: false — the decision is ours (stderr, NO_COLOR), not stdout's.
  return colour
    ? (format, text) => styleText(format, text, { validateStream: false })
    : (_format, text) => text;
}

const PHASES: Record<WriterProgress['phase'], string> = {
  baseline: 'baseline',
  armed: 'writing, waiting for the disruption',
  disrupted: 'disrupted',
  settling: 'settling',
};

/** How often the live line redraws (elapsed ticks even when nothing else changes). */
const REDRAW_MS = 250;

export interface DrillProgress {
  onEvent: (event: EventLog) => void;
  /** A permanent line above the live one. */
  line: (text: string) => void;
  /** Clears the live line and stops listening; call before the report is printed. */
  stop: () => void;
}

export function drillProgress(
  stream: ProgressStream,
  options: { env?: NodeJS.ProcessEnv; now?: () => number; redraw?: boolean } = {},
): DrillProgress {
  const now = options.now ?? Date.now;
  const paint = painter(stream, options.env);
  const live = stream.isTTY === true;
  const started = now();
  const entered = new Map<string, number>();
  /** States entered and not yet left, in order: the live line names the latest (a Parallel's branch). */
  const active: string[] = [];
  const current = () => active.at(-1) ?? 'Start';
  let writer: WriterProgress | undefined;
  let rate = 0;
  let shown = '';

  /** The live line, painted; plain when the terminal is too narrow for it (cut, escape codes included). */
  const status = (width: number): string => {
    const parts: [string, Format | null][] = [[current(), 'bold']];
    if (writer) {
      parts.push([PHASES[writer.phase], null], [`${Math.round(rate)} writes/s`, null]);
      parts.push([`${writer.nonOk} non-ok`, writer.nonOk > 0 ? 'red' : null]);
    }
    parts.push([`${((now() - started) / 1000).toFixed(1)} s`, null]);
    const plain = `  ▸ ${parts.map(([text]) => text).join(' · ')}`;
    if (plain.length > width) return plain.slice(0, width);
    return `  ▸ ${parts.map(([text, format]) => (format ? paint(format, text) : text)).join(' · ')}`;
  };
  const erase = () => {
    if (!live || !shown) return;
    cursorTo(stream as NodeJS.WritableStream, 0);
    clearLine(stream as NodeJS.WritableStream, 0);
    shown = '';
  };
  const draw = () => {
    if (!live) return;
    erase();
    // Never wider than the terminal: a wrapped line could not be redrawn in place.
    shown = status(Math.max(20, (stream.columns || 80) - 1));
    stream.write(shown);
  };
  const line = (text: string) => {
    erase();
    stream.write(`${text}\n`);
    draw();
  };

  const unsubscribe = subscribeProgress((update) => {
    if (writer && update.runId === writer.runId && update.atMs > writer.atMs)
      rate = ((update.attempted - writer.attempted) * 1000) / (update.atMs - writer.atMs);
    // Not on a terminal, the phase changes are the writer's plain lines.
    if (!live && writer?.phase !== update.phase)
      stream.write(
        `    writer: ${PHASES[update.phase]} (${update.attempted} writes, ${update.nonOk} non-ok)\n`,
      );
    writer = update;
    draw();
  });
  const timer = live && options.redraw !== false ? setInterval(draw, REDRAW_MS) : undefined;
  timer?.unref();

  return {
    line,
    onEvent: (event) => {
      const name = (event as { state?: { name: string } }).state?.name;
      if (!name) return;
      if (event.type === 'StateEntered') {
        entered.set(name, event.timestamp);
        active.push(name);
      } else if (event.type === 'StateExited' || event.type === 'StateFailed') {
        const at = active.lastIndexOf(name);
        if (at >= 0) active.splice(at, 1);
      }
      const took = `${event.timestamp - (entered.get(name) ?? event.timestamp)} ms`;
      if (event.type === 'StateExited') line(`  ${paint('green', '✓')} ${name.padEnd(16)} ${took}`);
      else if (event.type === 'StateFailed' || event.type === 'StateCaught')
        line(
          `  ${paint('red', '✗')} ${name.padEnd(16)} ${took}  ${(event as { Error?: string }).Error ?? ''}`,
        );
      else draw();
    },
    stop: () => {
      clearInterval(timer);
      unsubscribe();
      erase();
    },
  };
}
