/**
 * SIGINT / SIGTERM of a command that runs a drill or a measurement: the run is stopped (its keys cleaned,
 * its processes stopped), the report still written — verdict `error`, `error.name` `Interrupted` — and the
 * process exits as a shell expects of a signal: 130 (SIGINT) or 143 (SIGTERM).
 */
import type { Report } from '../functions/core/report/report.js';

export type InterruptSignal = 'SIGINT' | 'SIGTERM';

export const SIGNAL_EXIT_CODES: Record<InterruptSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export class Interrupted extends Error {
  constructor(
    readonly signal: InterruptSignal,
    what: string,
  ) {
    super(`interrupted by ${signal}: ${what}`);
    this.name = 'Interrupted';
  }
}

export interface Interrupt {
  signal: AbortSignal;
  /** The signal received, if any. */
  received(): InterruptSignal | undefined;
  /** Stops listening (call when the command is done). */
  off(): void;
}

/**
 * Listens for SIGINT and SIGTERM: the first aborts `signal` (the command stops and cleans up); a second
 * one exits at once, for whoever cannot wait.
 */
export function onInterrupt(): Interrupt {
  const controller = new AbortController();
  let received: InterruptSignal | undefined;
  const listeners = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const listener = () => {
      if (received) process.exit(SIGNAL_EXIT_CODES[name]);
      received = name;
      controller.abort(name);
    };
    process.on(name, listener);
    return [name, listener] as const;
  });
  return {
    signal: controller.signal,
    received: () => received,
    off: () => {
      for (const [name, listener] of listeners) process.off(name, listener);
    },
  };
}

/** The report of an interrupted run: its figures kept, judged `error` under the name Interrupted. */
export function interruptedReport<R extends Report>(report: R, error: Interrupted): R {
  return { ...report, verdict: 'error', error: { name: error.name, message: error.message } };
}

/** After the report is written: the exit code a shell expects of the signal. */
export function exitForSignal(signal: InterruptSignal | undefined): void {
  if (signal) process.exitCode = SIGNAL_EXIT_CODES[signal];
}
