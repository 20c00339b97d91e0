/**
 * Redirections and refusals a client met during a change, by kind, with first and last times: MOVED and
 * ASK (a slot moved or moving), TRYAGAIN, CLUSTERDOWN, READONLY (a write on a demoted primary) and a
 * connection closed under it. A library that follows them itself hides them from the application; this
 * counts them where the library can be watched (`library`), else from the errors it surfaced (`surfaced`).
 * Pure.
 */

export const REDIRECTION_KINDS = [
  'MOVED',
  'ASK',
  'TRYAGAIN',
  'CLUSTERDOWN',
  'READONLY',
  'CONNECTION_CLOSED',
] as const;
export type RedirectionKind = (typeof REDIRECTION_KINDS)[number];

export interface RedirectionSeen {
  count: number;
  /** Times of the first and last met (ms on the writer's axis, or from T0 in a report). */
  firstMs: number;
  lastMs: number;
}

export type RedirectionCounts = Partial<Record<RedirectionKind, RedirectionSeen>>;

/**
 * `library`: every reply of these kinds the library met, followed or surfaced (watched inside it).
 * `surfaced`: only those that reached the application as errors (the library cannot be watched).
 */
export interface Redirections {
  countedFrom: 'library' | 'surfaced';
  byKind: RedirectionCounts;
  /** `surfaced` for a library that follows them where nothing can watch it: says so (valkey-glide). */
  followed?: string;
}

/** Error kinds the writers record that mean the connection closed under the command. */
const CLOSED_KINDS = new Set(['CONNECTION_CLOSED', 'CONNECTION_LOST', 'ECONNRESET', 'EPIPE']);

/** The redirection kind of an error kind the writers record (outcomes.ts), or null. */
export function redirectionOfErrorKind(kind: string): RedirectionKind | null {
  if (CLOSED_KINDS.has(kind)) return 'CONNECTION_CLOSED';
  return (REDIRECTION_KINDS as readonly string[]).includes(kind) ? (kind as RedirectionKind) : null;
}

/** The redirection kind of an error message as a library met it ("MOVED 3999 host:port", …), or null. */
export function redirectionOfMessage(message: string): RedirectionKind | null {
  if (message.startsWith('Connection is closed')) return 'CONNECTION_CLOSED';
  const code = /^[A-Z]+/.exec(message)?.[0];
  return code === undefined || code === 'CONNECTION_CLOSED' ? null : redirectionOfErrorKind(code);
}

/** Counts kinds as they are met, in time order. */
export class RedirectionCounter {
  private readonly counts: RedirectionCounts = {};

  note(kind: RedirectionKind, atMs: number): void {
    const at = Math.round(atMs * 100) / 100;
    const seen = this.counts[kind];
    if (seen) {
      seen.count++;
      seen.lastMs = at;
    } else this.counts[kind] = { count: 1, firstMs: at, lastMs: at };
  }

  result(): RedirectionCounts {
    return structuredClone(this.counts);
  }
}

/** What the application saw of them: the errors it was given, by kind (several kinds may fold into one). */
export function redirectionsOfErrors(
  errors: Record<string, { count: number; firstMs: number; lastMs: number }>,
): RedirectionCounts {
  const counts: RedirectionCounts = {};
  for (const [kind, seen] of Object.entries(errors)) {
    const as = redirectionOfErrorKind(kind);
    if (as === null) continue;
    const had = counts[as];
    counts[as] = had
      ? {
          count: had.count + seen.count,
          firstMs: Math.min(had.firstMs, seen.firstMs),
          lastMs: Math.max(had.lastMs, seen.lastMs),
        }
      : { count: seen.count, firstMs: seen.firstMs, lastMs: seen.lastMs };
  }
  return counts;
}

/** The same counts with every time moved by `offsetMs` (a writer's axis to T0's). */
export function shiftRedirections(counts: RedirectionCounts, offsetMs: number): RedirectionCounts {
  const shifted: RedirectionCounts = {};
  const round = (ms: number) => Math.round(ms * 100) / 100;
  for (const [kind, seen] of Object.entries(counts) as [RedirectionKind, RedirectionSeen][])
    shifted[kind] = {
      count: seen.count,
      firstMs: round(seen.firstMs + offsetMs),
      lastMs: round(seen.lastMs + offsetMs),
    };
  return shifted;
}
