/**
 * The registry's contract: every fault source provides every part `FaultSource` names, and the drill's ASL
 * gives each registered source exactly one rule of the source Choice and one branch of its own, no more.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { choiceRule, FAULT_SOURCES, type FaultSource, faultSchema } from './index.js';

interface AslState {
  Type: string;
  Next?: string;
  Default?: string;
  End?: boolean;
  Choices?: (Record<string, unknown> & { Next: string })[];
  Catch?: { Next: string }[];
  Branches?: { StartAt: string; States: Record<string, AslState> }[];
}

const asl = JSON.parse(
  readFileSync(new URL('../../../../statemachines/failover-drill.asl.json', import.meta.url), 'utf8'),
) as { States: Record<string, AslState> };
/** The Drill's branch that injects the fault (the other one writes). */
const faultBranch = asl.States.Drill!.Branches!.find((b) => b.StartAt === 'FaultSource')!;
const ROUTING_CHOICES = ['FaultSource', 'InjectFault'];
/** Where every source that injects a fault rejoins the frame: the recovery read from ElastiCache's events. */
const REJOIN = 'AwaitRecovery';

const sources: readonly FaultSource[] = FAULT_SOURCES;
/** The fields an object form cannot go without (its other fields have defaults). */
const REQUIRED: Record<string, object> = {
  reshard: { nodeGroupCount: 3 },
  scale: { cacheNodeType: 'cache.r7g.large' },
  'engine-upgrade': { engineVersion: '7.1' },
  replicas: { newReplicaCount: 2 },
  'global-failover': {
    globalReplicationGroupId: 'ldgnf-orders',
    secondaryRegion: 'eu-west-1',
    secondaryReplicationGroupId: 'orders-secondary',
  },
};

function nextStates(state: AslState): string[] {
  return [
    state.Next,
    state.Default,
    ...(state.Choices ?? []).map((c) => c.Next),
    ...(state.Catch ?? []).map((c) => c.Next),
  ].filter((n): n is string => n !== undefined);
}

/** The states reached from `entry` before the frame (states no source owns); and the frame states reached. */
function walk(entry: string, frame: Set<string>): { states: Set<string>; exits: Set<string>; ends: boolean } {
  const states = new Set<string>();
  const exits = new Set<string>();
  let ends = false;
  const todo = [entry];
  while (todo.length > 0) {
    const name = todo.pop()!;
    if (frame.has(name)) exits.add(name);
    if (frame.has(name) || states.has(name)) continue;
    states.add(name);
    const state = faultBranch.States[name]!;
    // A Fail state ends the branch too: the Parallel's Catch takes it from there.
    if (state.End || state.Type === 'Fail') ends = true;
    todo.push(...nextStates(state));
  }
  return { states, exits, ends };
}

describe('the fault source registry', () => {
  it.each(sources.map((s) => [s.name, s] as const))('%s provides every part', (_, source) => {
    // Act
    const parts = Object.keys(source).sort();

    // Assess
    expect(parts).toEqual(
      [
        'asl',
        'checkRequest',
        'guardrails',
        'name',
        'recovery',
        'report',
        'schema',
        'start',
        'summary',
        'undo',
      ].sort(),
    );
    expect(source.summary).not.toBe('');
    expect(typeof source.checkRequest).toBe('function');
    expect(typeof source.guardrails.needsAutomaticFailover).toBe('boolean');
    expect(typeof source.guardrails.spendsTestFailoverBudget).toBe('boolean');
    expect(typeof source.guardrails.judge).toBe('function');
    expect(['lambda', 'sdk-integration', 'nothing']).toContain(source.start.by);
    expect(source.recovery.endedBy).not.toBe('');
    expect(['events', 'change', 'writer']).toContain(source.recovery.recoveredBy);
    expect(source.undo === null || typeof source.undo.left === 'function').toBe(true);
    expect(typeof source.report.injects).toBe('boolean');
    expect(source.report.requested).not.toBe('');
    expect(typeof source.report.dryRun).toBe('function');
    expect(source.asl.branch[0]).toBe(source.asl.entry);
  });

  it('has one source per name, each accepted by the request schema in its own form', () => {
    // Prepare
    const names = sources.map((s) => s.name);

    // Act
    const parsed = names.map((name) =>
      faultSchema.safeParse(name).success
        ? name
        : (faultSchema.parse({ source: name, ...REQUIRED[name] }) as { source: string }).source,
    );

    // Assess
    expect(new Set(names).size).toBe(names.length);
    expect(parsed).toEqual(names);
  });
});

describe('the drill ASL against the registry', () => {
  it('routes each registered source by exactly one rule to its own entry, and nothing else', () => {
    // Prepare
    const rules = ROUTING_CHOICES.flatMap((name) => faultBranch.States[name]!.Choices!);

    // Act
    const routed = sources.map((source) => {
      const { Next: _, ...expected } = { ...choiceRule(source), Next: '' };
      return rules.filter(({ Next, ...rule }) => JSON.stringify(rule) === JSON.stringify(expected));
    });

    // Assess
    expect(routed.map((r) => r.map((rule) => rule.Next))).toEqual(sources.map((s) => [s.asl.entry]));
    expect(rules).toHaveLength(sources.length);
  });

  it('gives each source one branch of its own that ends, or rejoins the frame at AwaitRecovery', () => {
    // Prepare
    const owned = sources.flatMap((s) => s.asl.branch);
    const frame = new Set(Object.keys(faultBranch.States).filter((name) => !owned.includes(name)));

    // Act
    const walked = sources.map((s) => walk(s.asl.entry, frame));

    // Assess
    expect(new Set(owned).size).toBe(owned.length);
    // A Default into a source's branch would be a second route to it.
    for (const name of ROUTING_CHOICES) {
      const fallback = faultBranch.States[name]!.Default;
      if (fallback !== undefined) expect(frame.has(fallback)).toBe(true);
    }
    for (const [i, source] of sources.entries()) {
      const { states, exits, ends } = walked[i]!;
      expect([...states].sort()).toEqual([...source.asl.branch].sort());
      // Injected faults and planned changes are read back from the control plane; observe-only leaves it to the writer.
      if (source.recovery.recoveredBy !== 'writer') expect([...exits]).toEqual([REJOIN]);
      else expect({ exits: [...exits], ends }).toEqual({ exits: [], ends: true });
      expect(faultBranch.States[source.start.state] ?? asl.States[source.start.state]).toBeDefined();
    }
  });

  it("places each source's states outside the fault branch, and the state its undo reads, in the ASL", () => {
    // Act
    const missing = sources.flatMap((s) =>
      [...s.asl.outside, ...(s.undo ? [s.undo.state] : [])].filter((name) => !asl.States[name]),
    );
    const unowned = sources
      .flatMap((s) => (s.undo ? [s.undo.state] : []))
      .filter((state) => !sources.some((s) => s.asl.outside.includes(state)));

    // Assess
    expect(missing).toEqual([]);
    expect(unowned).toEqual([]);
  });
});
