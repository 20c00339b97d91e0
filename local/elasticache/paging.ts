/**
 * Marker/MaxRecords paging as the Describe* actions do it. The marker names the first item of the next
 * page by a stable key, so that items added between two calls neither repeat nor vanish.
 */
import { commonFaults } from '../protocols/query.js';

export const DEFAULT_MAX_RECORDS = 100;
export const MAX_RECORDS_RANGE = { min: 20, max: 100 };

export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  maxRecords = DEFAULT_MAX_RECORDS,
  marker?: string,
): { page: T[]; marker?: string } {
  let from = 0;
  if (marker !== undefined) {
    const key = Buffer.from(marker, 'base64url').toString('utf8');
    from = items.findIndex((item) => keyOf(item) === key);
    if (from < 0) throw commonFaults.invalidValue(`Invalid value for Marker: ${marker}.`);
  }
  const page = items.slice(from, from + maxRecords);
  const next = items[from + maxRecords];
  return next === undefined ? { page } : { page, marker: Buffer.from(keyOf(next)).toString('base64url') };
}
