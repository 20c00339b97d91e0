import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** One logger and one metrics object per Lambda environment, so every handler logs and emits alike. */
export const logger = new Logger({ serviceName: 'failover-drill' });

/** Embedded Metric Format: CloudWatch extracts metrics from the log line, no API call on the hot path. */
export const metrics = new Metrics({ namespace: 'FailoverDrill', serviceName: 'failover-drill' });
