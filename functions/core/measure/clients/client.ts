/**
 * What the profile runner needs of a library: open a client the way an application would, write one
 * counted key, tell what an error means, close. One adapter per library (ioredis.ts, node-redis.ts,
 * glide.ts); everything else about a profile is the same code for all three.
 */
import type { ErrorOutcome } from '../outcomes.js';
import type { RedirectionKind } from '../redirections.js';
import type { ClientProfile } from './profile.js';

/** Where and how to connect; credentials never reach a report. */
export interface ClientTarget {
  /** redis[s]://HOST:PORT */
  endpoint: string;
  cluster: boolean;
  username?: string;
  password?: string;
  /** PEM of a CA to trust for TLS. */
  tlsCa?: string;
}

export interface ProfileClient {
  /**
   * One write: INCR of the write's own key (with its TTL), atomically, so that the value after recovery
   * counts how often the write was applied: 2 means the client (or the library) sent it twice.
   */
  write(key: string, ttlSeconds: number): Promise<unknown>;
  /** fail: the server refused it or it never left the process; info: anything that may have been applied. */
  classify(error: unknown): ErrorOutcome;
  /** Closes at once: what is still queued or in flight is given up. */
  close(): Promise<void>;
  /**
   * Where the library can be watched: `listener` hears each redirection or refusal it meets, including
   * those it follows itself. Absent: only the errors it surfaces are counted.
   */
  onRedirection?(listener: (kind: RedirectionKind) => void): void;
  /**
   * Where the library follows redirections itself and nothing can watch it: why (plain data for the report,
   * never a silent zero). Only the errors it surfaces are then counted.
   */
  readonly redirectionsNotObservable?: string;
}

export type OpenClient = (
  profile: ClientProfile,
  target: ClientTarget,
  connectTimeoutMs: number,
) => Promise<ProfileClient>;

/** INCR and EXPIRE in one script: one command per write, one key (cluster-safe), applied atomically. */
export const COUNTED_WRITE =
  "local n = redis.call('INCR', KEYS[1]) redis.call('EXPIRE', KEYS[1], ARGV[1]) return n";

/** A reply error's code (READONLY, MOVED, …) from its message. */
export function replyCode(message: string): string {
  return /^[A-Z][A-Z_-]*/.exec(message)?.[0] ?? 'ERR';
}

/** host and port of redis[s]://HOST:PORT (validated by the caller). */
export function hostPort(endpoint: string): { host: string; port: number; tls: boolean } {
  const url = new URL(endpoint);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(url.port || '6379'),
    tls: url.protocol === 'rediss:',
  };
}

/** Rejects after `ms` unless `promise` settles first; the timer never holds the process. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
