import { randomUUID } from 'node:crypto';
import { LOCAL_ROLE_ARN, localArn, STATE_MACHINE_NAME } from '../account.js';
import type { ServiceRequest, ServiceResponse } from '../control-plane.js';
import { type EventLog, type ExecutionOutcome, runStateMachine } from './runner.js';

/**
 * Step Functions' JSON protocol for the one drill state machine, enough for `failover-drill gate`
 * and the console-like flow: StartExecution, DescribeExecution, GetExecutionHistory,
 * ListExecutions, DescribeStateMachine, ListStateMachines. Executions run the real ASL locally.
 */

class SfnFault extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

interface HistoryEvent {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

interface Execution {
  executionArn: string;
  name: string;
  input: string;
  startDate: number;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  outcome?: ExecutionOutcome;
  history: HistoryEvent[];
  done: Promise<void>;
}

const seconds = (ms: number) => ms / 1000;
const json = (value: unknown) => JSON.stringify(value ?? null);

/** A history event as Step Functions shapes it, from the local runner's event log. */
function historyEvent(event: EventLog): Omit<HistoryEvent, 'id' | 'previousEventId'> | undefined {
  const timestamp = seconds(event.timestamp);
  const state =
    'state' in event
      ? (event.state as { name: string; type: string; input?: unknown; output?: unknown })
      : undefined;
  // AWS names entered/exited events after the state's type: TaskStateEntered, ChoiceStateExited, …
  const kind =
    state?.type === 'Succeed' || state?.type === 'Fail' ? state.type : `${state?.type ?? 'Task'}State`;
  const failure = {
    resource: state?.name,
    error: (event as { Error?: string }).Error,
    cause: String((event as { Cause?: unknown }).Cause ?? ''),
  };
  switch (event.type) {
    case 'StateEntered':
      return {
        timestamp,
        type: `${kind}Entered`,
        stateEnteredEventDetails: { name: state?.name, input: json(state?.input) },
      };
    case 'StateExited':
      return {
        timestamp,
        type: `${kind}Exited`,
        stateExitedEventDetails: { name: state?.name, output: json(state?.output) },
      };
    case 'StateFailed':
    case 'StateCaught':
      return { timestamp, type: 'TaskFailed', taskFailedEventDetails: failure };
    case 'StateRetried':
      // As on AWS: after the failure, the task is scheduled again.
      return { timestamp, type: 'TaskScheduled', taskScheduledEventDetails: { resource: state?.name } };
    default:
      return undefined;
  }
}

export class LocalStepFunctions {
  readonly stateMachineArn = localArn.stateMachine;
  private readonly executions = new Map<string, Execution>();

  /** Waits for every execution still running (the emulator drains them before it stops the cloud). */
  async drain(): Promise<void> {
    await Promise.all([...this.executions.values()].map((e) => e.done));
  }

  readonly handle = async (request: ServiceRequest): Promise<ServiceResponse> => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const action = target.split('.')[1] ?? '';
    try {
      const body =
        request.body.length > 0 ? (JSON.parse(request.body.toString('utf8')) as Record<string, unknown>) : {};
      return {
        status: 200,
        headers: { 'content-type': 'application/x-amz-json-1.0' },
        body: JSON.stringify(this.act(action, body)),
      };
    } catch (error) {
      const fault =
        error instanceof SfnFault
          ? error
          : error instanceof SyntaxError
            ? new SfnFault('SerializationException', 'the request body is not JSON')
            : new SfnFault('InternalServerError', String(error));
      return {
        status: fault.code === 'InternalServerError' ? 500 : 400,
        headers: { 'content-type': 'application/x-amz-json-1.0' },
        body: JSON.stringify({ __type: `com.amazonaws.states#${fault.code}`, message: fault.message }),
      };
    }
  };

  private act(action: string, body: Record<string, unknown>): unknown {
    switch (action) {
      case 'StartExecution':
        return this.start(body);
      case 'DescribeExecution': {
        const e = this.find(body.executionArn);
        return {
          executionArn: e.executionArn,
          stateMachineArn: this.stateMachineArn,
          name: e.name,
          status: e.status,
          startDate: seconds(e.startDate),
          stopDate: e.outcome ? seconds(e.outcome.stoppedAt) : undefined,
          input: e.input,
          output: e.outcome?.status === 'SUCCEEDED' ? json(e.outcome.output) : undefined,
          error: e.outcome?.error,
          cause: e.outcome?.cause,
        };
      }
      case 'GetExecutionHistory': {
        const e = this.find(body.executionArn);
        const from = Number(body.nextToken ?? 0);
        const max = Math.min(Number(body.maxResults ?? 1000) || 1000, 1000);
        const events = body.reverseOrder ? [...e.history].reverse() : e.history;
        const page = events.slice(from, from + max);
        return { events: page, nextToken: from + max < events.length ? String(from + max) : undefined };
      }
      case 'ListExecutions':
        this.checkMachine(body.stateMachineArn);
        return {
          executions: [...this.executions.values()]
            .filter((e) => body.statusFilter === undefined || e.status === body.statusFilter)
            .map((e) => ({
              executionArn: e.executionArn,
              stateMachineArn: this.stateMachineArn,
              name: e.name,
              status: e.status,
              startDate: seconds(e.startDate),
            })),
        };
      case 'DescribeStateMachine':
        this.checkMachine(body.stateMachineArn);
        return {
          stateMachineArn: this.stateMachineArn,
          name: STATE_MACHINE_NAME,
          status: 'ACTIVE',
          type: 'STANDARD',
          definition: '{}',
          roleArn: LOCAL_ROLE_ARN,
          creationDate: 0,
        };
      case 'ListStateMachines':
        return {
          stateMachines: [
            {
              stateMachineArn: this.stateMachineArn,
              name: STATE_MACHINE_NAME,
              type: 'STANDARD',
              creationDate: 0,
            },
          ],
        };
      default:
        throw new SfnFault('UnknownOperationException', `unknown operation ${action || '(none)'}`);
    }
  }

  private checkMachine(arn: unknown): void {
    if (arn !== this.stateMachineArn)
      throw new SfnFault('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
  }

  private find(arn: unknown): Execution {
    const e = this.executions.get(String(arn));
    if (!e) throw new SfnFault('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
    return e;
  }

  private start(body: Record<string, unknown>): unknown {
    this.checkMachine(body.stateMachineArn);
    const name = String(body.name ?? randomUUID());
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new SfnFault('InvalidName', `Invalid Name: '${name}'`);
    const executionArn = localArn.execution(name);
    if (this.executions.has(executionArn))
      throw new SfnFault('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    const inputText = String(body.input ?? '{}');
    let input: unknown;
    try {
      input = JSON.parse(inputText);
    } catch {
      throw new SfnFault('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
    }
    const startDate = Date.now();
    const history: HistoryEvent[] = [];
    const push = (event: Omit<HistoryEvent, 'id' | 'previousEventId'>) =>
      history.push({ ...event, id: history.length + 1, previousEventId: history.length } as HistoryEvent);
    push({
      timestamp: seconds(startDate),
      type: 'ExecutionStarted',
      executionStartedEventDetails: { input: inputText },
    });
    const execution: Execution = {
      executionArn,
      name,
      input: inputText,
      startDate,
      status: 'RUNNING',
      history,
      done: Promise.resolve(),
    };
    execution.done = runStateMachine(input, {
      executionName: name,
      onEvent: (event) => {
        const shaped = historyEvent(event);
        if (shaped) push(shaped);
      },
    })
      .catch((error: unknown): ExecutionOutcome => {
        const failure = error instanceof Error ? error : new Error(String(error));
        return {
          status: 'FAILED',
          error: failure.name,
          cause: failure.message,
          outputs: {},
          transitions: 0,
          startedAt: startDate,
          stoppedAt: Date.now(),
        };
      })
      .then((outcome) => {
        execution.outcome = outcome;
        execution.status = outcome.status;
        push(
          outcome.status === 'SUCCEEDED'
            ? {
                timestamp: seconds(outcome.stoppedAt),
                type: 'ExecutionSucceeded',
                executionSucceededEventDetails: { output: json(outcome.output) },
              }
            : {
                timestamp: seconds(outcome.stoppedAt),
                type: 'ExecutionFailed',
                executionFailedEventDetails: { error: outcome.error, cause: outcome.cause },
              },
        );
      });
    this.executions.set(executionArn, execution);
    return { executionArn, startDate: seconds(startDate) };
  }
}
