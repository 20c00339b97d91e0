/**
 * Hostile execution inputs, property-based (fast-check): whatever arrives — any JSON, or a valid drill or
 * fleet request with one member replaced by a hostile value (dry run, client profiles, fleet targets,
 * writer, guardrails, thresholds included) — parsing either accepts it or refuses it with DrillInputError
 * (a fleet also with FleetInputError), naming the member. Never another error, never a crash: that is what Preflight and the CLI rely on.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DrillInputError } from '../../shared/errors.js';
import { parseFleetRequest } from './fleet.js';
import { parseDrillRequest } from './request.js';

const VALID_DRILL = {
  replicationGroupId: 'orders-cache',
  nodeGroupId: '0001',
  dryRun: false,
  fault: 'test-failover',
  writer: { rate: 200, concurrency: 16, baselineSeconds: 5, settleSeconds: 5, maxDurationSeconds: 60 },
  recovery: { pollIntervalSeconds: 5, pollWindowSeconds: 60, maxWaitSeconds: 900 },
  guardrails: { stopAlarmNames: ['orders-5xx'], maxTestFailoversPer24h: 15, lockTtlSeconds: 3600 },
  thresholds: { maxDowntimeMs: 30000, maxLostWrites: 0 },
};

const VALID_FLEET = { targets: [{ replicationGroupId: 'orders-cache' }, { replicationGroupId: 'carts' }] };

const hostile = fc.oneof(
  fc.anything(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    -1,
    0,
    Number.POSITIVE_INFINITY,
    Number.NaN,
    Number.MAX_SAFE_INTEGER,
    '',
    'true',
    '__proto__',
    [],
    {},
    null,
  ),
  fc.array(fc.anything(), { maxLength: 200 }),
);

/** Paths into the valid input, one member each, nested ones included. */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const own = Object.entries(value).flatMap(([key, inner]) => paths(inner, [...prefix, key]));
  return prefix.length > 0 ? [prefix, ...own] : own;
}

function replaced(value: unknown, path: string[], replacement: unknown): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[path.at(-1)!] = replacement;
  return copy;
}

/** The input errors: DrillInputError, and for a fleet its own refusals (an empty or oversized fleet). */
const INPUT_ERRORS = ['DrillInputError', 'FleetInputError'];

function refusedAsInput(parse: (input: unknown) => unknown, input: unknown): void {
  try {
    parse(input);
  } catch (error) {
    expect(INPUT_ERRORS).toContain((error as Error).name);
    expect((error as Error).message.length).toBeGreaterThan(0);
  }
}

describe.each([
  ['drill request', parseDrillRequest, VALID_DRILL],
  ['fleet request', parseFleetRequest, VALID_FLEET],
] as const)('the %s', (_, parse, valid) => {
  it('accepts the valid input', () => {
    expect(() => parse(valid)).not.toThrow();
  });

  it('accepts or refuses any JSON with DrillInputError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => refusedAsInput(parse, input)),
      { numRuns: 500 },
    );
  });

  it('accepts or refuses a valid input with any member made hostile, or an unknown one added', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...paths(valid)),
        hostile,
        fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
        (path, value, unknownField) => {
          const input = replaced(valid, path, value) as Record<string, unknown>;
          const unknown = unknownField !== undefined && !Object.hasOwn(input, unknownField);
          if (unknown) Object.defineProperty(input, unknownField, { value: 1, enumerable: true });
          refusedAsInput(parse, input);
          // Strict at the top: an unknown member is never silently ignored.
          if (unknown) expect(() => parse(input)).toThrow(DrillInputError);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
