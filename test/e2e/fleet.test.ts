import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillReport } from '../../functions/core/report/drill-report.js';
import type { FleetReport } from '../../functions/core/report/fleet-report.js';
import { LOCAL_DEFAULT_INPUT } from '../../local/drill.js';
import { runCli } from '../support/run-cli.js';

/** The local drill's timings (a local failover completes in about a second). */
const { replicationGroupId: _, ...FAST } = LOCAL_DEFAULT_INPUT;

// Game days across a fleet: the real fleet state machine, each target's drill a nested execution of the
// real drill state machine, over real redis-server processes. Each case has its own local cloud and mostly
// waits on its drills' timers, so they run concurrently.
describe.concurrent('failover-drill local, a fleet', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'failover-drill-fleet-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const fleetInput = async (name: string, input: unknown) => {
    const file = join(dir, `${name}.json`);
    await writeFile(file, JSON.stringify(input));
    return file;
  };
  const targetReport = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as DrillReport;
  const testFailovers = (stderr: string) =>
    Number(/TestFailover called for (\d+) node groups/.exec(stderr)?.[1]);

  it('--groups 3: three passing target reports and a passing summary', async () => {
    // Act
    const reportDir = join(dir, 'groups-3');
    const run = await runCli(['local', '--groups', '3'], {}, { reportDir });
    const fleet = run.json as unknown as FleetReport;

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(fleet).toMatchObject({ kind: 'fleet', verdict: 'pass', counts: { pass: 3, fail: 0, error: 0 } });
    expect(fleet.targets.map((t) => [t.replicationGroupId, t.nodeGroupId, t.verdict])).toEqual([
      ['drill-demo-1', '0001', 'pass'],
      ['drill-demo-2', '0001', 'pass'],
      ['drill-demo-3', '0001', 'pass'],
    ]);
    for (const target of fleet.targets) {
      const report = await targetReport(target.report!.json);
      expect(report).toMatchObject({ verdict: 'pass', failoverTriggered: true, writes: { lost: 0 } });
      expect(report.drill.replicationGroupId).toBe(target.replicationGroupId);
      expect(target.downtime.ms).toBe(report.downtime.ms);
    }
    expect(fleet.files?.html).toMatch(/report\.html$/);
    expect(await readFile(fleet.files!.html, 'utf8')).toContain(
      `href="../${fleet.targets[0]!.runId}/report.html"`,
    );
    expect(testFailovers(run.stderr)).toBe(3);
    // One SNS message for the whole fleet, none per drill.
    expect(run.stderr.match(/^SNS: /gm)).toHaveLength(1);
    expect(run.stderr).toMatch(/SNS: \[failover-drill\] PASS fleet /);
  });

  it('two shards of one cluster-mode group: both pass, the second only after the first recovered', async () => {
    // Prepare
    const input = await fleetInput('two-shards', {
      targets: [
        { replicationGroupId: 'drill-demo', nodeGroupId: '0001' },
        { replicationGroupId: 'drill-demo', nodeGroupId: '0002' },
      ],
      maxConcurrency: 2,
      drill: FAST,
    });

    // Act
    const run = await runCli(
      ['local', '--cluster-mode', 'enabled', '--shards', '2', '--input', input],
      {},
      {
        reportDir: join(dir, 'two-shards'),
      },
    );
    const fleet = run.json as unknown as FleetReport;

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(fleet.targets.map((t) => [t.nodeGroupId, t.verdict])).toEqual([
      ['0001', 'pass'],
      ['0002', 'pass'],
    ]);
    const [first, second] = await Promise.all(fleet.targets.map((t) => targetReport(t.report!.json)));
    const at = (r: DrillReport, kind: string) =>
      r.failover.events.find((e) => e.kind === kind)?.atEpochMs ?? NaN;
    // AWS refuses overlapping node replacements in a group: the second TestFailover after the first's recovery.
    expect(at(second!, 'requested')).toBeGreaterThan(at(first!, 'recoveryFinished'));
    expect(testFailovers(run.stderr)).toBe(2);
  });

  it('refuses up front the targets beyond the TestFailover budget; the rest are drilled', async () => {
    // Prepare: a budget of 1 node group (as if 14 of AWS's 15 were spent) for 2 groups
    const input = await fleetInput('budget', {
      targets: ['drill-demo-1', 'drill-demo-2'].map((replicationGroupId) => ({ replicationGroupId })),
      drill: { ...FAST, guardrails: { maxTestFailoversPer24h: 1 } },
    });

    // Act
    const run = await runCli(
      ['local', '--groups', '2', '--input', input],
      {},
      { reportDir: join(dir, 'budget') },
    );
    const fleet = run.json as unknown as FleetReport;

    // Assess
    expect(run.code, run.stderr).toBe(2);
    expect(fleet.targets.map((t) => [t.replicationGroupId, t.verdict, t.refused])).toEqual([
      ['drill-demo-1', 'pass', false],
      ['drill-demo-2', 'error', true],
    ]);
    expect(fleet.targets[1]!.error?.message).toMatch(/^test-failover-budget-spent: /);
    expect(fleet.budget).toEqual({ limit: 1, usedLast24h: 0, planned: 1 });
    expect(testFailovers(run.stderr)).toBe(1);
  });

  it("a target's drill refused by its Preflight is that target's error row, by name", async () => {
    // Act: the groups carry no opt-in tag
    const run = await runCli(
      ['local', '--groups', '2', '--no-opt-in-tag'],
      {},
      { reportDir: join(dir, 'no-tag') },
    );
    const fleet = run.json as unknown as FleetReport;

    // Assess
    expect(run.code, run.stderr).toBe(2);
    expect(fleet.targets.map((t) => [t.verdict, t.error?.name])).toEqual([
      ['error', 'GuardrailError'],
      ['error', 'GuardrailError'],
    ]);
    expect(fleet.targets[0]!.report?.json).toMatch(/report\.json$/);
    expect(testFailovers(run.stderr)).toBe(0);
  });

  it.each([
    ['unknown-group', { targets: [{ replicationGroupId: 'nope' }] }],
    ['selector-matched-nothing', { targets: { tag: 'team=nobody' } }],
  ])('refuses %s by name: exit 2, no TestFailover anywhere', async (reason, body) => {
    // Prepare
    const input = await fleetInput(reason, body);

    // Act
    const run = await runCli(['local', '--input', input], {}, { reportDir: join(dir, reason) });
    const fleet = run.json as unknown as FleetReport;

    // Assess
    expect(run.code, run.stderr).toBe(2);
    // Once under stress-ng this came back a drill's error report after 17 s: say what it held.
    expect(fleet, `${JSON.stringify(run.json.error)}\n${run.stderr.slice(-2000)}`).toMatchObject({
      kind: 'fleet',
      verdict: 'error',
      targets: [],
    });
    expect(fleet.error).toMatchObject({
      name: 'FleetInputError',
      message: expect.stringMatching(new RegExp(`^${reason}: `)),
    });
    expect(testFailovers(run.stderr)).toBe(0);
  });

  it('refuses an empty target list before the local cloud starts', async () => {
    // Act
    const run = await runCli(['local', '--input', await fleetInput('empty', { targets: [] })]);
    // Assess
    expect(run.code).toBe(2);
    expect(run.json.error).toMatchObject({
      name: 'FleetInputError',
      message: expect.stringMatching(/^targets-empty: /),
    });
    expect(run.stderr).not.toContain('local cloud up');
  });
});
