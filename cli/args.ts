import { InvalidArgumentError } from 'commander';

/** commander argument parser for whole numbers ≥ 0 (a refusal exits 2, as every usage error). */
export function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number.');
  return Number(value);
}
