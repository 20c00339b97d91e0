/**
 * What each client met during a planned change (`report.change.redirections`): the probe's and every
 * profile's MOVED, ASK, TRYAGAIN, CLUSTERDOWN, READONLY and connections closed, times from T0. Pure.
 */
import {
  type RedirectionSeen,
  type Redirections,
  redirectionsOfErrors,
  shiftRedirections,
} from '../measure/redirections.js';
import type { WriterSummary } from '../measure/summary.js';
import type { ClientView } from './client-views.js';

/** One client's redirections: `probe`, or a profile's name. */
export type ClientRedirections = Redirections & { client: string };

/**
 * The probe follows nothing (maxRedirections 0): every redirection it met surfaced as an error, with the
 * times the summary keeps per kind (writer ms, moved to T0 when there was one).
 */
export function probeRedirectionsOf(summary: WriterSummary, t0EpochMs: number | null): Redirections {
  const seen: Record<string, RedirectionSeen> = {};
  for (const [kind, count] of Object.entries(summary.errors)) {
    const times = summary.errorTimes?.[kind];
    if (times) seen[kind] = { count, firstMs: times.firstMs, lastMs: times.lastMs };
  }
  const offset = t0EpochMs === null ? 0 : summary.startedAtEpochMs - t0EpochMs;
  return { countedFrom: 'surfaced', byKind: shiftRedirections(redirectionsOfErrors(seen), offset) };
}

/** The probe first, then each profile as report.clients[] has it. */
export function changeRedirectionsOf(
  summary: WriterSummary | undefined,
  clients: readonly ClientView[],
  t0EpochMs: number | null,
): ClientRedirections[] {
  return [
    ...(summary ? [{ client: 'probe', ...probeRedirectionsOf(summary, t0EpochMs) }] : []),
    ...clients.map((view) => ({ client: view.name, ...view.redirections })),
  ];
}
