import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { LOCAL_ROLE_ARN, localArn } from '../account.js';
import { lambdaContext } from '../lambda/context.js';
import { handlerIn, lambdaHandlerModule } from '../lambda/handler-module.js';
import { functionSpecs, loadTemplate, PROJECT_ROOT, substitutions } from '../template.js';

export const ASL_PATH = join(PROJECT_ROOT, 'statemachines/failover-drill.asl.json');
export const FLEET_ASL_PATH = join(PROJECT_ROOT, 'statemachines/failover-drill-fleet.asl.json');

/** Step Functions refuses state payloads over 256 KB; the local run does too, so no design relies on more. */
const PAYLOAD_LIMIT_BYTES = 256 * 1024;

export class PayloadTooLargeError extends Error {
  constructor(state: string, bytes: number) {
    super(`${state} produced ${bytes} bytes, over the 256 KB Step Functions payload limit`);
    this.name = 'States.DataLimitExceeded';
  }
}

const FUNCTION_ARN_PREFIX = localArn.lambda('');

/** The handler module to load: the template's TypeScript entry, or its compiled .js in the installed package. */
const COMPILED = import.meta.url.endsWith('.js');
const moduleOf = (entry: string) => (COMPILED ? entry.replace(/\.ts$/, '.js') : entry);

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
type JSONValue = Parameters<StateMachine['run']>[0];
type RunContext = NonNullable<NonNullable<Parameters<StateMachine['run']>[1]>['context']>;
/** The library's event log entries (its type is not exported). */
export type EventLog = Awaited<ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>>['value'] & {
  type: string;
};

interface TaskState {
  Type: string;
  Resource?: string;
  Branches?: { States: Record<string, TaskState> }[];
}

/** Every Task state (Parallel branches included) and its Resource. */
function taskStates(states: Record<string, TaskState>): [string, string][] {
  return Object.entries(states).flatMap(([name, state]) => {
    const own: [string, string][] = state.Type === 'Task' && state.Resource ? [[name, state.Resource]] : [];
    return [...own, ...(state.Branches ?? []).flatMap((branch) => taskStates(branch.States))];
  });
}

/** A JSON round trip, as Lambda's and Step Functions' own serialisation; measured against the limit. */
function overTheWire(state: string, value: unknown): JSONValue {
  const text = JSON.stringify(value ?? null);
  const bytes = Buffer.byteLength(text);
  if (bytes > PAYLOAD_LIMIT_BYTES) throw new PayloadTooLargeError(state, bytes);
  return JSON.parse(text) as JSONValue;
}

export interface ExecutionOutcome {
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  cause?: string;
  /** The output of every state that exited, by name (the last one wins in a loop). */
  outputs: Record<string, unknown>;
  transitions: number;
  startedAt: number;
  stoppedAt: number;
}

export interface RunOptions {
  executionName: string;
  onEvent?: (event: EventLog) => void;
  /**
   * Run the built artifacts instead of the TypeScript modules: a directory with one task root per
   * function, named by logical id, as `sam build` writes `.aws-sam/build`.
   */
  bundles?: string;
}

/**
 * Runs the project's real ASL file with aws-local-stepfunctions, each Task mapped (through the
 * SAM template's DefinitionSubstitutions and esbuild entry points) to the same handler module
 * that Lambda runs, middlewares included, with a Lambda-like context.
 */
export async function runStateMachine(input: unknown, options: RunOptions): Promise<ExecutionOutcome> {
  const template = loadTemplate();
  const specs = functionSpecs(template);
  const subs = substitutions(template);
  const asl = readFileSync(ASL_PATH, 'utf8');
  // As at deploy: every ${Name} becomes the ARN of the function the template substitutes for it.
  const definition = JSON.parse(
    asl.replace(/\$\{(\w+)\}/g, (_, name: string) => `${FUNCTION_ARN_PREFIX}${subs[name] ?? name}`),
  ) as StateMachineDefinition & { States: Record<string, TaskState> };

  const handlers: Record<string, (input: JSONValue) => Promise<JSONValue>> = {};
  for (const [stateName, resource] of taskStates(definition.States)) {
    const spec = specs[resource.slice(FUNCTION_ARN_PREFIX.length)];
    if (!spec) throw new Error(`${stateName}: no function in template.yaml for ${resource}`);
    const target = options.bundles
      ? lambdaHandlerModule(join(options.bundles, spec.logicalId), spec.handler)
      : { file: join(PROJECT_ROOT, moduleOf(spec.entry)), path: [spec.exportName] };
    const handler = handlerIn(await import(pathToFileURL(target.file).href), target) as Handler;
    handlers[stateName] = async (event) =>
      overTheWire(
        stateName,
        await handler(
          overTheWire(stateName, event),
          lambdaContext(spec.logicalId, spec.timeoutSeconds * 1000, Date.now, spec.memoryMb),
        ),
      );
  }

  const machine = new StateMachine(definition, { validationOptions: { checkPaths: true, checkArn: false } });
  const startedAt = Date.now();
  const execution = machine.run(overTheWire('input', input), {
    overrides: { taskResourceLocalHandlers: handlers },
    context: {
      Execution: {
        Id: localArn.execution(options.executionName),
        Name: options.executionName,
        StartTime: new Date(startedAt).toISOString(),
        Input: input as RunContext['Execution'] extends { Input?: infer I } ? I : never,
        RoleArn: LOCAL_ROLE_ARN,
      },
    },
  });

  const outputs: Record<string, unknown> = {};
  let transitions = 0;
  const logging = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') transitions++;
      if (event.type === 'StateExited') outputs[event.state.name] = event.state.output;
      options.onEvent?.(event);
    }
  })();

  try {
    const output = await execution.result;
    await logging;
    return { status: 'SUCCEEDED', output, outputs, transitions, startedAt, stoppedAt: Date.now() };
  } catch (error) {
    await logging.catch(() => {});
    const failure = error instanceof ExecutionError ? (error.cause as Error | undefined) : (error as Error);
    return {
      status: 'FAILED',
      error: failure?.name ?? 'Error',
      cause: failure?.message ?? String(error),
      outputs,
      transitions,
      startedAt,
      stoppedAt: Date.now(),
    };
  }
}
