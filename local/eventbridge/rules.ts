/**
 * EventBridge, as far as the drill needs it: the template's rules on Step Functions execution status
 * changes, matched against each local execution's end and delivered to their target function, with the
 * event shaped as Step Functions sends it (`aws.states`, `Step Functions Execution Status Change`).
 */
import { randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../account.js';
import type { ExecutionSummary } from '../stepfunctions/service.js';
import type { Template } from '../template.js';

export const STATUS_CHANGE = { source: 'aws.states', detailType: 'Step Functions Execution Status Change' };

/** A function's EventBridgeRule on execution status changes: which statuses reach it. */
export interface StatusChangeRule {
  functionId: string;
  statuses: string[];
}

/** Every EventBridgeRule event source of the template's functions that matches execution status changes. */
export function statusChangeRules(template: Template): StatusChangeRule[] {
  const rules: StatusChangeRule[] = [];
  for (const [functionId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Serverless::Function') continue;
    const events = (resource.Properties?.Events ?? {}) as Record<
      string,
      { Type?: string; Properties?: { Pattern?: Record<string, unknown> } }
    >;
    for (const event of Object.values(events)) {
      const pattern = event.Properties?.Pattern as
        | { source?: string[]; 'detail-type'?: string[]; detail?: { status?: string[] } }
        | undefined;
      if (event.Type !== 'EventBridgeRule' || !pattern) continue;
      if (!pattern.source?.includes(STATUS_CHANGE.source)) continue;
      if (!pattern['detail-type']?.includes(STATUS_CHANGE.detailType)) continue;
      rules.push({ functionId, statuses: pattern.detail?.status ?? [] });
    }
  }
  return rules;
}

/** The event Step Functions puts on the default bus when an execution ends. */
export function statusChangeEvent(execution: ExecutionSummary): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': STATUS_CHANGE.detailType,
    source: STATUS_CHANGE.source,
    account: LOCAL_ACCOUNT_ID,
    time: new Date(execution.stopDate).toISOString(),
    region: LOCAL_REGION,
    resources: [execution.executionArn],
    detail: {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate,
      stopDate: execution.stopDate,
      input: execution.input,
      output: execution.output ?? null,
      error: execution.error ?? null,
      cause: execution.cause ?? null,
    },
  };
}
