import type { ExecutionOutcome, LocalStateMachine, RunnerEvent } from './runner.js';

/**
 * An execution's history as Step Functions writes it for this kind of ASL, from the local runner's
 * events: `<Type>StateEntered/Exited` per state (Succeed and Fail named as such; a Fail state never
 * exits), `ParallelStateStarted/Succeeded/Failed`, for a Task whose Resource is a Lambda function ARN
 * `LambdaFunctionScheduled/Started/Succeeded/Failed/TimedOut` (no `Task*` events: AWS writes those only
 * for service integrations), `<Type>StateAborted` for what was running when a Parallel failed or the
 * execution stopped, and one terminal `Execution*` event. Retries and catches write nothing of their
 * own: a retry is a second `LambdaFunctionScheduled`, a catch is the state's exit.
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

interface OpenState {
  type: string;
  /** Failed and not (yet) retried or caught. */
  failed: boolean;
}

/** A state's events are named after its type: TaskStateEntered, ChoiceStateExited, SucceedStateEntered… */
const named = (type: string, what: string) => `${type}State${what}`;

/** `arn:aws:states:::sns:publish` → sns / publish, as TaskFailed's resourceType and resource. */
function serviceResource(arn: string | undefined): { resourceType: string; resource: string } {
  const [, resourceType = 'unknown', resource = arn ?? 'unknown'] =
    (arn ?? '').match(/^arn:[^:]+:states:::([^:]+):?(.*)$/) ?? [];
  return { resourceType, resource };
}

export class ExecutionHistory {
  readonly events: HistoryEvent[] = [];
  /** States entered and not yet exited, in the order they were entered. */
  private readonly open = new Map<string, OpenState>();

  constructor(private readonly machine: Pick<LocalStateMachine, 'states' | 'lambdaTasks' | 'roleArn'>) {}

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
    const names = [...this.open.keys()];
    // Innermost first: a branch's task, then the Parallel around it.
    for (const name of names.slice(after === undefined ? 0 : names.indexOf(after) + 1).reverse()) {
      const state = this.open.get(name)!;
      this.open.delete(name);
      if (ABORTABLE.has(state.type) && !state.failed) this.push(at, named(state.type, 'Aborted'));
    }
  }

  record(event: RunnerEvent): void {
    const at = event.timestamp;
    if (event.type.startsWith('LambdaFunction') && !this.open.has((event as { state: string }).state)) return;
    switch (event.type) {
      case 'StateEntered': {
        const { name, type, input } = event.state;
        this.open.set(name, { type, failed: false });
        this.push(at, named(type, 'Entered'), [
          'stateEnteredEventDetails',
          { name, input: json(input), inputDetails: NOT_TRUNCATED },
        ]);
        if (type === 'Parallel') this.push(at, 'ParallelStateStarted');
        return;
      }
      case 'StateExited': {
        const { name, type, output } = event.state;
        const state = this.open.get(name);
        // A state of an aborted branch may still finish locally; on AWS it ended when it was aborted.
        if (!state) return;
        if (type === 'Parallel' && !state?.failed) this.push(at, 'ParallelStateSucceeded');
        this.open.delete(name);
        this.push(at, named(type, 'Exited'), [
          'stateExitedEventDetails',
          { name, output: json(output), outputDetails: NOT_TRUNCATED },
        ]);
        return;
      }
      case 'StateFailed': {
        const { name, type } = event.state;
        const state = this.open.get(name);
        if (!state) return;
        state.failed = true;
        const failure = { error: event.Error, cause: String(event.Cause ?? '') };
        if (type === 'Parallel') {
          // The library aborts the other branches; AWS logs what was still running in them.
          this.abortOpen(at, name);
          this.push(at, 'ParallelStateFailed');
        } else if (type === 'Task' && this.machine.lambdaTasks.has(name)) {
          this.push(
            at,
            ...((event.Error === 'States.Timeout'
              ? ['LambdaFunctionTimedOut', ['lambdaFunctionTimedOutEventDetails', failure]]
              : ['LambdaFunctionFailed', ['lambdaFunctionFailedEventDetails', failure]]) as [
              string,
              [string, Details],
            ]),
          );
        } else if (type === 'Task') {
          const resource = serviceResource(this.machine.states.get(name)?.Resource);
          this.push(at, 'TaskFailed', ['taskFailedEventDetails', { ...resource, ...failure }]);
        }
        // A Fail state's failure is the execution's; a Pass or Choice that fails ends it (ExecutionFailed).
        return;
      }
      case 'StateRetried': {
        const state = this.open.get(event.state.name);
        if (state) state.failed = false;
        return;
      }
      case 'LambdaFunctionScheduled':
        this.push(at, 'LambdaFunctionScheduled', [
          'lambdaFunctionScheduledEventDetails',
          {
            resource: event.resource,
            input: json(event.input),
            inputDetails: NOT_TRUNCATED,
            timeoutInSeconds: event.timeoutSeconds,
          },
        ]);
        return;
      case 'LambdaFunctionStarted':
        this.push(at, 'LambdaFunctionStarted');
        return;
      case 'LambdaFunctionSucceeded':
        this.push(at, 'LambdaFunctionSucceeded', [
          'lambdaFunctionSucceededEventDetails',
          { output: json(event.output), outputDetails: NOT_TRUNCATED },
        ]);
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
