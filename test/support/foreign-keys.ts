/**
 * A database that is not the drill's: millions of an application's keys (`DEBUG POPULATE`, so the server
 * needs `enable-debug-command local`) and keys that look like the run's, planted beside it; a snapshot of
 * them to prove afterwards that the drill touched none, and the server's own count of the commands it ran.
 */
import type { RedisServer } from '../../local/redis/server.js';

/** redis.conf for a server that takes DEBUG POPULATE from a local client. */
export const DEBUG_CONFIG = { 'enable-debug-command': 'local' } as const;

/**
 * Names a careless drill could confuse with run `runId`'s keys `<prefix>:<runId>:<seq>` (or, with `tag`,
 * `<prefix>:{<tag>}:<seq>`): other runs, other halt markers, what a glob of the prefix would match, and
 * keys hashed into the run's slot by its own hash tag.
 */
export function lookAlikeKeys(prefix: string, runId: string, tag = `${runId}.0`): string[] {
  return [
    `${prefix}:${runId}0:1`, // another run whose id starts with this one's: `${prefix}:${runId}*`
    `${prefix}:${runId.slice(0, -1)}:1`,
    `${prefix}:other-run:1`,
    `${prefix}:other-run:0`,
    `${prefix}:stop:other-run`, // another run's halt marker
    `${prefix}:stop:${runId}0`,
    `${prefix}:${runId}:007`, // under the run's prefix, but no name the writer writes
    `${prefix}:${runId}:x`,
    `${prefix}:${runId}`,
    `${prefix}x:${runId}:1`,
    `${prefix.toUpperCase()}:${runId}:1`,
    `${prefix}:{${tag}0}:1`, // the cluster key base of another pin
    `app:{${tag}}:1`, // the run's own hash tag: the run's slot
    `app:{${tag}}:2`,
    `{${prefix}:${runId}}:1`,
  ];
}

export interface ForeignSnapshot {
  dbsize: number;
  populated: number;
  values: Map<string, string | null>;
  /** Populated keys sampled (key:N holds value:N). */
  sample: number[];
}

/** Fills `server` with `populate` DEBUG POPULATE keys and the look-alikes; returns what must stay. */
export async function plantForeign(
  server: RedisServer,
  options: { populate: number; lookAlikes: string[]; sample?: boolean },
): Promise<ForeignSnapshot> {
  if (options.populate > 0) await server.call('DEBUG', 'POPULATE', options.populate);
  for (const [i, key] of options.lookAlikes.entries()) await server.call('SET', key, `foreign-${i}`);
  const values = new Map<string, string | null>();
  for (const key of options.lookAlikes) values.set(key, (await server.call('GET', key)) as string | null);
  const sample = Array.from({ length: 100 }, (_, i) =>
    Math.floor(((i + 0.5) / 100) * Math.max(1, options.populate)),
  );
  // A cluster node answers MOVED for populated keys outside its slots: those are counted by DBSIZE only.
  const populated = options.sample === false ? 0 : options.populate;
  return { dbsize: Number(await server.call('DBSIZE')), populated, values, sample };
}

/** What changed among the foreign keys since the snapshot (empty: nothing). */
export async function foreignChanges(server: RedisServer, snapshot: ForeignSnapshot): Promise<string[]> {
  const changes: string[] = [];
  for (const [key, value] of snapshot.values) {
    const now = (await server.call('GET', key)) as string | null;
    if (now !== value) changes.push(`${key}: ${value} → ${now}`);
  }
  if (snapshot.populated > 0) {
    for (const n of snapshot.sample) {
      const value = (await server.call('GET', `key:${n}`)) as string | null;
      if (value !== `value:${n}`) changes.push(`key:${n}: value:${n} → ${value}`);
    }
  }
  const dbsize = Number(await server.call('DBSIZE'));
  if (dbsize !== snapshot.dbsize) changes.push(`DBSIZE ${snapshot.dbsize} → ${dbsize}`);
  return changes;
}

/** Calls of `command` the server ran since its stats were last reset (INFO commandstats; 0 when absent). */
export async function commandCalls(server: RedisServer, command: string): Promise<number> {
  const stats = await server.info('commandstats');
  const entry = stats[`cmdstat_${command.toLowerCase()}`];
  return entry ? Number(/calls=(\d+)/.exec(entry)?.[1] ?? 0) : 0;
}
