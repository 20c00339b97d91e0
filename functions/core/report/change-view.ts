/**
 * A planned change's part of the report (`report.change`): what was asked, when it was applied, its
 * progress as AWS reported it, and the group before and after. Times in ms from T0 (the change requested).
 * Pure.
 */
import type { Change, GroupShape } from '../drill/change.js';
import type { ClientRedirections } from './redirection-view.js';

export interface ChangeView {
  source: string;
  requested: Record<string, number | string>;
  /** From T0 to the first reading that found it applied; null when it never was. */
  finishedMs: number | null;
  progress: { atMs: number; percent: number }[];
  before: GroupShape;
  after: GroupShape | null;
  /** What each client met while it ran (redirection-view.ts): the probe first, then the profiles. */
  redirections: ClientRedirections[];
}

export function changeViewOf(
  change: Change | undefined,
  t0: number | null,
  redirections: ClientRedirections[] = [],
): ChangeView | undefined {
  if (!change) return undefined;
  const from = (at: number) => (t0 === null ? at : Math.round(at - t0));
  return {
    source: change.source,
    requested: change.requested,
    finishedMs: change.finishedAt === undefined ? null : from(change.finishedAt),
    progress: change.progress.map((p) => ({ atMs: from(p.at), percent: p.percent })),
    before: change.before,
    after: change.after ?? null,
    redirections,
  };
}
