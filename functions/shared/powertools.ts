import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** One logger and one metrics object per Lambda environment, so every handler logs and emits alike. */
export const logger = new Logger({ serviceName: 'failover-drill' });

/** Embedded Metric Format: CloudWatch extracts metrics from the log line, no API call on the hot path. */
export const metrics = new Metrics({ namespace: 'FailoverDrill', serviceName: 'failover-drill' });

/** What a core step logs to: the handler's logger, passed in (a test may pass a stub). */
export interface StepLog {
  info(message: string, details: Record<string, unknown>): void;
  warn(message: string, details: Record<string, unknown>): void;
}

// The handlers pass `logger` as a step's log: it must keep fitting.
logger satisfies StepLog;
