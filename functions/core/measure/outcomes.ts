/**
 * Every write has exactly one outcome (after Jepsen's set checker):
 * ok — a reply came; fail — certainly not applied; info — sent, no reply (indeterminate).
 */

export type Outcome = 'ok' | 'fail' | 'info';

/** Byte codes in the writer's outcome log; 0 means not settled yet. */
export const OUTCOME_CODE = { ok: 1, fail: 2, info: 3 } as const satisfies Record<Outcome, number>;
export const OUTCOME_BY_CODE: readonly (Outcome | undefined)[] = [undefined, 'ok', 'fail', 'info'];

export interface ErrorOutcome {
  outcome: Exclude<Outcome, 'ok'>;
  /** A short stable name for tallies: the server's error code (READONLY, MOVED, …) or a client condition. */
  kind: string;
}

/** The writer refused to send because the connection was not ready: nothing left the process. */
export const NOT_SENT = 'NOT_CONNECTED';

// ioredis Cluster with maxRedirections 0 wraps every first error in this text; the cause follows it.
const CLUSTER_WRAPPER = 'Too many Cluster redirections. Last error: ';

// Client-side texts that ioredis produces before a command is written (offline queue off, node not ready).
const NOT_SENT_TEXTS = [
  "Stream isn't writeable and enableOfflineQueue options is false",
  "Cluster isn't ready and enableOfflineQueue options is false",
  'Connection is closed.',
];

/** An ioredis error's name and message, the cause's when ioredis Cluster wrapped it. */
export function unwrapClusterError(error: unknown): { name: string; message: string } {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (!message.startsWith(CLUSTER_WRAPPER)) return { name, message };
  const inner = message.slice(CLUSTER_WRAPPER.length);
  const match = /^(\w*Error): ([\s\S]*)$/.exec(inner);
  return { name: match?.[1] ?? '', message: match?.[2] ?? inner };
}

/**
 * Classifies an ioredis command error. Reply errors (the server answered) and refusals before sending are
 * `fail`: the write was certainly not applied. A timeout or a connection lost with the command in flight
 * is `info`. Anything unrecognised is `info`, the side that never inflates `lost` or `failed-but-present`.
 *
 * This relies on the fail-fast client of functions/shared/redis-client.ts: with a reconnecting
 * retryStrategy, commands in flight when a connection drops are rejected with MaxRetriesPerRequestError,
 * so 'Connection is closed.' only ever means "not sent".
 */
export function classifyError(error: unknown): ErrorOutcome {
  const { name, message } = unwrapClusterError(error);
  if (name === 'ReplyError') {
    const code = /^[A-Z][A-Z_-]*/.exec(message)?.[0] ?? 'ERR';
    return { outcome: 'fail', kind: code };
  }
  if (message === NOT_SENT || NOT_SENT_TEXTS.some((text) => message.startsWith(text))) {
    return { outcome: 'fail', kind: NOT_SENT };
  }
  if (message === 'Command timed out') return { outcome: 'info', kind: 'TIMEOUT' };
  if (name === 'MaxRetriesPerRequestError') return { outcome: 'info', kind: 'CONNECTION_LOST' };
  return { outcome: 'info', kind: 'UNKNOWN' };
}
