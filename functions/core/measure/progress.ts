/**
 * The writer's progress while it runs, for a person watching (the CLI's live status line). Published on
 * a Node diagnostics channel, so that the writer knows no consumer: in a Lambda nobody subscribes and a
 * publish is one `hasSubscribers` check; locally the CLI subscribes in the same process as the handler.
 */
import { channel } from 'node:diagnostics_channel';

export const WRITER_PROGRESS_CHANNEL = 'failover-drill:writer-progress';

export interface WriterProgress {
  runId: string;
  /** ms since the writer's zero. */
  atMs: number;
  attempted: number;
  acknowledged: number;
  /** failed + indeterminate so far (the baseline's included). */
  nonOk: number;
  /** The writer's phase: before arming, armed and waiting, disrupted (errors not over), settling. */
  phase: 'baseline' | 'armed' | 'disrupted' | 'settling';
}

/** At most one publish per this interval: a status line needs no more. */
export const PROGRESS_INTERVAL_MS = 200;

const progress = channel(WRITER_PROGRESS_CHANNEL);

export const progressWatched = (): boolean => progress.hasSubscribers;

export function publishProgress(update: WriterProgress): void {
  progress.publish(update);
}

export function subscribeProgress(listener: (update: WriterProgress) => void): () => void {
  const handler = (message: unknown) => listener(message as WriterProgress);
  progress.subscribe(handler);
  return () => progress.unsubscribe(handler);
}
