/**
 * CloudWatch's GetMetricData as the local cloud answers it: each MetricStat query is served by a metric
 * source (a durable group's log emulation serves AWS/ElastiCache's durability metrics), its per-second
 * values aggregated into the query's periods with its statistic. Metric math and Metrics Insights are
 * refused: nothing in the drill asks for them. A metric no source serves answers with no datapoints, as
 * CloudWatch does for a metric never published.
 */
import { JsonFault, type JsonInput } from '../protocols/json.js';

/** One metric a query names, and the window asked for (epoch ms). */
export interface MetricQuery {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  fromMs: number;
  toMs: number;
}

/** Per-second values of one metric; undefined: this source does not publish it. */
export type MetricSource = (
  query: MetricQuery,
) => MetricSeconds | undefined | Promise<MetricSeconds | undefined>;
type MetricSeconds = { atMs: number; value: number }[];

const STATISTICS: Record<string, (values: number[]) => number> = {
  Maximum: (v) => Math.max(...v),
  Minimum: (v) => Math.min(...v),
  Sum: (v) => v.reduce((a, b) => a + b, 0),
  Average: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  SampleCount: (v) => v.length,
};

/** GetMetricData allows at most 500 queries a call (its documentation). */
const MAX_QUERIES = 500;

const invalid = (message: string) =>
  new JsonFault('InvalidParameterValueException', 400, message, 'InvalidParameterValue');

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Stat {
  id: string;
  label: string | undefined;
  metric: Omit<MetricQuery, 'fromMs' | 'toMs'>;
  periodS: number;
  stat: (values: number[]) => number;
}

/** One MetricDataQuery, checked as CloudWatch checks it. */
function statOf(query: unknown): Stat {
  if (!isRecord(query)) throw invalid('each MetricDataQuery must be a structure');
  const id = query.Id;
  if (typeof id !== 'string' || !/^[a-z][A-Za-z0-9_]{0,254}$/.test(id))
    throw invalid('The value for parameter MetricDataQueries.member.Id must start with a lowercase letter');
  if (query.Expression !== undefined)
    throw invalid(`${id}: the local cloud evaluates no metric math or Metrics Insights query`);
  const ms = query.MetricStat;
  if (!isRecord(ms) || !isRecord(ms.Metric))
    throw invalid(`${id}: a MetricDataQuery needs a MetricStat or an Expression`);
  const { Namespace, MetricName, Dimensions = [] } = ms.Metric;
  if (typeof Namespace !== 'string' || typeof MetricName !== 'string' || !Array.isArray(Dimensions))
    throw invalid(`${id}: MetricStat.Metric needs a Namespace and a MetricName`);
  const dimensions: Record<string, string> = {};
  for (const d of Dimensions) {
    if (!isRecord(d) || typeof d.Name !== 'string' || typeof d.Value !== 'string')
      throw invalid(`${id}: each dimension needs a Name and a Value`);
    dimensions[d.Name] = d.Value;
  }
  const period = ms.Period;
  if (typeof period !== 'number' || !Number.isSafeInteger(period) || period < 1)
    throw invalid(`${id}: MetricStat.Period must be a positive integer`);
  const stat = typeof ms.Stat === 'string' ? STATISTICS[ms.Stat] : undefined;
  if (!stat) throw invalid(`${id}: MetricStat.Stat must be one of ${Object.keys(STATISTICS).join(', ')}`);
  const label = typeof query.Label === 'string' ? query.Label : undefined;
  return {
    id,
    label,
    metric: { namespace: Namespace, metricName: MetricName, dimensions },
    periodS: period,
    stat,
  };
}

/** GetMetricData over `sources`: the first source that publishes a metric answers for it. */
export async function getMetricData(input: JsonInput, sources: readonly MetricSource[]): Promise<Json> {
  const queries = input.list('MetricDataQueries') ?? throwMissing('MetricDataQueries');
  if (queries.length === 0 || queries.length > MAX_QUERIES)
    throw invalid(`MetricDataQueries must have 1 to ${MAX_QUERIES} members`);
  const fromMs = input.timestamp('StartTime') ?? throwMissing('StartTime');
  const toMs = input.timestamp('EndTime') ?? throwMissing('EndTime');
  if (fromMs >= toMs) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
  if (input.string('NextToken') !== undefined)
    throw new JsonFault('InvalidNextToken', 400, 'The NextToken is not valid.');
  const descending =
    input.oneOf('ScanBy', ['TimestampDescending', 'TimestampAscending']) !== 'TimestampAscending';
  const stats = queries.map(statOf);
  const ids = new Set(stats.map((s) => s.id));
  if (ids.size !== stats.length)
    throw invalid('The values for parameter Id in MetricDataQueries are not unique.');
  const served = await Promise.all(
    stats.map(async (s) => {
      const query = { ...s.metric, fromMs, toMs };
      for (const source of sources) {
        const found = await source(query);
        if (found !== undefined) return found;
      }
      return [];
    }),
  );
  return {
    MetricDataResults: stats.map((s, i) => {
      const seconds = served[i]!;
      // Periods are aligned to the start time, as CloudWatch aligns them for a recent window.
      const periods = new Map<number, number[]>();
      for (const { atMs, value } of seconds) {
        const start = fromMs + Math.floor((atMs - fromMs) / (s.periodS * 1000)) * s.periodS * 1000;
        periods.set(start, [...(periods.get(start) ?? []), value]);
      }
      const points = [...periods.entries()].sort(([a], [b]) => (descending ? b - a : a - b));
      return {
        Id: s.id,
        Label: s.label ?? s.metric.metricName,
        Timestamps: points.map(([at]) => at / 1000),
        Values: points.map(([, values]) => s.stat(values)),
        StatusCode: 'Complete',
      };
    }),
    Messages: [],
  };
}

function throwMissing(member: string): never {
  throw new JsonFault(
    'MissingRequiredParameterException',
    400,
    `The parameter ${member} is required.`,
    'MissingParameter',
  );
}
