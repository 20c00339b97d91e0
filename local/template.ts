import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, type Tags } from 'yaml';

/** The project's root (template.yaml, statemachines/, functions/). */
export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

const INTRINSICS = [
  'Ref',
  'Sub',
  'GetAtt',
  'Not',
  'Equals',
  'If',
  'Join',
  'Select',
  'Split',
  'And',
  'Or',
  'Condition',
  'FindInMap',
  'ImportValue',
  'Base64',
  'GetAZs',
  'Cidr',
];

// CloudFormation's short forms (!Ref, !Sub …) become their long forms ({ Ref }, { 'Fn::Sub' } …).
const cfnTags: Tags = INTRINSICS.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  const shape = (value: unknown) => ({
    [key]: name === 'GetAtt' && typeof value === 'string' ? value.split('.') : value,
  });
  return (['scalar', 'seq', 'map'] as const).map((kind) => ({
    tag: `!${name}`,
    collection: kind === 'scalar' ? undefined : kind,
    resolve: (value: unknown) =>
      shape(
        typeof value === 'object' && value !== null && 'toJSON' in value
          ? (value as { toJSON: () => unknown }).toJSON()
          : value,
      ),
  })) as Tags;
});

export interface Template {
  Parameters?: Record<string, unknown>;
  Globals?: { Function?: Record<string, unknown> };
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
  Outputs?: Record<string, unknown>;
}

export function loadTemplate(path = `${PROJECT_ROOT}template.yaml`): Template {
  return parse(readFileSync(path, 'utf8'), { customTags: cfnTags }) as Template;
}

export interface FunctionSpec {
  logicalId: string;
  /** The TypeScript module esbuild bundles, relative to the project root. */
  entry: string;
  /** The Handler setting (`handler.handler`): the module in the built artifact and its export. */
  handler: string;
  exportName: string;
  timeoutSeconds: number;
  memoryMb: number;
}

/** The Lambda functions of the template, as the local cloud runs them. */
export function functionSpecs(template: Template): Record<string, FunctionSpec> {
  const globalTimeout = Number(template.Globals?.Function?.Timeout ?? 3);
  const globalMemory = Number(template.Globals?.Function?.MemorySize ?? 128);
  const globalHandler = template.Globals?.Function?.Handler;
  const specs: Record<string, FunctionSpec> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Serverless::Function') continue;
    const props = resource.Properties ?? {};
    const build = (resource.Metadata?.BuildProperties ?? {}) as { EntryPoints?: string[] };
    const [entry] = build.EntryPoints ?? [];
    if (!entry) throw new Error(`${logicalId} has no esbuild entry point`);
    const handler = String(props.Handler ?? globalHandler);
    specs[logicalId] = {
      logicalId,
      entry,
      handler,
      exportName: handler.split('.').pop() ?? 'handler',
      timeoutSeconds: Number(props.Timeout ?? globalTimeout),
      memoryMb: Number(props.MemorySize ?? globalMemory),
    };
  }
  return specs;
}

/** DefinitionSubstitutions of a state machine: `${Name}` → the logical id of the function (or state machine). */
export function substitutions(template: Template, machineId = 'DrillStateMachine'): Record<string, string> {
  const machine = template.Resources[machineId];
  const subs = (machine?.Properties?.DefinitionSubstitutions ?? {}) as Record<
    string,
    { 'Fn::GetAtt'?: string[]; Ref?: string }
  >;
  return Object.fromEntries(
    Object.entries(subs).map(([name, value]) => [name, value['Fn::GetAtt']?.[0] ?? value.Ref ?? '']),
  );
}
