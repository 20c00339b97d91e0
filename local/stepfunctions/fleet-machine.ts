import { randomUUID } from 'node:crypto';
import { FLEET_STATE_MACHINE_NAME } from '../account.js';
import {
  allStates,
  type DrillMachineOptions,
  deployedMachine,
  FLEET_ASL_PATH,
  type LocalStateMachine,
  localStateMachine,
} from './runner.js';
import { type LocalStepFunctions, SfnFault } from './service.js';

const STARTED_BY = 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID';

/** The service integration that runs another state machine to its end, input and output as JSON. */
export const START_EXECUTION_SYNC_2 = 'arn:aws:states:::states:startExecution.sync:2';

/**
 * `startExecution.sync:2` as Step Functions runs it: a real execution of the nested state machine in the
 * same local Step Functions (listed, with its own history), waited for. The result is the execution
 * described (`:2`: Input and Output as JSON, not strings); when it does not succeed the task fails with
 * `States.TaskFailed`, the description (with the nested Error and Cause) as its Cause.
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

/**
 * The fleet's state machine from the project's real ASL: its Lambda Tasks mapped to the template's
 * handlers, its nested drill executions run by `service` (which must hold the drill state machine).
 */
export function fleetStateMachine(
  service: LocalStepFunctions,
  options: DrillMachineOptions = {},
): LocalStateMachine {
  const { definition, handlers } = deployedMachine(FLEET_ASL_PATH, 'FleetStateMachine', options);
  const states = allStates((JSON.parse(definition) as { States: Parameters<typeof allStates>[0] }).States);
  for (const [name, state] of states) {
    if (state.Type === 'Task' && state.Resource === START_EXECUTION_SYNC_2)
      handlers[name] = nestedExecution(service);
  }
  return localStateMachine({ name: FLEET_STATE_MACHINE_NAME, definition, handlers });
}
