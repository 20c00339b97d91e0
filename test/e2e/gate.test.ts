/**
 * `failover-drill gate` against a real `failover-drill emulator`: both are subprocesses, joined only by the
 * emulator's ready line (its env carries AWS_ENDPOINT_URL_SFN and the dummy credentials), as in a pipeline.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AddTagsToResourceCommand,
  DescribeReplicationGroupsCommand,
  type ElastiCacheClient,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
} from '@aws-sdk/client-elasticache';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_TAG } from '../../functions/core/drill/guardrails.js';
import type { DrillReport } from '../../functions/core/report/drill-report.js';
import { LOCAL_CREDENTIALS } from '../../local/account.js';
import { OPT_IN_TAG } from '../../local/cloud.js';
import { LOCAL_DEFAULT_INPUT } from '../../local/drill.js';
import { cliCommand } from '../support/cli-command.js';
import {
  cli,
  type Emulator,
  emulatorFor,
  type Ready,
  startEmulator,
  stop,
  stopEmulator,
} from '../support/emulator.js';
import { allEvents, elastiCacheClient, redisClient } from '../support/local-cloud.js';

const cwd = new URL('../..', import.meta.url).pathname;
const GATE_TIMEOUT_MS = 90_000;

interface GateRun {
  code: number | null;
  stdout: string;
  stderr: string;
  report: DrillReport;
  junit: {
    testsuites: {
      testsuite: Record<string, string> & {
        testcase: { name: string; failure?: { message: string }; error?: { type: string } }[];
      };
    };
  };
}

// A case that needs an emulator flag of its own owns its emulator; the rest share one, in turn (below). The
// groups run concurrently (each mostly waits on a drill's timers): a child left by a failed case is stopped
// when the file ends, not by another case's hook.
const running = new Set<ChildProcess>();
afterAll(async () => {
  await Promise.all([...running].map(stop));
  running.clear();
});

/** Runs `gate` on drill-demo with the emulator's environment; JSON and JUnit go to its report directory. */
async function gate(
  emulator: Emulator,
  name: string,
  args: string[],
  input?: unknown,
  stateMachineArn = emulator.ready.stateMachineArn,
): Promise<GateRun> {
  const dir = emulator.reportDir;
  const files = {
    json: join(dir, `${name}.json`),
    junit: join(dir, `${name}.xml`),
    input: join(dir, `${name}.in`),
  };
  if (input !== undefined) await writeFile(files.input, JSON.stringify(input));
  const child = spawn(
    process.execPath,
    [
      ...cliCommand(),
      'gate',
      '--state-machine-arn',
      stateMachineArn,
      '--poll-interval',
      '0.2',
      '--json',
      files.json,
      '--junit',
      files.junit,
      '--name',
      name,
      // A fleet names its targets in its input.
      ...(args.includes('--fleet') ? [] : ['--replication-group', 'drill-demo']),
      ...(input !== undefined ? ['--input', files.input] : []),
      ...args,
    ],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...emulator.ready.env } },
  );
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), GATE_TIMEOUT_MS);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  running.delete(child);
  const written = (file: string) =>
    readFile(file, 'utf8').catch((error: Error) => {
      throw new Error(`gate exited ${code} without ${file} (${error.message}); stderr:\n${stderr}`);
    });
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (tag) => tag === 'testcase',
  });
  return {
    code,
    stdout,
    stderr,
    report: JSON.parse(await written(files.json)) as DrillReport,
    junit: parser.parse(await written(files.junit)),
  };
}

const sdkTarget = (ready: Ready) => ({
  endpoint: ready.endpoint,
  region: ready.region,
  credentials: LOCAL_CREDENTIALS,
});

/** The demo's fast timings (a local failover completes in about a second). */
const FAST = {
  writer: { ...LOCAL_DEFAULT_INPUT.writer },
  recovery: { ...LOCAL_DEFAULT_INPUT.recovery },
};

/**
 * For the cases whose assertions name no count and no duration of the writer (a verdict, an error's name,
 * keys left, a lock): the schema's shortest settle and a fifth of the rate, to spare the CPU. The baseline
 * stays: it is the writer's margin to start on a loaded machine.
 */
const SHORT = {
  writer: { ...FAST.writer, rate: 100, settleSeconds: 1 },
  recovery: { ...FAST.recovery },
};

/** The group's ARN and its tag keys, as ListTagsForResource gives them. */
async function groupTags(ec: ElastiCacheClient): Promise<{ arn: string; keys: (string | undefined)[] }> {
  const described = await ec.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'drill-demo' }));
  const arn = described.ReplicationGroups![0]!.ARN!;
  const tags = await ec.send(new ListTagsForResourceCommand({ ResourceName: arn }));
  return { arn, keys: (tags.TagList ?? []).map((t) => t.Key) };
}

describe.concurrent('failover-drill gate against the emulator', () => {
  it('fails the gate when a lagging replica loses acknowledged writes: exit 1, a JUnit failure for maxLostWrites', async ({
    onTestFinished,
  }) => {
    // Prepare
    const emulator = await emulatorFor(onTestFinished, ['--replication-lag-ms', '500']);
    // Only "some writes lost" is asserted, which the lag's last 500 ms decide: the settle after does not.
    const input = { ...FAST, writer: { ...FAST.writer, settleSeconds: 1 } };

    // Act
    const run = await gate(emulator, 'gate-lag', [], input);

    // Assess
    const failures = run.junit.testsuites.testsuite.testcase.filter((c) => c.failure);
    expect(run.code, run.stderr).toBe(1);
    expect(run.report.verdict).toBe('fail');
    expect(run.report.writes.lost).toBeGreaterThan(0);
    expect(failures.map((c) => [c.name, c.failure?.message])).toEqual([
      ['maxLostWrites', `lost writes ${run.report.writes.lost} > 0`],
    ]);
  });

  it('cleans up when a step fails midway: RecoveryTimeoutError, exit 2, no run keys left, lock released', async ({
    onTestFinished,
  }) => {
    // Prepare
    const emulator = await emulatorFor(onTestFinished, ['--detection-delay-ms', '30000']);
    const runId = 'gate-timeout';
    const input = { ...SHORT, recovery: { ...SHORT.recovery, maxWaitSeconds: 10 } };

    // Act
    const run = await gate(emulator, runId, [], input);
    await sleep(2000); // a writer abandoned by its branch stops at Cleanup's marker; give it time to be gone
    const redis = redisClient(emulator.ready.primaryEndpoint);
    const keys: string[] = [];
    try {
      await redis.connect();
      let cursor = '0';
      for (let i = 0; i < 10_000; i++) {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `failover-drill:${runId}:*`, 'COUNT', 1000);
        keys.push(...batch);
        cursor = next;
        if (cursor === '0') break;
      }
    } finally {
      redis.disconnect();
    }
    const { keys: tags } = await groupTags(elastiCacheClient(sdkTarget(emulator.ready)));

    // Assess
    expect(run.code, run.stderr).toBe(2);
    expect(run.report.verdict).toBe('error');
    expect(run.report.error?.name).toBe('RecoveryTimeoutError');
    expect(run.report.cleanup.errors).toEqual([]);
    expect(run.junit.testsuites.testsuite.testcase.find((c) => c.error)?.error?.type).toBe(
      'RecoveryTimeoutError',
    );
    expect(keys).toEqual([]);
    expect(tags).not.toContain(LOCK_TAG);
  });
});

// One emulator for the cases that need no flag of their own, one case at a time, in this order: the dry run
// and the refusals each assert that nothing was touched (no TestFailover, no key, no lock, no execution
// started), so they run before the one drill that touches everything. The file's other cases run beside them.
describe.concurrent('failover-drill gate on one emulator: dry run, refusals, then a drill', () => {
  let emulator: Emulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await stopEmulator(emulator);
  });

  const executions = async (ready: Ready) => {
    const sfn = new SFNClient({ ...sdkTarget(ready), maxAttempts: 1 });
    try {
      const out = await sfn.send(new ListExecutionsCommand({ stateMachineArn: ready.stateMachineArn }));
      return (out.executions ?? []).map((e) => e.name);
    } finally {
      sfn.destroy();
    }
  };

  it('--dry-run succeeds with the plan and touches nothing: no TestFailover, no key, no lock', {
    concurrent: false,
  }, async () => {
    // Act
    const run = await gate(emulator!, 'gate-dry-run', ['--dry-run'], FAST);
    const ec = elastiCacheClient(sdkTarget(emulator!.ready));
    const events = await allEvents(ec);
    const { keys: tags } = await groupTags(ec);
    const redis = redisClient(emulator!.ready.primaryEndpoint);
    let keys = -1;
    try {
      await redis.connect();
      keys = await redis.dbsize();
    } finally {
      redis.disconnect();
    }

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.report).toMatchObject({
      verdict: 'pass',
      dryRun: true,
      failoverTriggered: false,
      preview: { target: { nodeGroupId: '0001' }, failoverBudget: { left: 15 } },
    });
    expect(run.stdout).toContain('failover-drill gate: DRY RUN PASS');
    expect(events.filter((e) => e.Message?.startsWith('Test Failover API called'))).toEqual([]);
    expect(tags).not.toContain(LOCK_TAG);
    expect(keys).toBe(0);
  });

  it('refuses a group without the opt-in tag in Preflight: exit 2, GuardrailError, no TestFailover', {
    concurrent: false,
  }, async () => {
    // Prepare: the tag taken off the group, and put back after, for the drill below
    const ec = elastiCacheClient(sdkTarget(emulator!.ready));
    const { arn } = await groupTags(ec);
    await ec.send(new RemoveTagsFromResourceCommand({ ResourceName: arn, TagKeys: [OPT_IN_TAG.key] }));

    // Act
    const run = await gate(emulator!, 'gate-guardrail', [], FAST).finally(() =>
      ec.send(
        new AddTagsToResourceCommand({
          ResourceName: arn,
          Tags: [{ Key: OPT_IN_TAG.key, Value: OPT_IN_TAG.value }],
        }),
      ),
    );
    const events = await allEvents(ec);

    // Assess
    expect(run.code, run.stderr).toBe(2);
    expect(run.report.error?.name).toBe('GuardrailError');
    expect(run.report.failoverTriggered).toBe(false);
    expect(events.filter((e) => e.Message?.startsWith('Test Failover API called'))).toEqual([]);
  });

  it('refuses bad input before starting an execution: exit 2, DrillInputError, JSON and JUnit written', {
    concurrent: false,
  }, async () => {
    // Prepare
    const before = await executions(emulator!.ready);

    // Act: both at once (neither starts anything)
    const [negative, unknownField] = await Promise.all([
      gate(emulator!, 'gate-negative', ['--max-lost-writes', '-1']),
      gate(emulator!, 'gate-unknown', [], { ...FAST, writer: { ...FAST.writer, burst: 10 } }),
    ]);
    const after = await executions(emulator!.ready);

    // Assess
    for (const run of [negative, unknownField]) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.report.verdict).toBe('error');
      expect(run.report.error?.name).toBe('DrillInputError');
      expect(run.junit.testsuites.testsuite.testcase.find((c) => c.error)?.error?.type).toBe(
        'DrillInputError',
      );
    }
    expect(negative.report.error?.message).toContain('maxLostWrites');
    expect(unknownField.report.error?.message).toContain('burst');
    expect(after).toEqual(before);
    expect(after).not.toContain('gate-negative');
  });

  it('refuses the fleet and the stop-fault machine before starting anything: exit 2, WrongStateMachineError', {
    concurrent: false,
  }, async () => {
    // Prepare
    const ready = emulator!.ready as Ready & {
      fleetStateMachineArn: string;
      faultStopStateMachineArn: string;
    };
    const listed = async (stateMachineArn: string) => {
      const sfn = new SFNClient({ ...sdkTarget(ready), maxAttempts: 1 });
      try {
        return (await sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions ?? [];
      } finally {
        sfn.destroy();
      }
    };
    const before = await executions(ready);

    // Act: the three at once (none starts anything)
    const [fleet, stopFault, drillAsFleet] = await Promise.all([
      gate(emulator!, 'gate-wrong-fleet', [], FAST, ready.fleetStateMachineArn),
      gate(emulator!, 'gate-wrong-stop', [], FAST, ready.faultStopStateMachineArn),
      gate(
        emulator!,
        'gate-wrong-drill',
        ['--fleet'],
        { targets: [{ replicationGroupId: 'drill-demo' }] },
        ready.stateMachineArn,
      ),
    ]);

    // Assess
    for (const run of [fleet, stopFault, drillAsFleet]) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.report.verdict).toBe('error');
      expect(run.report.error?.name).toBe('WrongStateMachineError');
      expect(run.stderr).not.toContain('started');
    }
    expect(fleet.report.error?.message).toContain(`use ${ready.stateMachineArn}`);
    expect(stopFault.report.error?.message).toContain('stop-fault state machine');
    expect(stopFault.report.error?.message).toContain(`use ${ready.stateMachineArn}`);
    expect(drillAsFleet.report.error?.message).toContain(`use ${ready.fleetStateMachineArn}`);
    // The stop-fault machine is EXPRESS (its executions are not listed): the other two list none.
    expect(await listed(ready.fleetStateMachineArn)).toEqual([]);
    expect(await executions(ready)).toEqual(before);
  });

  it('passes a clean drill: exit 0, nothing lost, a new primary, a JUnit file without failures', {
    concurrent: false,
  }, async () => {
    // Act
    const run = await gate(emulator!, 'gate-pass', [], FAST);

    // Assess
    const suite = run.junit.testsuites.testsuite;
    expect(run.code, run.stderr).toBe(0);
    expect(run.report.verdict).toBe('pass');
    expect(run.report.writes.lost).toBe(0);
    expect(run.report.writes.acknowledged).toBeGreaterThan(1000);
    expect(run.report.failover.from).toMatch(/^drill-demo-00\d$/);
    expect(run.report.failover.to).toMatch(/^drill-demo-00\d$/);
    expect(run.report.failover.from).not.toBe(run.report.failover.to);
    expect(run.stdout).toContain('failover-drill gate: PASS');
    expect(run.stderr).toContain('✓ Report');
    expect(suite).toMatchObject({ name: 'failover-drill', failures: '0', errors: '0' });
    expect(suite.testcase.map((c) => c.name)).toContain('maxLostWrites');
  });
});

describe.concurrent('failover-drill gate usage', () => {
  it('exits 2 on an unknown flag and on a missing required option', async () => {
    // Prepare
    const cases = [
      ['gate', '--bogus', '--state-machine-arn', 'arn', '--replication-group', 'g'],
      ['gate', '--state-machine-arn', 'arn'],
      ['gate', '--state-machine-arn', 'arn', '--replication-group', 'g', '--poll-interval', '0'],
    ];

    // Act
    const results = await Promise.all(
      cases.map(async (args) => {
        const child = cli(args);
        running.add(child);
        let stderr = '';
        child.stderr!.on('data', (chunk) => {
          stderr += chunk;
        });
        const [code] = await once(child, 'close');
        running.delete(child);
        return { code, stderr };
      }),
    );

    // Assess
    expect(results.map((r) => r.code)).toEqual([2, 2, 2]);
    expect(results[0]!.stderr).toContain("unknown option '--bogus'");
    expect(results[1]!.stderr).toContain("required option '--replication-group <id>' not specified");
    expect(results[2]!.stderr).toContain('expected a number of seconds > 0');
  });
});

describe.concurrent('failover-drill gate --fleet against the emulator', () => {
  it('runs the fleet state machine over two groups: exit 0, a JUnit test suite per target', async ({
    onTestFinished,
  }) => {
    // Prepare
    const emulator = await emulatorFor(onTestFinished, ['--groups', '2']);
    const ready = emulator.ready as Ready & { fleetStateMachineArn: string; groupIds: string[] };
    const targets = ready.groupIds.map((replicationGroupId) => ({ replicationGroupId }));

    // Act
    const run = await gate(
      emulator,
      'fleet-gate',
      ['--fleet'],
      { targets, drill: SHORT },
      ready.fleetStateMachineArn,
    );

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const fleet = run.report as unknown as {
      kind: string;
      verdict: string;
      targets: { runId: string; verdict: string }[];
    };
    expect(fleet).toMatchObject({ kind: 'fleet', verdict: 'pass' });
    expect(fleet.targets.map((t) => t.verdict)).toEqual(['pass', 'pass']);
    const suites = run.junit.testsuites.testsuite as unknown as { name: string }[];
    expect(suites.map((s) => s.name)).toEqual([
      'failover-drill.drill-demo-1.0001',
      'failover-drill.drill-demo-2.0001',
    ]);
    // Each target is a nested execution of the drill state machine, listed there with its own history.
    const sfn = new SFNClient(sdkTarget(ready));
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: ready.stateMachineArn }));
    sfn.destroy();
    expect(listed.executions?.map((e) => [e.name, e.status]).sort()).toEqual(
      fleet.targets.map((t) => [t.runId, 'SUCCEEDED']).sort(),
    );
  });
});
