/**
 * Waits that follow a many-node start's real state instead of a wall-clock deadline. A 64-shard cluster on
 * a loaded machine takes as long as the machine lets it; a fixed deadline fails it for being slow, and a
 * longer one only moves the line. Here the wait goes on while the nodes advance (one more node known, one
 * more replica a stage further) and fails once nothing has advanced for a stall window, naming what each
 * laggard's state and log say.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RedisServer, RedisServerStartError } from './server.js';

/** A start that stopped advancing: its message names the nodes left behind and why, as they say it. */
export class ClusterStartStalledError extends RedisServerStartError {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterStartStalledError';
  }
}

/** One look at the nodes: done, how far they are (never to fall), and who lags (for the error). */
export interface Progress {
  done: boolean;
  /** A count that rises as the nodes advance; the wait's clock restarts each time it passes its best. */
  reached: number;
  /** The nodes still behind, each with what it reports. */
  laggards: () => Promise<string[]>;
}

/** Nothing advanced for this long: the start is stuck, not slow. */
export const STALL_MS = 20_000;
/** A look that itself took longer than the stall window is the machine's, not the nodes': at least so many. */
const MIN_LOOKS = 3;
const POLL_MS = 100;
/** Laggards named in an error; the rest are counted. */
const NAMED = 5;

/** Polls `look` until done; throws ClusterStartStalledError once `reached` has not risen for `stallMs`. */
export async function waitWhileAdvancing(
  what: string,
  look: () => Promise<Progress>,
  stallMs = STALL_MS,
): Promise<void> {
  let best = Number.NEGATIVE_INFINITY;
  let since = Date.now();
  let looks = 0;
  for (;;) {
    const progress = await look();
    if (progress.done) return;
    looks++;
    if (progress.reached > best) {
      best = progress.reached;
      since = Date.now();
      looks = 0;
    }
    if (Date.now() - since > stallMs && looks >= MIN_LOOKS) {
      const laggards = await progress.laggards();
      const named = laggards.slice(0, NAMED).join('; ');
      const more = laggards.length > NAMED ? `; and ${laggards.length - NAMED} more` : '';
      throw new ClusterStartStalledError(
        `${what}: nothing advanced for ${Math.round(stallMs / 1000)} s (${machineLoad()}): ${named}${more}`,
      );
    }
    await sleep(POLL_MS);
  }
}

/** The machine's load beside its cores: a stall at load 130 on 2 cores is said to be so. */
export function machineLoad(): string {
  return `load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`;
}

/** The last line of a node's log that matches `pattern` (the node's own word on what went wrong). */
export async function lastLogLine(server: RedisServer, pattern: RegExp): Promise<string | undefined> {
  const log = await readFile(join(server.dir, 'redis.log'), 'utf8').catch(() => '');
  const lines = log.split('\n').filter((line) => pattern.test(line));
  // "pid:S 07 Dec 2026 03:10:49.123 # message": the message alone.
  return lines.at(-1)?.replace(/^\d+:[A-Z] [^#*.-]+\.\d+ [#*.-] /, '');
}

/** How far a replica is in its sync: 0 no answer, 1 linking, 2 loading (+ the bytes read), 3 in sync. */
export interface ReplicaStage {
  stage: number;
  readBytes: number;
  text: string;
}

/** A replica's stage from its INFO replication. */
export async function replicaStage(replica: RedisServer): Promise<ReplicaStage> {
  if (!replica.running) return { stage: 0, readBytes: 0, text: 'exited' };
  const info = await replica.info('replication').catch((error: Error) => error);
  if (info instanceof Error) return { stage: 0, readBytes: 0, text: `no answer (${info.message})` };
  const syncing = info.master_sync_in_progress === '1';
  const readBytes = Number(info.master_sync_read_bytes ?? 0);
  if (info.role === 'slave' && info.master_link_status === 'up' && !syncing)
    return { stage: 3, readBytes, text: 'in sync' };
  const text =
    `role ${info.role}, master_link_status ${info.master_link_status}, ` +
    `master_sync_in_progress ${info.master_sync_in_progress}` +
    (syncing ? `, ${readBytes} of ${info.master_sync_total_bytes} bytes read` : '') +
    (info.master_link_down_since_seconds ? `, link down ${info.master_link_down_since_seconds} s` : '');
  return { stage: syncing ? 2 : info.role === 'slave' ? 1 : 0, readBytes, text };
}

/**
 * Waits until every replica's link is up and its sync done (master_link_status up,
 * master_sync_in_progress 0). Advancing: a replica reaches a stage further than its best so far, or reads
 * more of its snapshot. A replica that keeps retrying (a link up, timed out, down again) does not advance.
 */
export async function waitUntilReplicasSynced(replicas: RedisServer[], stallMs = STALL_MS): Promise<void> {
  const best = new Map<RedisServer, ReplicaStage>();
  const pending = new Set(replicas);
  await waitWhileAdvancing(
    `${pending.size} replicas syncing`,
    async () => {
      const looked = await Promise.all([...pending].map(async (r) => [r, await replicaStage(r)] as const));
      for (const [replica, now] of looked) {
        const before = best.get(replica);
        if (
          !before ||
          now.stage > before.stage ||
          (now.stage === before.stage && now.readBytes > before.readBytes)
        )
          best.set(replica, now);
        if (now.stage === 3) pending.delete(replica);
      }
      const reached = [...best.values()].reduce((sum, s) => sum + s.stage * 1e9 + s.readBytes, 0);
      return {
        done: pending.size === 0,
        reached,
        laggards: () =>
          Promise.all(
            looked
              .filter(([, now]) => now.stage < 3)
              .map(async ([replica, now]) => {
                const said = await lastLogLine(replica, /MASTER|master|SYNC|sync|[Rr]eplica/);
                return `${replica.name} ${now.text}${said ? `; its log: "${said}"` : ''}`;
              }),
          ),
      };
    },
    stallMs,
  );
}
