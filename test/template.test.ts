import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASL_PATH, FAULT_STOP_ASL_PATH, FLEET_ASL_PATH } from '../local/stepfunctions/runner.js';
import { functionSpecs, loadTemplate, PROJECT_ROOT, substitutions } from '../local/template.js';

const template = loadTemplate();
const specs = functionSpecs(template);
const aslText = readFileSync(ASL_PATH, 'utf8');

/** IAM service prefix of each SDK client package the functions use. */
const IAM_PREFIX: Record<string, string> = {
  elasticache: 'elasticache',
  sns: 'sns',
  cloudwatch: 'cloudwatch',
  s3: 's3',
  sfn: 'states',
  'secrets-manager': 'secretsmanager',
};

/** SDK commands authorised under another IAM action name. */
const IAM_ACTION: Record<string, string> = {
  's3:ListObjectsV2': 's3:ListBucket',
  'lambda:Invoke': 'lambda:InvokeFunction',
};

/** The project files a module reaches through value imports (type-only imports are erased). */
function importClosure(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const source = readFileSync(join(PROJECT_ROOT, entry), 'utf8');
  for (const match of source.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+'(\.{1,2}\/[^']+)'/gms)) {
    if (match[1]) continue;
    const target = join(dirname(entry), match[2]!.replace(/\.js$/, '.ts'));
    importClosure(target, seen);
  }
  return seen;
}

/** `elasticache:TestFailover` for every `TestFailoverCommand` value-imported from an SDK client. */
function awsActions(files: Set<string>): string[] {
  const actions = new Set<string>();
  for (const file of files) {
    const source = readFileSync(join(PROJECT_ROOT, file), 'utf8');
    for (const match of source.matchAll(
      /import\s+(type\s+)?\{([^}]*)\}\s+from\s+'@aws-sdk\/client-([a-z0-9-]+)'/gms,
    )) {
      if (match[1]) continue;
      for (const specifier of match[2]!.split(',').map((s) => s.trim())) {
        const name = specifier.match(/^(\w+)Command$/)?.[1];
        const action = `${IAM_PREFIX[match[3]!] ?? match[3]}:${name}`;
        if (name) actions.add(IAM_ACTION[action] ?? action);
      }
    }
  }
  return [...actions].sort();
}

interface Statement {
  Effect: string;
  Action: string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, string>>;
}

type Policy = { Statement?: Statement[] } | { 'Fn::If': [string, { Statement?: Statement[] }, unknown] };

/** A function's statements; a conditional policy (`!If [Cond, policy, AWS::NoValue]`) as when it applies. */
function statements(logicalId: string): Statement[] {
  const policies = (template.Resources[logicalId]?.Properties?.Policies ?? []) as Policy[];
  return policies.flatMap((p) => ('Fn::If' in p ? p['Fn::If'][1] : p).Statement ?? []);
}

/** Each state machine of the template and its ASL file. */
const MACHINES = [
  ['DrillStateMachine', aslText],
  ['FleetStateMachine', readFileSync(FLEET_ASL_PATH, 'utf8')],
  ['FaultStopStateMachine', readFileSync(FAULT_STOP_ASL_PATH, 'utf8')],
] as const;

/** `fis:<Action>` for each aws-sdk:fis Task of an ASL text. */
const fisActionsOf = (asl: string) =>
  [...asl.matchAll(/"arn:aws:states:::aws-sdk:fis:(\w+)"/g)].map(
    (m) => `fis:${m[1]!.charAt(0).toUpperCase()}${m[1]!.slice(1)}`,
  );

describe.each(MACHINES)('%s definition', (machineId, aslText) => {
  it('passes asl-validator', () => {
    // Prepare
    const validator = createRequire(import.meta.url)('asl-validator') as (
      definition: unknown,
      options?: unknown,
    ) => { isValid: boolean; errorsText: () => string };

    // Act
    // As at deploy time: the definition is validated with its substitutions made.
    const substituted = aslText.replace(/\$\{(\w+)\}/g, (_, name: string) =>
      name.endsWith('StateMachineArn')
        ? `arn:aws:states:us-east-1:123456789012:stateMachine:${name}`
        : name.endsWith('RoleArn')
          ? `arn:aws:iam::123456789012:role/${name}`
          : `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    );
    const result = validator(JSON.parse(substituted), { checkPaths: true, checkArn: true });

    // Assess
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('uses every DefinitionSubstitution, and the template substitutes every placeholder', () => {
    // Prepare
    const used = new Set([...aslText.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));

    // Act
    const provided = new Set(Object.keys(substitutions(template, machineId)));

    // Assess
    expect([...used].sort()).toEqual([...provided].sort());
  });
});

describe('template.yaml', () => {
  it('points every function at a handler module that exists and exports it', async () => {
    // Prepare
    const entries = Object.values(specs);

    // Act
    const modules = await Promise.all(
      entries.map(async (spec) => (await import(join(PROJECT_ROOT, spec.entry))) as Record<string, unknown>),
    );

    // Assess
    expect(entries.length).toBe(15);
    entries.forEach((spec, i) => {
      expect(existsSync(join(PROJECT_ROOT, spec.entry)), spec.entry).toBe(true);
      expect(typeof modules[i]![spec.exportName], spec.entry).toBe('function');
    });
  });

  it.each(Object.keys(specs))('%s is allowed exactly the AWS calls its code makes', (logicalId) => {
    // Prepare
    const closure = importClosure(specs[logicalId]!.entry);

    // Act
    const called = awsActions(closure);
    const allowed = [
      ...new Set(
        statements(logicalId)
          .filter((s) => s.Effect === 'Allow')
          .flatMap((s) => s.Action),
      ),
    ].sort();

    // Assess
    expect(allowed, `files: ${[...closure].map((f) => relative('.', f)).join(', ')}`).toEqual(called);
  });

  it('lets the drill state machine call exactly the FIS actions its aws-sdk Tasks name, and pass only the FIS role', () => {
    // Prepare
    const sdkActions = fisActionsOf(aslText);

    // Act
    const granted = statements('DrillStateMachine').flatMap((s) => s.Action);
    const passRole = statements('DrillStateMachine').filter((s) => s.Action.includes('iam:PassRole'));
    const trust = template.Resources.FisExperimentRole?.Properties?.AssumeRolePolicyDocument as {
      Statement: { Principal: { Service: string } }[];
    };

    // Assess: the tags the template and experiment are created with need TagResource too
    expect(granted.filter((a) => a.startsWith('fis:')).sort()).toEqual(
      [...new Set([...sdkActions, 'fis:TagResource'])].sort(),
    );
    expect(passRole).toHaveLength(1);
    expect(passRole[0]!.Resource).toEqual({ 'Fn::GetAtt': ['FisExperimentRole', 'Arn'] });
    expect(passRole[0]!.Condition?.StringEquals?.['iam:PassedToService']).toBe('fis.amazonaws.com');
    expect(trust.Statement.map((s) => s.Principal.Service)).toEqual(['fis.amazonaws.com']);
  });

  it('runs the stop-fault state machine (EXPRESS) from the drill and the reaper, and lets it call exactly its FIS actions', () => {
    // Prepare
    const stopAsl = readFileSync(FAULT_STOP_ASL_PATH, 'utf8');
    const machine = template.Resources.FaultStopStateMachine?.Properties as { Type: string };
    const onIt = (id: string) =>
      statements(id)
        .filter((s) => JSON.stringify(s.Resource).includes('FaultStopStateMachine'))
        .flatMap((s) => s.Action)
        .sort();

    // Act
    const granted = statements('FaultStopStateMachine').flatMap((s) => s.Action);
    const reaperEnv = (
      template.Resources.ReaperFunction!.Properties as {
        Environment: { Variables: Record<string, unknown> };
      }
    ).Environment.Variables;

    // Assess
    expect(machine.Type).toBe('EXPRESS');
    expect(granted.filter((a) => a.startsWith('fis:')).sort()).toEqual(
      [...new Set(fisActionsOf(stopAsl))].sort(),
    );
    // startExecution.sync:2: start it, follow it, stop it with the drill.
    expect(onIt('DrillStateMachine')).toEqual([
      'states:DescribeExecution',
      'states:StartExecution',
      'states:StopExecution',
    ]);
    expect(onIt('ReaperFunction')).toEqual(['states:StartSyncExecution']);
    expect(reaperEnv.FAULT_STOP_STATE_MACHINE_ARN).toEqual({ Ref: 'FaultStopStateMachine' });
    expect(aslText).toContain(`"StateMachineArn": "\${FaultStopStateMachineArn}"`);
  });

  it('grants no wildcard actions, and TestFailover only on groups that opted in', () => {
    // Prepare
    const all = Object.keys(template.Resources).flatMap((id) => statements(id));

    // Act
    const testFailover = all.filter((s) => s.Action.includes('elasticache:TestFailover'));

    // Assess
    for (const s of all.filter((s) => s.Effect === 'Allow'))
      for (const a of s.Action) expect(a).not.toMatch(/\*/);
    expect(testFailover).toHaveLength(1);
    expect(testFailover[0]!.Condition?.StringEquals?.['aws:ResourceTag/failover-drill:allowed']).toBe('true');
  });

  it('reads the Redis secret by its ARN parameter, only in the functions that connect to Redis, never by environment', () => {
    // Prepare
    const readers = Object.keys(specs).filter((id) =>
      statements(id).some((s) => s.Action.includes('secretsmanager:GetSecretValue')),
    );

    // Act
    const grants = readers.flatMap((id) =>
      statements(id).filter((s) => s.Action.includes('secretsmanager:GetSecretValue')),
    );
    const environments = Object.keys(specs).map(
      (id) =>
        (template.Resources[id]?.Properties?.Environment as { Variables?: object } | undefined)?.Variables ??
        {},
    );

    // Assess
    expect(readers.sort()).toEqual([
      'AwaitProbeFunction',
      'ChangeFinishedFunction',
      'CleanupFunction',
      'RegionFailoverFunction',
      'VerifyFunction',
      'WriteFunction',
    ]);
    for (const grant of grants) {
      expect(grant.Action).toEqual(['secretsmanager:GetSecretValue']);
      expect(grant.Resource).toEqual({ Ref: 'RedisSecretArn' });
    }
    expect(template.Parameters).not.toHaveProperty('RedisPassword');
    for (const parameter of Object.values(template.Parameters ?? {}))
      expect(parameter).not.toHaveProperty('NoEcho');
    for (const variables of [...environments, template.Globals?.Function?.Environment ?? {}])
      expect(JSON.stringify(variables)).not.toMatch(/PASSWORD|AUTH_TOKEN/i);
  });

  it('runs data-plane functions in the VPC and control-plane functions outside it', () => {
    // Prepare
    const inVpc = (id: string) => template.Resources[id]?.Properties?.VpcConfig !== undefined;

    // Act
    const vpc = Object.keys(specs).filter(inVpc).sort();

    // Assess
    expect(vpc).toEqual([
      'AwaitProbeFunction',
      'ChangeFinishedFunction',
      'CleanupFunction',
      'RegionFailoverFunction',
      'VerifyFunction',
      'WriteFunction',
    ]);
  });
});
