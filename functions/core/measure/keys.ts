/**
 * The run's keyspace: one key per write, `<prefix>:<runId>:<seq>`, or in cluster mode
 * `<prefix>:{<runId>.<n>}:<seq>` with the hash tag chosen so that every key lands in the target shard.
 * Verify and Cleanup name every key they touch exactly (a sequence number below a bound); no pattern.
 */
import { DrillInputError } from '../../shared/errors.js';

export const DEFAULT_PREFIX = 'failover-drill';
export const SLOT_COUNT = 16384;
/**
 * The run's slot is listed (GETKEYSINSLOT) only while it holds at most this many keys beyond the run's
 * own: a slot an application crowds with one hash tag of its own could hold millions, and the
 * listing would then cost what the database holds. Beyond it, the probe window decides alone.
 */
export const SLOT_LISTING_FOREIGN_MAX = 10_000;

/** Inclusive slot range, as CLUSTER SHARDS / DescribeReplicationGroups report them. */
export type SlotRange = [first: number, last: number];

/** Prefix, run id and writer id: no ':' (so that no run's pattern covers another's), no glob characters. */
export const NAME_PATTERN = /^[A-Za-z0-9._-]{1,80}$/;

export function checkKeyNames(prefix: string, runId: string): void {
  if (!NAME_PATTERN.test(prefix))
    throw new DrillInputError(`prefix must match ${NAME_PATTERN.source}, got '${prefix}'`);
  if (!NAME_PATTERN.test(runId))
    throw new DrillInputError(`runId must match ${NAME_PATTERN.source}, got '${runId}'`);
}

export interface KeyBase {
  keyBase: string;
  /** The one slot every key of the run hashes to (cluster mode). */
  slot?: number;
}

/** The run's key base; with `pin`, the first hash tag `<runId>.<n>` whose slot lies in one of the ranges. */
export function keyBaseFor(prefix: string, runId: string, pin?: readonly SlotRange[]): KeyBase {
  checkKeyNames(prefix, runId);
  if (!pin) return { keyBase: `${prefix}:${runId}` };
  if (pin.length === 0) throw new DrillInputError('pin needs at least one slot range');
  for (const [first, last] of pin) {
    if (
      !(Number.isInteger(first) && Number.isInteger(last) && first >= 0 && first <= last && last < SLOT_COUNT)
    )
      throw new DrillInputError(`bad slot range [${first}, ${last}]`);
  }
  // A range of one slot is hit by about one tag in 16384; the bound is far above what any range needs.
  for (let n = 0; n < 1_000_000; n++) {
    const tag = `${runId}.${n}`;
    const slot = keySlot(tag);
    if (pin.some(([first, last]) => slot >= first && slot <= last))
      return { keyBase: `${prefix}:{${tag}}`, slot };
  }
  throw new DrillInputError('no hash tag found for the pinned slot ranges');
}

/** The key base a writer with these settings writes under (cluster mode without a pin: any slot). */
export function writerKeyBase(settings: {
  prefix: string;
  runId: string;
  cluster: boolean;
  pin?: readonly SlotRange[] | undefined;
}): KeyBase {
  const pin = settings.pin ?? (settings.cluster ? [[0, SLOT_COUNT - 1] as SlotRange] : undefined);
  return keyBaseFor(settings.prefix, settings.runId, settings.cluster ? pin : undefined);
}

export function keyFor(keyBase: string, seq: number): string {
  return `${keyBase}:${seq}`;
}

/** The value of each write: run, writer and sequence, so that a stray or overwritten key is recognised. */
export function payloadFor(runId: string, writerId: string, seq: number): string {
  return `${runId}/${writerId}/${seq}`;
}

/**
 * Whether `value` is exactly payloadFor(runId, writerId, seq), compared as bytes: the verifier reads values
 * as buffers, and decoding half a million of them into strings costs more than the comparison. The sequence
 * is compared digit by digit from the end, so that no string is made per key.
 */
export function payloadMatcher(runId: string, writerId: string): (seq: number, value: Uint8Array) => boolean {
  const head = Buffer.from(payloadFor(runId, writerId, 0).slice(0, -1));
  return (seq, value) => {
    if (value.length <= head.length) return false;
    for (let i = 0; i < head.length; i++) if (value[i] !== head[i]) return false;
    let rest = seq;
    for (let i = value.length - 1; i >= head.length; i--) {
      const digit = value[i]! - 48;
      if (digit !== rest % 10) return false;
      rest = (rest - digit) / 10;
      if (rest === 0 && i > head.length) return false; // a leading zero, or more characters than digits
    }
    return rest === 0;
  };
}

/** The keys of `seqs`, as keyFor names them, built from one prefix string for the whole batch. */
export function keysFor(keyBase: string, seqs: readonly number[]): string[] {
  const prefix = `${keyBase}:`;
  const keys = new Array<string>(seqs.length);
  for (let i = 0; i < seqs.length; i++) keys[i] = prefix + seqs[i]!;
  return keys;
}

/** The sequence number of one of the run's keys, or undefined for anything else under the pattern. */
export function seqOfKey(keyBase: string, key: string): number | undefined {
  if (!key.startsWith(`${keyBase}:`)) return undefined;
  const rest = key.slice(keyBase.length + 1);
  return /^(0|[1-9][0-9]{0,14})$/.test(rest) ? Number(rest) : undefined;
}

/**
 * The sequence space probed above the last attempted write, for keys of the run that nobody in the summary
 * wrote: 5 s of writes at the run's rate, at least 1000. A second writer of the same run (a retried Lambda)
 * writes the same sequence from 0 at the same rate; if it outlived this one, its writes above the last
 * attempted one are in this window unless it failed for 5 s on end right there.
 */
export function probeWindow(rate: number): number {
  return Math.max(1000, Math.ceil(rate * 5));
}

const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

/** Redis Cluster key slot: CRC16/XMODEM of the key (or of its first non-empty {hash tag}) mod 16384. */
export function keySlot(key: string): number {
  let bytes = Buffer.from(key);
  const open = bytes.indexOf(0x7b); // {
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1); // }
    if (close > open + 1) bytes = bytes.subarray(open + 1, close);
  }
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc % SLOT_COUNT;
}
