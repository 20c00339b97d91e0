import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { DrillInputError } from '../functions/shared/errors.js';

/** commander argument parser for whole numbers ≥ 0 (a refusal exits 2, as every usage error). */
export function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number.');
  return Number(value);
}

/** commander argument parser for any finite number. */
export function number(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number.');
  return n;
}

/** commander argument parser for a duration in seconds, > 0. */
export function positiveSeconds(value: string): number {
  const n = number(value);
  if (n <= 0) throw new InvalidArgumentError('expected a number of seconds > 0.');
  return n;
}

/** The JSON of an --input file; unreadable or not JSON is a DrillInputError (exit 2, nothing touched). */
export async function readInput(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new DrillInputError(`cannot read --input ${file}: ${error.code ?? error.message}`);
  });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DrillInputError(`--input ${file} is not JSON: ${(error as Error).message}`);
  }
}

/** commander collector for a repeatable option. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * `--client <preset|FILE>` values as the execution input's `clients` entries: a preset's name as is, or a
 * file holding one profile (or an array of them) as JSON. Validated later with everything else.
 */
export async function readClientFlags(
  values: readonly string[] = [],
  presets: readonly string[],
): Promise<unknown[]> {
  const entries: unknown[] = [];
  for (const value of values) {
    if (presets.includes(value)) {
      entries.push(value);
      continue;
    }
    const text = await readFile(value, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new DrillInputError(
        `--client ${value}: not a preset (${presets.join(', ')}) and not a readable file (${error.code ?? error.message})`,
      );
    });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new DrillInputError(`--client ${value} is not JSON: ${(error as Error).message}`);
    }
    entries.push(...(Array.isArray(parsed) ? parsed : [parsed]));
  }
  return entries;
}
