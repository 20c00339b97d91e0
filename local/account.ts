/** The local cloud's one account and region: every identity and ARN it hands out is made here. */
import { randomUUID } from 'node:crypto';

/** Where a service's ARNs point: the local account, or another in a test. */
export interface Account {
  region: string;
  accountId: string;
}

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
export const LOCAL_ROLE_ARN = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/local`;
export const STATE_MACHINE_NAME = 'failover-drill';
export const FLEET_STATE_MACHINE_NAME = 'failover-drill-fleet';
export const FAULT_STOP_STATE_MACHINE_NAME = 'failover-drill-stop-fault';

export const localArn = {
  lambda: (functionName: string) =>
    `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
  stateMachine: (name: string = STATE_MACHINE_NAME) =>
    `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:${name}`,
  role: (name: string) => `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${name}`,
  execution: (name: string, stateMachine: string = STATE_MACHINE_NAME) =>
    `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:execution:${stateMachine}:${name}`,
  /** An EXPRESS execution's: `express:<machine>:<name>:<id>` (its name need not be unique). */
  expressExecution: (name: string, stateMachine: string) =>
    `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:express:${stateMachine}:${name}:${randomUUID()}`,
};
