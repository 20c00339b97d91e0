import { randomUUID } from 'node:crypto';
import { type LocalStepFunctions, SfnFault } from './service.js';

const STARTED_BY = 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID';

/**
 * `startExecution.sync:2` as Step Functions runs it: a real execution of the nested state machine in the
 * same local Step Functions (listed, with its own history), waited for. The result is the execution
 * described (`:2`: Input and Output as JSON, not strings); when it does not succeed the task fails with
 * `States.TaskFailed`, the description (with the nested Error and Cause) as its Cause. The fleet runs each
 * target's drill this way, and the drill its stop-fault state machine.
 */
export function nestedExecution(service: LocalStepFunctions) {
  return async (parameters: unknown): Promise<unknown> => {
    const { StateMachineArn, Name, Input } = parameters as {
      StateMachineArn: string;
      Name?: string;
      Input?: unknown;
    };
    let ended: Awaited<ReturnType<LocalStepFunctions['runToEnd']>>;
    try {
      // AWS's documented key in a nested execution's input names the execution that started it.
      const startedBy = (Input as Record<string, unknown> | undefined)?.[STARTED_BY];
      ended = await service.runToEnd(
        StateMachineArn,
        Name ?? randomUUID(),
        Input ?? {},
        typeof startedBy === 'string' ? startedBy : undefined,
      );
    } catch (error) {
      // StartExecution refused: the integration names the API's error, as AWS does.
      if (error instanceof SfnFault)
        throw Object.assign(new Error(error.message), { name: `StepFunctions.${error.code}Exception` });
      throw error;
    }
    const described = {
      ExecutionArn: ended.executionArn,
      Input: ended.input,
      InputDetails: { Included: true },
      Name: ended.name,
      StartDate: ended.startDate,
      StateMachineArn: ended.stateMachineArn,
      Status: ended.status,
      StopDate: ended.stopDate,
    };
    if (ended.status === 'SUCCEEDED')
      return { ...described, Output: ended.output, OutputDetails: { Included: true } };
    throw Object.assign(new Error(JSON.stringify({ ...described, Error: ended.error, Cause: ended.cause })), {
      name: 'States.TaskFailed',
    });
  };
}
