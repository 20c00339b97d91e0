/**
 * The writer's defaults, in a module of their own so that a step that only plans a run (a dry run's
 * Preflight) knows them without bundling the writer and its Redis client.
 */
export const WRITER_DEFAULTS = {
  /** Writes per second: 1 ms resolution (downtime within ~5 ms; bench/HISTORY.md, Downtime precision). */
  rate: 1000,
  concurrency: 16,
  ttlSeconds: 3600,
} as const;
