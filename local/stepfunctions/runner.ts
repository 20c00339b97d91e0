import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import {
  FAULT_STOP_STATE_MACHINE_NAME,
  FLEET_STATE_MACHINE_NAME,
  LOCAL_ROLE_ARN,
  localArn,
  STATE_MACHINE_NAME,
} from '../account.js';
import { type LocalFunctionOptions, localFunction } from '../lambda/functions.js';
import { functionSpecs, loadTemplate, PROJECT_ROOT, substitutions } from '../template.js';
import { type SdkIntegrationService, sdkIntegration } from './sdk-integrations.js';

export const ASL_PATH = join(PROJECT_ROOT, 'statemachines/failover-drill.asl.json');
export const FLEET_ASL_PATH = join(PROJECT_ROOT, 'statemachines/failover-drill-fleet.asl.json');
export const FAULT_STOP_ASL_PATH = join(PROJECT_ROOT, 'statemachines/failover-drill-stop-fault.asl.json');

/** The service integration that runs another state machine to its end, input and output as JSON. */
export const START_EXECUTION_SYNC_2 = 'arn:aws:states:::states:startExecution.sync:2';

/** Step Functions refuses state payloads over 256 KB; the local run does too, so no design relies on more. */
const PAYLOAD_LIMIT_BYTES = 256 * 1024;

export class PayloadTooLargeError extends Error {
  constructor(state: string, bytes: number) {
    super(`${state} produced ${bytes} bytes, over the 256 KB Step Functions payload limit`);
    this.name = 'States.DataLimitExceeded';
  }
}

const FUNCTION_ARN_PREFIX = localArn.lambda('');

type JSONValue = Parameters<StateMachine['run']>[0];
type RunContext = NonNullable<NonNullable<Parameters<StateMachine['run']>[1]>['context']>;
/** The library's event log entries (its type is not exported). */
export type EventLog = Awaited<ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>>['value'] & {
  type: string;
};

/**
 * What the library does not log: the invocation behind each Task (a Lambda function, or a service
 * integration such as `states:startExecution.sync:2`). Its failures and timeouts come from the
 * library's StateFailed. execution-history.ts names them as AWS does for the resource.
 */
export type InvocationEvent =
  | {
      type: 'InvocationScheduled';
      timestamp: number;
      state: string;
      resource: string;
      input: unknown;
      timeoutSeconds?: number;
    }
  | { type: 'InvocationStarted'; timestamp: number; state: string; resource: string }
  | { type: 'InvocationSucceeded'; timestamp: number; state: string; resource: string; output: unknown };

export type RunnerEvent = EventLog | InvocationEvent;

interface AslState {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  Branches?: { States: Record<string, AslState> }[];
  /** A Map's iteration (Iterator is its older name). */
  ItemProcessor?: { States: Record<string, AslState> };
  Iterator?: { States: Record<string, AslState> };
}

/**
 * Every state, Parallel branches and Map iterations included, by name (names are unique across a
 * definition's branches).
 */
export function allStates(states: Record<string, AslState>): Map<string, AslState> {
  const found = new Map<string, AslState>();
  for (const [name, state] of Object.entries(states)) {
    found.set(name, state);
    const inner = [...(state.Branches ?? []), state.ItemProcessor ?? state.Iterator].filter(
      (b): b is { States: Record<string, AslState> } => b !== undefined,
    );
    for (const branch of inner) for (const entry of allStates(branch.States)) found.set(...entry);
  }
  return found;
}

/** A JSON round trip, as Lambda's and Step Functions' own serialisation; measured against the limit. */
function overTheWire(state: string, value: unknown): JSONValue {
  const text = JSON.stringify(value ?? null);
  const bytes = Buffer.byteLength(text);
  if (bytes > PAYLOAD_LIMIT_BYTES) throw new PayloadTooLargeError(state, bytes);
  return JSON.parse(text) as JSONValue;
}

/** Lets the library's event queue drain (it is read in microtasks), so that events keep their order. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export interface ExecutionOutcome {
  status: ExecutionStatus;
  output?: unknown;
  error?: string;
  cause?: string;
  /** The output of every state that exited, by name (the last one wins in a loop). */
  outputs: Record<string, unknown>;
  transitions: number;
  /** The largest input or output of each state that ran, in bytes of JSON (Step Functions' limit: 256 KB). */
  stateBytes: Record<string, number>;
  startedAt: number;
  stoppedAt: number;
}

export interface RunOptions {
  executionName: string;
  onEvent?: (event: RunnerEvent) => void;
}

export type DrillMachineOptions = LocalFunctionOptions & {
  /** The local services the AWS SDK integrations (`aws-sdk:<service>:<action>` Tasks) call, by service name. */
  sdk?: Record<string, SdkIntegrationService>;
  /** Runs a `startExecution.sync:2` Task: a nested execution in a local Step Functions (nested.ts). */
  startExecutionSync?: (parameters: unknown) => Promise<unknown>;
};

export type StateMachineType = 'STANDARD' | 'EXPRESS';

/** A state machine ready to run locally: its deployed definition and a local handler per Task state. */
export interface LocalStateMachine {
  name: string;
  arn: string;
  type: StateMachineType;
  /** The definition as deployed (substitutions applied), as DescribeStateMachine returns it. */
  definition: string;
  roleArn: string;
  /** Task state → its Resource (a Lambda function ARN or a service integration) and timeout. */
  tasks: Map<string, { resource: string; timeoutSeconds?: number }>;
  states: Map<string, AslState>;
  handlers: Record<string, (input: JSONValue) => Promise<JSONValue>>;
  /** The ARN of an execution of this machine. */
  executionArn(name: string): string;
}

export interface RunningExecution {
  /** Stops the execution as StopExecution does: no state is entered after it. */
  abort(): void;
  outcome: Promise<ExecutionOutcome>;
}

export interface StateMachineSource {
  name: string;
  /** The definition as deployed: ASL JSON with every substitution applied. */
  definition: string;
  /** A local handler for every Task state, by state name (the Lambda function behind it). */
  handlers: Record<string, (input: JSONValue) => Promise<unknown>>;
  roleArn?: string;
  /** STANDARD unless told (the template's `Type`). */
  type?: StateMachineType;
}

/** A state machine of the local account: its states, which Tasks are Lambda functions, their handlers. */
export function localStateMachine(source: StateMachineSource): LocalStateMachine {
  const states = allStates((JSON.parse(source.definition) as { States: Record<string, AslState> }).States);
  const tasks: LocalStateMachine['tasks'] = new Map();
  const handlers: LocalStateMachine['handlers'] = {};
  for (const [stateName, state] of states) {
    if (state.Type !== 'Task') continue;
    const handler = source.handlers[stateName];
    if (!handler) throw new Error(`${source.name}: no local handler for the Task state ${stateName}`);
    tasks.set(stateName, { resource: state.Resource ?? '', timeoutSeconds: state.TimeoutSeconds });
    handlers[stateName] = async (event) =>
      overTheWire(stateName, await handler(overTheWire(stateName, event)));
  }
  const type = source.type ?? 'STANDARD';
  return {
    name: source.name,
    arn: localArn.stateMachine(source.name),
    type,
    definition: source.definition,
    roleArn: source.roleArn ?? LOCAL_ROLE_ARN,
    tasks,
    states,
    handlers,
    executionArn: (execution) =>
      type === 'EXPRESS'
        ? localArn.expressExecution(execution, source.name)
        : localArn.execution(execution, source.name),
  };
}

/**
 * The drill's state machine from the project's real ASL file, each Task mapped (through the SAM
 * template's DefinitionSubstitutions and esbuild entry points) to the same handler module that Lambda
 * runs, middlewares included, with a Lambda-like context; its nested stop-fault execution run by
 * `options.startExecutionSync`.
 */
export function drillStateMachine(options: DrillMachineOptions = {}): LocalStateMachine {
  return templateMachine('DrillStateMachine', options);
}

/** The fleet's: each target a nested drill execution (`options.startExecutionSync`), its Lambdas as above. */
export function fleetStateMachine(options: DrillMachineOptions = {}): LocalStateMachine {
  return templateMachine('FleetStateMachine', options);
}

/** fis-az-power's power back (EXPRESS): its aws-sdk:fis:* Tasks against `options.sdk.fis`. */
export function faultStopStateMachine(options: DrillMachineOptions = {}): LocalStateMachine {
  return templateMachine('FaultStopStateMachine', options);
}

/** The local name of each state machine of the template, by logical id. */
const MACHINE_NAMES: Record<string, string> = {
  DrillStateMachine: STATE_MACHINE_NAME,
  FleetStateMachine: FLEET_STATE_MACHINE_NAME,
  FaultStopStateMachine: FAULT_STOP_STATE_MACHINE_NAME,
};

/** A state machine of the template: its ASL file and type as the template gives them (DefinitionUri, Type). */
function templateMachine(logicalId: string, options: DrillMachineOptions): LocalStateMachine {
  const properties = loadTemplate().Resources[logicalId]?.Properties as
    | { DefinitionUri: string; Type?: StateMachineType }
    | undefined;
  if (!properties) throw new Error(`template.yaml has no state machine ${logicalId}`);
  const { definition, handlers } = deployedMachine(
    join(PROJECT_ROOT, properties.DefinitionUri),
    logicalId,
    options,
  );
  return localStateMachine({
    name: MACHINE_NAMES[logicalId]!,
    definition,
    handlers,
    type: properties.Type ?? 'STANDARD',
  });
}

/**
 * A state machine of the template as deployed: its ASL with every `${Name}` substituted (a function's
 * ARN, another state machine's, a role's), and a handler for each Task whose Resource is one of the template's
 * functions, an AWS SDK integration (with `options.sdk`) or `startExecution.sync:2` (with
 * `options.startExecutionSync`).
 */
export function deployedMachine(
  aslPath: string,
  machineId: string,
  options: DrillMachineOptions = {},
): { definition: string; handlers: StateMachineSource['handlers'] } {
  const template = loadTemplate();
  const specs = functionSpecs(template);
  const subs = substitutions(template, machineId);
  const definition = readFileSync(aslPath, 'utf8').replace(/\$\{(\w+)\}/g, (_, name: string) => {
    const logicalId = subs[name] ?? name;
    const machine = MACHINE_NAMES[logicalId];
    if (machine) return localArn.stateMachine(machine);
    return template.Resources[logicalId]?.Type === 'AWS::IAM::Role'
      ? localArn.role(logicalId)
      : `${FUNCTION_ARN_PREFIX}${logicalId}`;
  });
  const handlers: StateMachineSource['handlers'] = {};
  for (const [stateName, state] of allStates(
    (JSON.parse(definition) as { States: Record<string, AslState> }).States,
  )) {
    if (state.Type !== 'Task' || !state.Resource) continue;
    const integration = sdkIntegration(state.Resource, options.sdk ?? {});
    if (integration) {
      handlers[stateName] = integration;
      continue;
    }
    if (state.Resource === START_EXECUTION_SYNC_2) {
      if (options.startExecutionSync) handlers[stateName] = options.startExecutionSync;
      continue;
    }
    if (!state.Resource.startsWith(FUNCTION_ARN_PREFIX)) continue;
    const spec = specs[state.Resource.slice(FUNCTION_ARN_PREFIX.length)];
    if (!spec) throw new Error(`${stateName}: no function in template.yaml for ${state.Resource}`);
    handlers[stateName] = localFunction(spec, options);
  }
  return { definition, handlers };
}

/** Starts one execution of `machine` in aws-local-stepfunctions; every event goes to `onEvent`, in order. */
export function startExecution(
  machine: LocalStateMachine,
  input: unknown,
  options: RunOptions,
): RunningExecution {
  const emit = (event: RunnerEvent) => options.onEvent?.(event);
  // An invocation the library gave up on (its timeout, the execution stopped) logs no success later.
  const invocations = new Map<string, number>();
  const abandoned = new Map<string, number>();
  let stopped = false;
  // Each Task's handler, wrapped in the invocation's own events (the library logs the state around them).
  const handlers: LocalStateMachine['handlers'] = {};
  for (const [state, handler] of Object.entries(machine.handlers)) {
    const task = machine.tasks.get(state);
    handlers[state] = !task
      ? handler
      : async (taskInput) => {
          const { resource } = task;
          await flush();
          const invocation = (invocations.get(state) ?? 0) + 1;
          invocations.set(state, invocation);
          emit({
            type: 'InvocationScheduled',
            timestamp: Date.now(),
            state,
            resource,
            input: taskInput,
            timeoutSeconds: task.timeoutSeconds,
          });
          emit({ type: 'InvocationStarted', timestamp: Date.now(), state, resource });
          const output = await handler(taskInput);
          await flush();
          if (!stopped && abandoned.get(state) !== invocation)
            emit({ type: 'InvocationSucceeded', timestamp: Date.now(), state, resource, output });
          return output;
        };
  }

  const sfn = new StateMachine(JSON.parse(machine.definition) as StateMachineDefinition, {
    validationOptions: { checkPaths: true, checkArn: false },
  });
  const startedAt = Date.now();
  const execution = sfn.run(overTheWire('input', input), {
    overrides: { taskResourceLocalHandlers: handlers },
    context: {
      // The library's context is fixed at the start; a getter gives `$$.State.EnteredTime` its moment,
      // read as the state's parameters are (aws-sdk:cloudwatch:getMetricData's EndTime).
      State: {
        get EnteredTime() {
          return new Date().toISOString();
        },
      } as unknown as RunContext['State'],
      Execution: {
        Id: machine.executionArn(options.executionName),
        Name: options.executionName,
        StartTime: new Date(startedAt).toISOString(),
        Input: input as RunContext['Execution'] extends { Input?: infer I } ? I : never,
        RoleArn: machine.roleArn,
      },
    },
  });

  const outputs: Record<string, unknown> = {};
  const stateBytes: Record<string, number> = {};
  const measure = (name: string, value: unknown) => {
    if (value === undefined) return;
    stateBytes[name] = Math.max(stateBytes[name] ?? 0, Buffer.byteLength(JSON.stringify(value)));
  };
  let transitions = 0;
  const logging = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered' || event.type === 'StateExited') {
        measure(event.state.name, event.state.input);
        measure(event.state.name, event.state.output);
      }
      if (event.type === 'StateEntered') transitions++;
      if (event.type === 'StateExited') outputs[event.state.name] = event.state.output;
      if (event.type === 'StateFailed')
        abandoned.set(event.state.name, invocations.get(event.state.name) ?? 0);
      if (event.type === 'ExecutionAborted' || event.type === 'ExecutionTimeout') stopped = true;
      emit(event);
    }
  })();

  const outcome = (async (): Promise<ExecutionOutcome> => {
    const ended = (status: ExecutionStatus, more: Partial<ExecutionOutcome> = {}): ExecutionOutcome => ({
      status,
      outputs,
      transitions,
      stateBytes,
      startedAt,
      stoppedAt: Date.now(),
      ...more,
    });
    try {
      const output = await execution.result;
      await logging;
      return ended('SUCCEEDED', { output });
    } catch (error) {
      await logging.catch(() => {});
      if (error instanceof ExecutionAbortedError) return ended('ABORTED');
      if (error instanceof ExecutionTimeoutError)
        return ended('TIMED_OUT', { error: 'States.Timeout', cause: 'the execution timed out' });
      const failure = error instanceof ExecutionError ? (error.cause as Error | undefined) : (error as Error);
      return ended('FAILED', {
        error: failure?.name ?? 'Error',
        cause: failure?.message ?? String(error),
      });
    }
  })();
  return {
    abort: () => {
      stopped = true;
      execution.abort();
    },
    outcome,
  };
}

/** Runs the drill's state machine once, to its end (`failover-drill local`, the benchmarks). */
export async function runStateMachine(
  input: unknown,
  options: RunOptions & DrillMachineOptions,
): Promise<ExecutionOutcome> {
  return startExecution(drillStateMachine(options), input, options).outcome;
}
