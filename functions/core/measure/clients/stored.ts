/**
 * Per-writer records kept in the figure store, not in the state: what travels is where they are, how many
 * and their totals. The shard writers are one record per shard, so their records would make the state grow
 * with the shard count (a 256 KB state at 30–60 shards); the reference is the same size at 3 or 500.
 */
import type { FigureStore } from '../../../shared/figure-store.js';
import type { SentCounts } from '../counts.js';

/** Records in the figure store, as a state carries them. */
export interface StoredRecords {
  /** Where the records are (`FigureStore.get`). */
  stored: string;
  /** How many records. */
  count: number;
  /** Their write counts added up (for a reader of the execution's history; the report reads the records). */
  totals?: SentCounts;
}

export function isStoredRecords(value: unknown): value is StoredRecords {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as StoredRecords).stored === 'string' &&
    typeof (value as StoredRecords).count === 'number'
  );
}

/** The records' write counts added up, when they count writes. */
function totalsOf(records: readonly object[]): SentCounts | undefined {
  const counted = records.filter((r): r is SentCounts => typeof (r as SentCounts).attempted === 'number');
  if (counted.length === 0) return undefined;
  const sum = (k: keyof SentCounts) => counted.reduce((a, r) => a + r[k], 0);
  return {
    attempted: sum('attempted'),
    acknowledged: sum('acknowledged'),
    failed: sum('failed'),
    indeterminate: sum('indeterminate'),
  };
}

/** Stores `records` under `name` for the run; the reference is what the state carries. */
export async function storeRecords(
  store: FigureStore,
  runId: string,
  name: string,
  records: readonly object[],
): Promise<StoredRecords> {
  const stored = await store.put(runId, name, records);
  const totals = totalsOf(records);
  return { stored, count: records.length, ...(totals ? { totals } : {}) };
}

/**
 * The records a state names: read from the store when it carries a reference, as they are when it
 * carries them inline (a state from before the figures moved, or a test's), undefined when absent.
 */
export async function loadRecords<T>(
  store: FigureStore,
  value: readonly T[] | StoredRecords | undefined,
): Promise<T[] | undefined> {
  if (value === undefined) return undefined;
  if (!isStoredRecords(value)) return [...value];
  const records = await store.get(value.stored);
  if (!Array.isArray(records) || records.length !== value.count)
    throw new Error(`the figures at ${value.stored} are not the ${value.count} records the state names`);
  return records as T[];
}
