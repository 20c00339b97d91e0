/**
 * Who is primary, seen from the data plane on a separate connection: the server's run_id and role
 * (standalone, behind an endpoint that may move), or the node that owns the pinned slot (cluster).
 */
import type { Cluster, Redis } from 'ioredis';
import type { RedisClient } from '../../shared/redis-client.js';
import { parseInfo } from '../../shared/redis-info.js';

export interface PrimaryProbe {
  id: string;
  role: string;
  address?: string;
  /** Bytes the primary has that its best replica has not acknowledged (null: unknown or not a primary). */
  lagBytes: number | null;
  /** The primary's replication stream: its id and how far it has gone (null: not a primary). */
  stream: ReplicationStream | null;
  /** The primary's replicas that are online, most advanced first (as the primary lists them). */
  replicas: ReplicaAddress[];
}

/** A position in a replication stream: the stream's id (master_replid) and the offset in it (bytes). */
export interface ReplicationStream {
  replId: string;
  offset: number;
}

export interface ReplicaAddress {
  host: string;
  port: number;
  /** The replication offset the replica last acknowledged. */
  offset: number;
}

export async function probePrimary(client: RedisClient, slot: number | null): Promise<PrimaryProbe> {
  if ('nodes' in client && slot !== null) return probeSlotOwner(client, slot);
  // Two sections, not the whole INFO (~5 KB): sampled every 50 ms, the rest would be most of the drill's bytes.
  const [server, replication] = (await Promise.all([
    (client as Redis).call('INFO', 'server'),
    (client as Redis).call('INFO', 'replication'),
  ])) as [string, string];
  const info = { ...parseInfo(server), ...parseInfo(replication) };
  const id = info.run_id;
  if (!id) throw new Error('INFO has no run_id');
  const master = info.role === 'master';
  return {
    id,
    role: info.role ?? 'unknown',
    lagBytes: master ? replicationLag(info) : null,
    stream: master ? streamOf(info, 'master_repl_offset') : null,
    replicas: master ? replicasOf(info) : [],
  };
}

/**
 * Where a server stands in its replication stream, from its INFO replication: a primary's own offset, or
 * what a replica has received and applied (`slave_repl_offset`), which a delay line on the link holds back.
 */
export function streamOf(
  info: Record<string, string>,
  field: 'master_repl_offset' | 'slave_repl_offset',
): ReplicationStream | null {
  const offset = Number(info[field]);
  const replId = info.master_replid;
  return replId && info[field] !== undefined && Number.isFinite(offset) ? { replId, offset } : null;
}

/** The online replicas in INFO replication (`slaveN:ip=…,port=…,state=online,offset=…`), best first. */
export function replicasOf(info: Record<string, string>): ReplicaAddress[] {
  const replicas: ReplicaAddress[] = [];
  for (const [field, value] of Object.entries(info)) {
    if (!/^slave\d+$/.test(field)) continue;
    const entry = Object.fromEntries(value.split(',').map((pair) => pair.split('=') as [string, string]));
    const [port, offset] = [Number(entry.port), Number(entry.offset)];
    if (entry.state === 'online' && entry.ip && Number.isInteger(port) && Number.isFinite(offset))
      replicas.push({ host: entry.ip, port, offset });
  }
  return replicas.sort((a, b) => b.offset - a.offset);
}

/**
 * master_repl_offset minus the offset the most advanced replica last acknowledged (REPLCONF ACK, about
 * once a second): up to a second of the stream more than a promotion now would lose. The fallback when
 * the replica itself cannot be read (ReplicaLagSampler.sampleBytes reads the lag as it is).
 */
export function replicationLag(info: Record<string, string>): number | null {
  const primaryOffset = Number(info.master_repl_offset);
  if (!Number.isFinite(primaryOffset)) return null;
  let best: number | null = null;
  for (const [field, value] of Object.entries(info)) {
    if (!/^slave\d+$/.test(field)) continue;
    const offset = Number(/(?:^|,)offset=(\d+)/.exec(value)?.[1]);
    if (Number.isFinite(offset) && (best === null || offset > best)) best = offset;
  }
  return best === null ? null : Math.max(0, primaryOffset - best);
}

type SlotsReply = [number, number, [string, number, string?, ...unknown[]], ...unknown[]][];

async function probeSlotOwner(cluster: Cluster, slot: number): Promise<PrimaryProbe> {
  const slots = (await cluster.call('CLUSTER', 'SLOTS')) as SlotsReply;
  const owner = slots.find(([first, last]) => slot >= first && slot <= last)?.[2];
  if (!owner) throw new Error(`no node serves slot ${slot}`);
  const [host, port, id] = owner;
  const address = `${host}:${port}`;
  const node = cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === address);
  const info = node ? parseInfo((await node.call('INFO', 'replication')) as string) : null;
  return {
    id: id ?? address,
    role: 'master',
    address,
    lagBytes: info ? replicationLag(info) : null,
    stream: info ? streamOf(info, 'master_repl_offset') : null,
    replicas: info ? replicasOf(info) : [],
  };
}
