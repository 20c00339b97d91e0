import type * as z from 'zod';
import { prettifyError } from 'zod';
import { DrillInputError } from './errors.js';

/** Parses with a zod schema; a refusal is a DrillInputError naming every problem. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new DrillInputError(`invalid ${what}: ${prettifyError(result.error).replaceAll('\n', '; ')}`);
  return result.data;
}
