import { randomUUID } from 'node:crypto';
import type { ServiceRequest, ServiceResponse } from '../control-plane.js';
import { ExecutionHistory, type HistoryEvent } from './execution-history.js';
import {
  type ExecutionOutcome,
  type ExecutionStatus,
  type LocalStateMachine,
  type RunningExecution,
  startExecution,
} from './runner.js';

/**
 * Step Functions' JSON protocol (`AWSStepFunctions.*`, JSON 1.0) for the state machines added to it:
 * StartExecution, StartSyncExecution (EXPRESS only), StopExecution, DescribeExecution, GetExecutionHistory,
 * ListExecutions (STANDARD only), DescribeStateMachine, ListStateMachines. Executions run the real ASL locally (runner.ts); their
 * history is written as AWS writes it (execution-history.ts). `onExecutionEnd` is told of every execution
 * that ends, however it ends (an EventBridge-like hook).
 */

export const SFN_TARGET_PREFIX = 'AWSStepFunctions';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
/** Step Functions' limit on an execution's input (and every state's payload). */
const INPUT_LIMIT_BYTES = 256 * 1024;
const PAGE_DEFAULT = 100;
const PAGE_MAX = 1000;
const STATUSES = new Set(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']);

export class SfnFault extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** What the end hook is told: an execution as DescribeExecution shows it, times in epoch ms. */
export interface ExecutionSummary {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: Exclude<ExecutionStatus, never>;
  startDate: number;
  stopDate: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

/** An execution that ended, in this process's terms (epoch ms; input and output as values). */
export interface EndedExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate: number;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  transitions: number;
}

export interface LocalStepFunctionsOptions {
  /** Called once per execution, after its terminal history event. */
  onExecutionEnd?: (execution: ExecutionSummary) => void;
}

interface Machine {
  spec: LocalStateMachine;
  creationDate: number;
}

interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  startDate: number;
  status: 'RUNNING' | ExecutionStatus;
  outcome?: ExecutionOutcome;
  stop?: { error?: string; cause?: string };
  /** The execution that started this one as a nested .sync task (stopped with it). */
  startedBy?: string;
  history: ExecutionHistory;
  running: RunningExecution;
  done: Promise<void>;
}

const seconds = (ms: number) => ms / 1000;
const json = (value: unknown) => JSON.stringify(value ?? null);
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** Opaque paging tokens, bound to what they page (a token of another listing is InvalidToken). */
const token = {
  make: (scope: string, offset: number) =>
    Buffer.from(JSON.stringify({ scope, offset })).toString('base64url'),
  read(value: unknown, scope: string): number {
    if (value === undefined || value === null) return 0;
    try {
      const parsed = JSON.parse(Buffer.from(String(value), 'base64url').toString('utf8')) as {
        scope?: unknown;
        offset?: unknown;
      };
      if (parsed.scope === scope && Number.isInteger(parsed.offset) && Number(parsed.offset) >= 0)
        return Number(parsed.offset);
    } catch {
      // falls through to the fault
    }
    throw new SfnFault('InvalidToken', `Invalid Token: '${String(value)}'`);
  },
};

/** One page of `items`, as Step Functions pages its lists and histories (maxResults 0 = the default). */
function page<T>(
  items: T[],
  body: Record<string, unknown>,
  scope: string,
): { items: T[]; nextToken?: string } {
  const max = body.maxResults ?? 0;
  if (!Number.isInteger(max) || Number(max) < 0 || Number(max) > PAGE_MAX)
    throw new SfnFault('ValidationException', `maxResults must be an integer from 0 to ${PAGE_MAX}`);
  const size = Number(max) || PAGE_DEFAULT;
  const from = token.read(body.nextToken, scope);
  const end = from + size;
  return {
    items: items.slice(from, end),
    nextToken: end < items.length ? token.make(scope, end) : undefined,
  };
}

/** Drops execution data (inputs and outputs) from an event, for includeExecutionData: false. */
function withoutData(event: HistoryEvent): HistoryEvent {
  return Object.fromEntries(
    Object.entries(event).map(([key, value]) =>
      key.endsWith('EventDetails') && typeof value === 'object' && value !== null
        ? [
            key,
            Object.fromEntries(Object.entries(value).filter(([k]) => !/^(input|output)(Details)?$/.test(k))),
          ]
        : [key, value],
    ),
  ) as HistoryEvent;
}

/** An execution as ListExecutions shows it (DescribeExecution shows more). */
function listItem(e: Execution) {
  return {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: seconds(e.startDate),
    stopDate: e.outcome && seconds(e.outcome.stoppedAt),
  };
}

export class LocalStepFunctions {
  private readonly machines = new Map<string, Machine>();
  private readonly executions = new Map<string, Execution>();

  constructor(private readonly options: LocalStepFunctionsOptions = {}) {}

  /** Creates a state machine (as CreateStateMachine would); its creation date is now. */
  addStateMachine(spec: LocalStateMachine): string {
    this.machines.set(spec.arn, { spec, creationDate: Date.now() });
    return spec.arn;
  }

  /** Waits for every execution still running (the emulator drains them before it stops the cloud). */
  async drain(): Promise<void> {
    await Promise.all([...this.executions.values()].map((e) => e.done));
  }

  readonly handle = async (request: ServiceRequest): Promise<ServiceResponse> => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const action = target.startsWith(`${SFN_TARGET_PREFIX}.`)
      ? target.slice(SFN_TARGET_PREFIX.length + 1)
      : '';
    try {
      let body: Record<string, unknown> = {};
      try {
        if (request.body.length > 0)
          body = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
      } catch {
        throw new SfnFault('SerializationException', 'the request body is not JSON');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new SfnFault('SerializationException', 'the request body is not a JSON object');
      return {
        status: 200,
        headers: { 'content-type': CONTENT_TYPE },
        body: JSON.stringify(await this.act(action, body)),
      };
    } catch (error) {
      const fault = error instanceof SfnFault ? error : new SfnFault('InternalFailure', String(error), 500);
      return {
        status: fault.status,
        headers: { 'content-type': CONTENT_TYPE },
        body: JSON.stringify({ __type: `com.amazonaws.states#${fault.code}`, message: fault.message }),
      };
    }
  };

  private readonly actions: Record<string, (body: Record<string, unknown>) => unknown> = {
    StartExecution: (body) => this.start(body),
    StartSyncExecution: (body) => this.startSync(body),
    StopExecution: (body) => this.stop(body),
    DescribeExecution: (body) => this.describe(this.find(body.executionArn)),
    GetExecutionHistory: (body) => {
      const e = this.find(body.executionArn);
      const events = body.reverseOrder === true ? [...e.history.events].reverse() : e.history.events;
      const { items, nextToken } = page(events, body, `${e.executionArn}|${body.reverseOrder === true}`);
      return { events: body.includeExecutionData === false ? items.map(withoutData) : items, nextToken };
    },
    ListExecutions: (body) => {
      const machine = this.machine(body.stateMachineArn);
      if (machine.spec.type !== 'STANDARD')
        throw new SfnFault(
          'StateMachineTypeNotSupported',
          'ListExecutions is not supported by EXPRESS state machines',
        );
      const filter = body.statusFilter;
      if (filter !== undefined && !STATUSES.has(String(filter)))
        throw new SfnFault('ValidationException', `statusFilter must be one of ${[...STATUSES].join(', ')}`);
      // Newest first, as Step Functions lists them.
      const executions = [...this.executions.values()]
        .filter(
          (e) => e.stateMachineArn === machine.spec.arn && (filter === undefined || e.status === filter),
        )
        .reverse();
      const { items, nextToken } = page(executions, body, `${machine.spec.arn}|${String(filter)}`);
      return {
        executions: items.map(listItem),
        nextToken,
      };
    },
    DescribeStateMachine: (body) => {
      const { spec, creationDate } = this.machine(body.stateMachineArn);
      return {
        stateMachineArn: spec.arn,
        name: spec.name,
        status: 'ACTIVE',
        definition: spec.definition,
        roleArn: spec.roleArn,
        type: spec.type,
        creationDate: seconds(creationDate),
        loggingConfiguration: { level: 'OFF', includeExecutionData: false },
        tracingConfiguration: { enabled: false },
      };
    },
    ListStateMachines: (body) => {
      const { items, nextToken } = page([...this.machines.values()], body, 'stateMachines');
      return {
        stateMachines: items.map(({ spec, creationDate }) => ({
          stateMachineArn: spec.arn,
          name: spec.name,
          type: spec.type,
          creationDate: seconds(creationDate),
        })),
        nextToken,
      };
    },
  };

  /** The operations served, by their API names. */
  readonly operations = Object.keys(this.actions);

  private async act(action: string, body: Record<string, unknown>): Promise<unknown> {
    const run = Object.hasOwn(this.actions, action) ? this.actions[action] : undefined;
    if (!run) throw new SfnFault('UnknownOperationException', `unknown operation ${action || '(none)'}`);
    return run(body);
  }

  /**
   * Starts an execution in this process, exactly as StartExecution does (it is listed, has its history,
   * can be stopped), and resolves when it has ended: a nested execution, or `failover-drill local`'s.
   */
  async runToEnd(
    stateMachineArn: string,
    name: string,
    input: unknown,
    startedBy?: string,
  ): Promise<EndedExecution> {
    const { executionArn } = this.start({ stateMachineArn, name, input: JSON.stringify(input) }) as {
      executionArn: string;
    };
    const e = this.find(executionArn);
    e.startedBy = startedBy;
    await e.done;
    const outcome = e.outcome!;
    const failed = outcome.status !== 'SUCCEEDED';
    return {
      executionArn,
      stateMachineArn,
      name,
      status: outcome.status,
      startDate: e.startDate,
      stopDate: outcome.stoppedAt,
      input,
      output: failed ? undefined : outcome.output,
      error: failed ? (e.stop?.error ?? outcome.error) : undefined,
      cause: failed ? (e.stop?.cause ?? outcome.cause) : undefined,
      transitions: outcome.transitions,
    };
  }

  /** Every execution of a state machine, oldest first, as ListExecutions shows them. */
  executionsOf(
    stateMachineArn: string,
  ): { name: string; status: string; startDate: number; stopDate?: number }[] {
    return [...this.executions.values()].filter((e) => e.stateMachineArn === stateMachineArn).map(listItem);
  }

  private describe(e: Execution): unknown {
    const failed = e.outcome && e.outcome.status !== 'SUCCEEDED';
    return {
      ...listItem(e),
      input: e.input,
      inputDetails: { included: true },
      ...(e.outcome?.status === 'SUCCEEDED'
        ? { output: json(e.outcome.output), outputDetails: { included: true } }
        : {}),
      ...(failed
        ? { error: e.stop?.error ?? e.outcome?.error, cause: e.stop?.cause ?? e.outcome?.cause }
        : {}),
    };
  }

  private machine(arn: unknown): Machine {
    // A JSON object or number is no ARN: String() of an object whose toString is not callable throws.
    const value = text(arn) ?? '';
    if (!/^arn:aws[\w-]*:states:[\w-]+:\d{12}:stateMachine:[\w-]{1,80}$/.test(value))
      throw new SfnFault('InvalidArn', `Invalid Arn: '${value}'`);
    const machine = this.machines.get(value);
    if (!machine) throw new SfnFault('StateMachineDoesNotExist', `State Machine Does Not Exist: '${value}'`);
    return machine;
  }

  private find(arn: unknown): Execution {
    // A JSON object or number is no ARN: String() of an object whose toString is not callable throws.
    const value = text(arn) ?? '';
    if (
      !/^arn:aws[\w-]*:states:[\w-]+:\d{12}:(execution:[\w-]{1,80}|express:[\w-]{1,80}:[\w-]{1,80}):[\w-]{1,80}$/.test(
        value,
      )
    )
      throw new SfnFault('InvalidArn', `Invalid Arn: '${value}'`);
    const e = this.executions.get(value);
    if (!e) throw new SfnFault('ExecutionDoesNotExist', `Execution Does Not Exist: '${value}'`);
    return e;
  }

  /**
   * StartSyncExecution: an EXPRESS execution run to its end and described in the answer. A failed
   * execution is still a 200 with its error and cause, as the API documents.
   */
  private async startSync(body: Record<string, unknown>): Promise<unknown> {
    const machine = this.machine(body.stateMachineArn);
    if (machine.spec.type !== 'EXPRESS')
      throw new SfnFault(
        'StateMachineTypeNotSupported',
        'StartSyncExecution is not available for STANDARD workflows',
      );
    const { executionArn } = this.start(body) as { executionArn: string };
    const e = this.find(executionArn);
    await e.done;
    const outcome = e.outcome!;
    const failed = outcome.status !== 'SUCCEEDED';
    return {
      executionArn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      startDate: seconds(e.startDate),
      stopDate: seconds(outcome.stoppedAt),
      // SyncExecutionStatus has no ABORTED: an Express execution cannot be stopped.
      status: outcome.status === 'ABORTED' ? 'FAILED' : outcome.status,
      input: e.input,
      inputDetails: { included: true },
      ...(failed
        ? { error: outcome.error ?? 'States.Runtime', cause: outcome.cause ?? '' }
        : { output: json(outcome.output), outputDetails: { included: true } }),
      billingDetails: {
        billedMemoryUsedInMB: 64,
        billedDurationInMilliseconds: Math.max(100, Math.ceil((outcome.stoppedAt - e.startDate) / 100) * 100),
      },
    };
  }

  private start(body: Record<string, unknown>): unknown {
    const machine = this.machine(body.stateMachineArn);
    const name = body.name === undefined ? randomUUID() : String(body.name);
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new SfnFault('InvalidName', `Invalid Name: '${name}'`);
    const executionArn = machine.spec.executionArn(name);
    const inputText = body.input === undefined ? '{}' : String(body.input);
    const existing = this.executions.get(executionArn);
    // As Step Functions (standard): the same name and input while it runs is the same execution.
    if (existing?.status === 'RUNNING' && existing.input === inputText)
      return { executionArn, startDate: seconds(existing.startDate) };
    if (existing) throw new SfnFault('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    if (Buffer.byteLength(inputText) > INPUT_LIMIT_BYTES)
      throw new SfnFault('InvalidExecutionInput', 'Invalid State Machine Execution Input: over 256 KB');
    let input: unknown;
    try {
      input = JSON.parse(inputText);
    } catch {
      throw new SfnFault('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
    }
    const startDate = Date.now();
    const history = new ExecutionHistory(machine.spec);
    history.started(startDate, inputText);
    const running = startExecution(machine.spec, input, {
      executionName: name,
      onEvent: (event) => history.record(event),
    });
    const execution: Execution = {
      executionArn,
      stateMachineArn: machine.spec.arn,
      name,
      input: inputText,
      startDate,
      status: 'RUNNING',
      history,
      running,
      done: Promise.resolve(),
    };
    execution.done = running.outcome.then((outcome) => this.ended(execution, outcome));
    this.executions.set(executionArn, execution);
    return { executionArn, startDate: seconds(startDate) };
  }

  private ended(e: Execution, outcome: ExecutionOutcome): void {
    e.outcome = outcome;
    e.status = outcome.status;
    e.history.ended(outcome, e.stop);
    const failed = outcome.status !== 'SUCCEEDED';
    try {
      this.options.onExecutionEnd?.({
        executionArn: e.executionArn,
        stateMachineArn: e.stateMachineArn,
        name: e.name,
        status: outcome.status,
        startDate: e.startDate,
        stopDate: outcome.stoppedAt,
        input: e.input,
        output: failed ? undefined : json(outcome.output),
        error: failed ? (e.stop?.error ?? outcome.error) : undefined,
        cause: failed ? (e.stop?.cause ?? outcome.cause) : undefined,
      });
    } catch {
      // A listener's failure is its own; the execution has ended all the same.
    }
  }

  private async stop(body: Record<string, unknown>): Promise<unknown> {
    const e = this.find(body.executionArn);
    const error = text(body.error);
    const cause = text(body.cause);
    if (error !== undefined && error.length > 256)
      throw new SfnFault('ValidationException', 'error must be at most 256 characters');
    if (cause !== undefined && cause.length > 32768)
      throw new SfnFault('ValidationException', 'cause must be at most 32768 characters');
    if (e.status === 'RUNNING') {
      e.stop = { error, cause };
      e.running.abort();
      // The abort settles at once (a Lambda in flight runs on, as on AWS, but no state follows it).
      await e.done;
      // As with .sync on AWS: the executions it started and waits for are stopped with it.
      const nested = [...this.executions.values()].filter((n) => n.startedBy === e.executionArn);
      await Promise.all(nested.map((n) => this.stop({ executionArn: n.executionArn, error, cause })));
    }
    return { stopDate: seconds(e.outcome?.stoppedAt ?? Date.now()) };
  }
}
