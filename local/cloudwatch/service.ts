/**
 * CloudWatch alarms (API 2010-08-01) for the drill's stop conditions: DescribeAlarms, SetAlarmState
 * and PutMetricAlarm, in the AWS JSON 1.0 protocol that both the pinned SDK and the AWS CLI v1 send
 * for CloudWatch (query-compatible: Query error codes in `x-amzn-query-error`). Alarms are state only:
 * nothing evaluates metrics; SetAlarmState (or the emulator) changes a state, as in a game day.
 */
import type { Account } from '../account.js';
import type { ServiceHandler } from '../control-plane.js';
import { epochSeconds, type JsonAction, JsonFault, JsonInput, jsonService } from '../protocols/json.js';
import { getMetricData, type MetricSource } from './metric-data.js';

export const CLOUDWATCH_TARGET_PREFIX = 'GraniteServiceVersion20100801';

export const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

const COMPARISONS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold',
] as const;
const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;

/** CloudWatch's own faults (shape name, HTTP status, Query code), as botocore's model names them. */
export const cloudWatchFaults = {
  missing: (member: string) =>
    new JsonFault(
      'MissingRequiredParameterException',
      400,
      `The parameter ${member} is required.`,
      'MissingParameter',
    ),
  invalid: (message: string) =>
    new JsonFault('InvalidParameterValueException', 400, message, 'InvalidParameterValue'),
  notFound: (name: string) => new JsonFault('ResourceNotFound', 404, `alarm ${name} does not exist`),
  invalidFormat: (message: string) => new JsonFault('InvalidFormatFault', 400, message, 'InvalidFormat'),
  invalidNextToken: () => new JsonFault('InvalidNextToken', 400, 'The NextToken is not valid.'),
};

export interface MetricAlarm {
  AlarmName: string;
  AlarmArn: string;
  AlarmDescription?: string;
  ActionsEnabled: boolean;
  StateValue: AlarmState;
  StateReason: string;
  StateReasonData?: string;
  StateUpdatedTimestamp: number;
  AlarmConfigurationUpdatedTimestamp: number;
  MetricName?: string;
  Namespace?: string;
  Statistic?: string;
  Period?: number;
  EvaluationPeriods?: number;
  Threshold?: number;
  ComparisonOperator?: string;
}

const NAME_LIMITS = { min: 1, max: 255 };
const PAGE_MAX = 100;

export class CloudWatchService {
  readonly handler: ServiceHandler;
  /** For the local Step Functions' AWS SDK integration (`aws-sdk:cloudwatch:*`): the API's own member names. */
  readonly errorPrefix = 'CloudWatch';
  readonly memberCase = 'pascal';
  readonly mapMembers: ReadonlySet<string> = new Set();
  /** Timestamp members of the operations served (botocore's cloudwatch model). */
  readonly timestampMembers: ReadonlySet<string> = new Set([
    'StartTime',
    'EndTime',
    'Timestamps',
    'StateUpdatedTimestamp',
    'AlarmConfigurationUpdatedTimestamp',
  ]);
  readonly operations: string[];
  private readonly alarms = new Map<string, MetricAlarm>();
  private readonly metricSources: MetricSource[] = [];
  private readonly actions: Record<string, JsonAction>;

  constructor(
    private readonly account: Account,
    private readonly clock: () => number = Date.now,
  ) {
    this.actions = {
      GetMetricData: (input) => getMetricData(input, this.metricSources),
      DescribeAlarms: (input) => this.describeAlarms(input),
      SetAlarmState: (input) => {
        const reasonData = input.string('StateReasonData', { max: 4000 });
        if (reasonData !== undefined) {
          try {
            JSON.parse(reasonData);
          } catch {
            throw cloudWatchFaults.invalidFormat('StateReasonData is not JSON');
          }
        }
        this.setAlarmState(
          input.required('AlarmName', NAME_LIMITS),
          input.oneOf('StateValue', ALARM_STATES) ?? throwMissing('StateValue'),
          input.required('StateReason', { max: 1023 }),
          reasonData,
        );
        return {};
      },
      PutMetricAlarm: (input) => {
        this.putMetricAlarm(input.required('AlarmName', NAME_LIMITS), {
          AlarmDescription: input.string('AlarmDescription', { max: 1024 }),
          ActionsEnabled: input.boolean('ActionsEnabled') ?? true,
          MetricName: input.string('MetricName', NAME_LIMITS),
          Namespace: input.string('Namespace', NAME_LIMITS),
          Statistic: input.oneOf('Statistic', STATISTICS),
          Period: input.number('Period', { min: 1, integer: true }),
          EvaluationPeriods: input.number('EvaluationPeriods', { min: 1, integer: true }),
          Threshold: input.number('Threshold'),
          ComparisonOperator: input.oneOf('ComparisonOperator', COMPARISONS),
        });
        return {};
      },
    };
    this.operations = Object.keys(this.actions);
    this.handler = jsonService(
      {
        targetPrefix: CLOUDWATCH_TARGET_PREFIX,
        namespace: 'com.amazonaws.cloudwatch',
        jsonVersion: '1.0',
        queryCompatible: true,
        faults: cloudWatchFaults,
      },
      this.actions,
    );
  }

  /** Adds a source of metric datapoints for GetMetricData (a durable group's log emulation). */
  serveMetrics(source: MetricSource): void {
    this.metricSources.push(source);
  }

  /** An operation called in-process with its API members, as the local Step Functions' SDK integration calls it. */
  async call(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const action = Object.hasOwn(this.actions, operation) ? this.actions[operation] : undefined;
    if (!action)
      throw new JsonFault('UnknownOperationException', 400, `CloudWatch has no operation ${operation}`);
    return action(new JsonInput(input, cloudWatchFaults));
  }

  /** Creates or replaces an alarm; as on AWS, a new alarm starts in INSUFFICIENT_DATA unless told. */
  putMetricAlarm(
    name: string,
    config: Partial<Omit<MetricAlarm, 'AlarmName' | 'AlarmArn' | 'StateValue'>> = {},
    state: AlarmState = 'INSUFFICIENT_DATA',
  ): MetricAlarm {
    const now = epochSeconds(this.clock());
    const existing = this.alarms.get(name);
    const defined = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
    const alarm: MetricAlarm = {
      ActionsEnabled: true,
      StateReason: 'Unchecked: Initial alarm creation',
      StateUpdatedTimestamp: now,
      ...existing,
      ...defined,
      AlarmName: name,
      AlarmArn: `arn:aws:cloudwatch:${this.account.region}:${this.account.accountId}:alarm:${name}`,
      StateValue: existing?.StateValue ?? state,
      AlarmConfigurationUpdatedTimestamp: now,
    };
    this.alarms.set(name, alarm);
    return alarm;
  }

  setAlarmState(name: string, state: AlarmState, reason: string, reasonData?: string): void {
    const alarm = this.alarms.get(name);
    if (!alarm) throw cloudWatchFaults.notFound(name);
    const changed = alarm.StateValue !== state;
    alarm.StateValue = state;
    alarm.StateReason = reason;
    alarm.StateReasonData = reasonData;
    if (changed) alarm.StateUpdatedTimestamp = epochSeconds(this.clock());
  }

  alarm(name: string): MetricAlarm | undefined {
    const alarm = this.alarms.get(name);
    return alarm && { ...alarm };
  }

  private describeAlarms(input: JsonInput): Record<string, unknown> {
    const names = input.strings('AlarmNames', { max: 100, itemMax: 255 });
    const prefix = input.string('AlarmNamePrefix', NAME_LIMITS);
    if (names && prefix !== undefined)
      throw new JsonFault(
        'InvalidParameterCombinationException',
        400,
        'AlarmNames and AlarmNamePrefix cannot be used together',
        'InvalidParameterCombination',
      );
    const state = input.oneOf('StateValue', ALARM_STATES);
    const types = input.strings('AlarmTypes', { max: 2 });
    const max = input.number('MaxRecords', { min: 1, max: PAGE_MAX, integer: true }) ?? 50;
    const token = input.string('NextToken');
    const from = token === undefined ? 0 : Number(token);
    if (!Number.isSafeInteger(from) || from < 0) throw cloudWatchFaults.invalidNextToken();
    const metricAlarms =
      types && !types.includes('MetricAlarm')
        ? []
        : [...this.alarms.values()]
            .filter((a) => !names || names.includes(a.AlarmName))
            .filter((a) => prefix === undefined || a.AlarmName.startsWith(prefix))
            .filter((a) => state === undefined || a.StateValue === state)
            .sort((a, b) => a.AlarmName.localeCompare(b.AlarmName));
    const page = metricAlarms.slice(from, from + max);
    return {
      MetricAlarms: page,
      CompositeAlarms: [],
      ...(from + max < metricAlarms.length ? { NextToken: String(from + max) } : {}),
    };
  }
}

function throwMissing(member: string): never {
  throw cloudWatchFaults.missing(member);
}
