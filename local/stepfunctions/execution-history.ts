import { LOCAL_REGION } from '../account.js';
import type { ExecutionOutcome, LocalStateMachine, RunnerEvent } from './runner.js';

/**
 * An execution's history as Step Functions writes it for this kind of ASL, from the local runner's
 * events: `<Type>StateEntered/Exited` per state (Succeed and Fail named as such; a Fail state never
 * exits); for a Task whose Resource is a Lambda function ARN `LambdaFunctionScheduled/Started/Succeeded/
 * Failed/TimedOut` (no `Task*` events), for a service integration `TaskScheduled/Started/(Submitted for
 * .sync)/Succeeded/Failed/TimedOut`; `ParallelStateStarted/Succeeded/Failed`; `MapStateStarted`,
 * `MapIterationStarted/Succeeded/Failed`, `MapStateSucceeded/Failed`; `<Type>StateAborted` for what was
 * running when a Parallel or Map failed or the execution stopped; one terminal `Execution*` event. Retries
 * and catches write nothing of their own: a retry is a second scheduling, a catch is the state's exit.
 */

export interface HistoryEvent {
  /** Epoch seconds, as the JSON protocol carries timestamps. */
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

type Details = Record<string, unknown>;

const seconds = (ms: number) => ms / 1000;
const json = (value: unknown) => JSON.stringify(value ?? null);
const NOT_TRUNCATED = { truncated: false };
/** The state types that have an Aborted event: the others never wait on anything. */
const ABORTABLE = new Set(['Task', 'Wait', 'Map', 'Parallel']);
const LAMBDA_ARN = /^arn:aws[\w-]*:lambda:/;

interface OpenState {
  name: string;
  type: string;
  /** Failed and not (yet) retried or caught. */
  failed: boolean;
}

/** A state's events are named after its type: TaskStateEntered, ChoiceStateExited, SucceedStateEntered… */
const named = (type: string, what: string) => `${type}State${what}`;

/** `arn:aws:states:::states:startExecution.sync:2` → states / startExecution.sync:2, as Task* events name it. */
function serviceResource(arn: string): { resourceType: string; resource: string } {
  const [, resourceType = 'unknown', resource = arn] = arn.match(/^arn:[^:]+:states:::([^:]+):(.*)$/) ?? [];
  return { resourceType, resource };
}

export class ExecutionHistory {
  readonly events: HistoryEvent[] = [];
  /** States entered and not yet exited, in the order they were entered, by name and Map iteration. */
  private readonly open = new Map<string, OpenState>();

  constructor(private readonly machine: Pick<LocalStateMachine, 'tasks' | 'roleArn'>) {}

  private push(at: number, type: string, details?: [string, Details]): void {
    const id = this.events.length + 1;
    this.events.push({
      timestamp: seconds(at),
      type,
      id,
      previousEventId: id - 1,
      ...(details ? { [details[0]]: details[1] } : {}),
    });
  }

  started(at: number, input: string): void {
    this.push(at, 'ExecutionStarted', [
      'executionStartedEventDetails',
      { input, inputDetails: NOT_TRUNCATED, roleArn: this.machine.roleArn },
    ]);
  }

  /** Aborted events for the open states after `after` (all of them when undefined), which close. */
  private abortOpen(at: number, after?: string): void {
    const keys = [...this.open.keys()];
    // Innermost first: a branch's task, then the Parallel around it.
    for (const key of keys.slice(after === undefined ? 0 : keys.indexOf(after) + 1).reverse()) {
      const state = this.open.get(key)!;
      this.open.delete(key);
      if (ABORTABLE.has(state.type) && !state.failed) this.push(at, named(state.type, 'Aborted'));
    }
  }

  /** An invocation's events count only while its Task is open (not once a branch or the execution ended). */
  private isOpen(name: string): boolean {
    return [...this.open.values()].some((s) => s.name === name);
  }

  record(event: RunnerEvent): void {
    const at = event.timestamp;
    if (event.type.startsWith('Invocation') && !this.isOpen((event as { state: string }).state)) return;
    // States inside a Map iteration repeat their names: the iteration tells them apart.
    const key =
      'state' in event && typeof event.state === 'object' ? `${event.state.name}#${event.index ?? ''}` : '';
    switch (event.type) {
      case 'StateEntered': {
        const { name, type, input } = event.state;
        this.open.set(key, { name, type, failed: false });
        this.push(at, named(type, 'Entered'), [
          'stateEnteredEventDetails',
          { name, input: json(input), inputDetails: NOT_TRUNCATED },
        ]);
        if (type === 'Parallel' || type === 'Map') this.push(at, named(type, 'Started'));
        return;
      }
      case 'StateExited': {
        const { name, type, output } = event.state;
        const state = this.open.get(key);
        // A state of an aborted branch may still finish locally; on AWS it ended when it was aborted.
        if (!state) return;
        if ((type === 'Parallel' || type === 'Map') && !state.failed) this.push(at, named(type, 'Succeeded'));
        this.open.delete(key);
        this.push(at, named(type, 'Exited'), [
          'stateExitedEventDetails',
          { name, output: json(output), outputDetails: NOT_TRUNCATED },
        ]);
        return;
      }
      case 'StateFailed': {
        const { name, type } = event.state;
        const state = this.open.get(key);
        if (!state) return;
        state.failed = true;
        const failure = { error: event.Error, cause: String(event.Cause ?? '') };
        const timedOut = event.Error === 'States.Timeout';
        if (type === 'Parallel' || type === 'Map') {
          // The library aborts the other branches; AWS logs what was still running in them.
          this.abortOpen(at, key);
          this.push(at, named(type, 'Failed'));
          return;
        }
        if (type !== 'Task') return; // a Fail state's failure is the execution's (ExecutionFailed)
        const resource = this.machine.tasks.get(name)?.resource ?? '';
        if (LAMBDA_ARN.test(resource)) {
          const kind = timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed';
          this.push(at, kind, [
            timedOut ? 'lambdaFunctionTimedOutEventDetails' : 'lambdaFunctionFailedEventDetails',
            failure,
          ]);
        } else {
          const kind = timedOut ? 'TaskTimedOut' : 'TaskFailed';
          this.push(at, kind, [
            timedOut ? 'taskTimedOutEventDetails' : 'taskFailedEventDetails',
            { ...serviceResource(resource), ...failure },
          ]);
        }
        return;
      }
      case 'StateRetried': {
        const state = this.open.get(key);
        if (state) state.failed = false;
        return;
      }
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const detailsKey = `mapIteration${event.type.slice('MapIteration'.length)}EventDetails`;
        this.push(at, event.type, [detailsKey, { name: event.parentState.name, index: event.index }]);
        return;
      }
      case 'InvocationScheduled':
        if (LAMBDA_ARN.test(event.resource)) {
          this.push(at, 'LambdaFunctionScheduled', [
            'lambdaFunctionScheduledEventDetails',
            {
              resource: event.resource,
              input: json(event.input),
              inputDetails: NOT_TRUNCATED,
              timeoutInSeconds: event.timeoutSeconds ?? 60,
            },
          ]);
        } else {
          this.push(at, 'TaskScheduled', [
            'taskScheduledEventDetails',
            {
              ...serviceResource(event.resource),
              region: LOCAL_REGION,
              parameters: json(event.input),
              ...(event.timeoutSeconds === undefined ? {} : { timeoutInSeconds: event.timeoutSeconds }),
            },
          ]);
        }
        return;
      case 'InvocationStarted':
        if (LAMBDA_ARN.test(event.resource)) {
          this.push(at, 'LambdaFunctionStarted');
          return;
        }
        this.push(at, 'TaskStarted', ['taskStartedEventDetails', serviceResource(event.resource)]);
        // A .sync integration is submitted (the job started), then waited for.
        if (/\.sync(:\d+)?$/.test(event.resource))
          this.push(at, 'TaskSubmitted', ['taskSubmittedEventDetails', serviceResource(event.resource)]);
        return;
      case 'InvocationSucceeded':
        if (LAMBDA_ARN.test(event.resource)) {
          this.push(at, 'LambdaFunctionSucceeded', [
            'lambdaFunctionSucceededEventDetails',
            { output: json(event.output), outputDetails: NOT_TRUNCATED },
          ]);
        } else {
          this.push(at, 'TaskSucceeded', [
            'taskSucceededEventDetails',
            { ...serviceResource(event.resource), output: json(event.output), outputDetails: NOT_TRUNCATED },
          ]);
        }
        return;
      default:
        // Execution* come from the outcome (ended); branch and caught events have no AWS counterpart.
        return;
    }
  }

  /** The terminal event. `stop` is what StopExecution was given. */
  ended(outcome: ExecutionOutcome, stop: { error?: string; cause?: string } = {}): void {
    const at = outcome.stoppedAt;
    switch (outcome.status) {
      case 'SUCCEEDED':
        this.push(at, 'ExecutionSucceeded', [
          'executionSucceededEventDetails',
          { output: json(outcome.output), outputDetails: NOT_TRUNCATED },
        ]);
        return;
      case 'FAILED':
        this.open.clear();
        this.push(at, 'ExecutionFailed', [
          'executionFailedEventDetails',
          { error: outcome.error, cause: outcome.cause },
        ]);
        return;
      case 'ABORTED':
        this.abortOpen(at);
        this.push(at, 'ExecutionAborted', ['executionAbortedEventDetails', { ...stop }]);
        return;
      case 'TIMED_OUT':
        this.abortOpen(at);
        this.push(at, 'ExecutionTimedOut', [
          'executionTimedOutEventDetails',
          { error: outcome.error, cause: outcome.cause },
        ]);
        return;
    }
  }
}
