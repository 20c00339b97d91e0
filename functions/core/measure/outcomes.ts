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
  /**
   * A short stable name for tallies: the server's error code (READONLY, MOVED, …), a client condition
   * (TIMEOUT, NOT_CONNECTED, …), else the system code (ECONNRESET, …) or the library's error class; never
   * bare `Error`.
   */
  kind: string;
  /** One such error's message as the library worded it (secrets scrubbed, bounded): what the kind was. */
  message?: string;
}

/** A sample message is cut to this many characters. */
const SAMPLE_CHARS = 200;

/**
 * A message fit for a report: each of `secrets` (a password) replaced, and what may carry one anyway — a
 * URL's user info, AUTH's arguments, `password=…` — masked; bounded.
 */
export function scrubMessage(message: string, secrets: readonly (string | undefined)[] = []): string {
  let text = message;
  for (const secret of secrets) if (secret) text = text.split(secret).join('***');
  text = text
    .replace(/(\w+:\/\/)[^\s/@]*@/g, '$1***@')
    .replace(/\b(AUTH|HELLO\s+\d\s+AUTH)\s+[^\s)\]'"]+(\s+[^\s)\]'"]+)?/gi, '$1 ***')
    .replace(/\b(password|passwd|pass|token|secret)(\s*[=:]\s*)[^\s)\]'"]+/gi, '$1$2***');
  return text.length > SAMPLE_CHARS ? `${text.slice(0, SAMPLE_CHARS - 1)}…` : text;
}

/** `result` with `error`'s message kept as its sample (scrubbed of `secrets`). */
export function sampled(
  result: ErrorOutcome,
  error: unknown,
  secrets: readonly (string | undefined)[] = [],
): ErrorOutcome {
  const message = error instanceof Error ? error.message : String(error);
  return { ...result, message: scrubMessage(message, secrets) };
}

/** Connecting failed with these: the command never reached a server. */
const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * An error no rule of a library's classifier knew, named by what the library or Node gave it: its system
 * code (ECONNRESET, EPIPE, …), else its class (ReconnectStrategyError, …), never bare `Error`; UNKNOWN only
 * when it has neither. It may have been applied (info), unless the connection was never made.
 */
export function classifyByName(error: unknown): ErrorOutcome {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z0-9_]{2,30}$/.test(code))
    return { outcome: NOT_CONNECTED_CODES.has(code) ? 'fail' : 'info', kind: code };
  const names = [
    error instanceof Error ? error.constructor.name : '',
    error instanceof Error ? error.name : '',
  ];
  const name = names.find((n) => n !== 'Error' && /^[A-Za-z]\w{0,39}$/.test(n));
  return { outcome: 'info', kind: name ?? 'UNKNOWN' };
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
  return classifyByName(error);
}
