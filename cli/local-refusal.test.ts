/**
 * Which `local` invocations are refused before the drill's modules load, and that such a refusal is the
 * one `local` itself makes: the error report in --json and exit 2. Pure: no server, nothing started.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalFlags } from './local.js';
import { refusedEarly } from './local-refusal.js';

describe('refusedEarly', () => {
  let dir: string;
  // One input per case, written once: the cases only read them.
  const file = (name: string) => join(dir, `${name}.json`);
  const flags = (input: string, more: Partial<LocalFlags> = {}): LocalFlags => ({
    input: file(input),
    optInTag: true,
    reportDir: join(dir, 'reports'),
    json: join(dir, `${input}-report.json`),
    ...more,
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-refusal-'));
    await writeFile(file('valid'), JSON.stringify({ replicationGroupId: 'drill-demo' }));
    await writeFile(file('invalid'), JSON.stringify({ replicationGroupId: 5 }));
    await writeFile(file('fleet'), JSON.stringify({ targets: [] }));
    await writeFile(file('text'), 'not json');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs it with stdout's summary kept out of the test's output and the exit code it sets put back. */
  async function refused(
    given: LocalFlags,
  ): Promise<{ refused: boolean; exitCode: typeof process.exitCode }> {
    const before = process.exitCode;
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      return { refused: await refusedEarly(given), exitCode: process.exitCode };
    } finally {
      process.stdout.write = write;
      process.exitCode = before;
    }
  }

  it('leaves a valid input to the drill', async () => {
    // Prepare
    const given = flags('valid');

    // Act
    const outcome = await refused(given);

    // Assess
    expect(outcome.refused).toBe(false);
  });

  it('leaves an input to the drill when a flag adds to it (the drill parses the sum)', async () => {
    // Prepare: --dry-run could mend a bad dryRun member, so the file alone is not what is parsed
    const cases = [
      { dryRun: true },
      { alarm: ['a'] },
      { fireAlarm: 'a' },
      { client: ['x'] },
      { global: true },
      { groups: 2 },
    ];

    // Act: one at a time (each swaps process.stdout.write for its run)
    const outcomes = [];
    for (const more of cases) outcomes.push(await refused(flags('invalid', more)));

    // Assess
    expect(outcomes.map((o) => o.refused)).toEqual(cases.map(() => false));
  });

  it.each([
    ['invalid', 'DrillInputError', 'replicationGroupId'],
    ['text', 'DrillInputError', 'is not JSON'],
    ['fleet', 'FleetInputError', 'targets is an empty list'],
  ])(
    'refuses the %s input by name, with exit 2 and the error report in --json',
    async (input, name, names) => {
      // Prepare
      const given = flags(input);

      // Act
      const outcome = await refused(given);

      // Assess
      const report = JSON.parse(await readFile(given.json!, 'utf8'));
      expect(outcome).toEqual({ refused: true, exitCode: 2 });
      expect(report.verdict).toBe('error');
      expect(report.error.name).toBe(name);
      expect(report.error.message).toContain(names);
      expect(report.failoverTriggered).toBe(false);
    },
  );
});
