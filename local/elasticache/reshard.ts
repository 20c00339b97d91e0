/**
 * Online resharding on real redis-server processes, as ElastiCache's ModifyReplicationGroupShardConfiguration
 * does it: slots move with their keys while clients write, by the Redis Cluster procedure (CLUSTER SETSLOT
 * IMPORTING on the target, MIGRATING on the source, MIGRATE of the slot's keys, SETSLOT NODE on both), so
 * that clients meet real ASK (a key already moved, its slot still migrating) and MOVED (the slot moved).
 * The plan is pure (`planMoves`); the migration runs on the processes (`migrateSlots`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { slotRanges } from '../redis/cluster.js';
import type { RedisServer } from '../redis/server.js';

/** One slot to move: from the node group that owns it to the one that owns it afterwards. */
export interface SlotMove {
  slot: number;
  from: string;
  to: string;
}

/**
 * The moves that leave `targets` (node group ids, in order) each owning an even range of the slots, as a
 * freshly created group of that many shards would (`slotRanges`). `owners[slot]` is the slot's node group
 * now. Slots already where they belong stay put.
 */
export function planMoves(owners: readonly string[], targets: readonly string[]): SlotMove[] {
  const moves: SlotMove[] = [];
  for (const [t, [start, end]] of slotRanges(targets.length).entries()) {
    for (let slot = start; slot <= end; slot++) {
      const from = owners[slot];
      if (from === undefined) throw new Error(`slot ${slot} has no owner`);
      if (from !== targets[t]) moves.push({ slot, from, to: targets[t]! });
    }
  }
  return moves;
}

/** `0-5460,10923-12000`: a node group's slots as ElastiCache's NodeGroup.Slots writes them. */
export function slotsText(slots: readonly number[]): string {
  const sorted = [...slots].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    ranges.push(sorted[i] === sorted[j] ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return ranges.join(',');
}

/** Who owns each slot, read from one node's CLUSTER SHARDS: slot → the primary's node id. */
export async function slotOwners(node: Pick<RedisServer, 'call'>): Promise<Map<number, string>> {
  const shards = (await node.call('CLUSTER', 'SHARDS')) as unknown[][];
  const owners = new Map<number, string>();
  for (const shard of shards) {
    const fields = fieldsOf(shard);
    const slots = fields.slots as number[];
    const nodes = (fields.nodes as unknown[][]).map(fieldsOf);
    const primary = nodes.find((n) => n.role === 'master' && n.health === 'online');
    if (!primary) continue;
    for (let i = 0; i + 1 < slots.length; i += 2)
      for (let slot = slots[i]!; slot <= slots[i + 1]!; slot++) owners.set(slot, String(primary.id));
  }
  return owners;
}

function fieldsOf(list: unknown[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (let i = 0; i + 1 < list.length; i += 2) fields[String(list[i])] = list[i + 1];
  return fields;
}

export interface MigrationNode {
  server: RedisServer;
  /** Its cluster node id (CLUSTER MYID). */
  nodeId: string;
}

export interface MigrationSettings {
  /** Slots set migrating together: each batch is one IMPORTING/MIGRATING … NODE round. */
  batch: number;
  /** How long each batch stays migrating (its keys moving): clients writing then meet ASK. */
  dwellMs: number;
  /** MIGRATE's AUTH, when the group has a password. */
  password?: string;
  /** Every primary that must learn the new owner at once (the others learn it by gossip). */
  primaries: () => MigrationNode[];
  /** Told after each batch, with the batch's slots (now the target's). */
  moved: (slots: readonly number[]) => void;
  /** Throws when the change must stop (the group stopped). */
  check: () => void;
}

/** Local resharding pace when none is given: a 2 → 3 reshard of 5,461 slots takes about 2 s. */
export const RESHARD_DEFAULTS = { batch: 128, dwellMs: 40 } as const;

const MIGRATE_TIMEOUT_MS = 5000;
const KEYS_PER_MIGRATE = 100;

/**
 * Moves `slots` with their keys from `from` to `to` (both primaries), batch by batch, as redis-cli
 * --cluster reshard does: the target imports, the source migrates, the keys move, then both (and every
 * other primary) name the target the slot's owner.
 */
export async function migrateSlots(
  from: MigrationNode,
  to: MigrationNode,
  slots: readonly number[],
  settings: MigrationSettings,
): Promise<void> {
  for (let i = 0; i < slots.length; i += settings.batch) {
    settings.check();
    const batch = slots.slice(i, i + settings.batch);
    // One round trip a step: the batch's commands go together (pipelined on the admin connection).
    const each = (node: MigrationNode, ...args: (string | number)[]) =>
      Promise.all(batch.map((slot) => node.server.call('CLUSTER', 'SETSLOT', slot, ...args)));
    await each(to, 'IMPORTING', from.nodeId);
    await each(from, 'MIGRATING', to.nodeId);
    const dwell = sleep(settings.dwellMs);
    await Promise.all(batch.map((slot) => migrateKeys(from.server, to.server, slot, settings.password)));
    await dwell;
    // The target first, so that the slot is never ownerless; then the source and every other primary.
    await each(to, 'NODE', to.nodeId);
    const others = settings.primaries().filter((p) => p !== from && p !== to);
    await Promise.all([from, ...others].map((node) => each(node, 'NODE', to.nodeId)));
    settings.moved(batch);
  }
}

/** Every key of `slot` still on the source goes to the target (MIGRATE … KEYS, a hundred at a time). */
async function migrateKeys(
  from: RedisServer,
  to: RedisServer,
  slot: number,
  password?: string,
): Promise<void> {
  for (;;) {
    const keys = (await from.call('CLUSTER', 'GETKEYSINSLOT', slot, KEYS_PER_MIGRATE)) as string[];
    if (keys.length === 0) return;
    const auth = password === undefined ? [] : ['AUTH', password];
    await from.call('MIGRATE', to.host, to.port, '', 0, MIGRATE_TIMEOUT_MS, ...auth, 'KEYS', ...keys);
  }
}

/** Percent of `total` moved, as AWS reports it (ProgressPercentage, a double): 100 only when all moved. */
export function progressPercent(moved: number, total: number): number {
  if (total === 0) return 100;
  return Math.min(100, Math.floor((moved / total) * 10_000) / 100);
}
