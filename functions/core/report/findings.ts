/**
 * Findings: what a report's figures mean and what to change, in plain words, each naming the figures it
 * rests on. A pure function of the report, so that the HTML, the text and any reader agree.
 *
 * It reads the report structurally and takes what is there: the probe's figures always; the replication
 * lag in the drill's own writes (`failover.replicationLag`, `writes.predictedLost`), the client profiles
 * (`clients[]`) and the shards (`shards[]`) when the report has them.
 */
import type { WriteCounts } from '../measure/counts.js';
import { consistencyFindingsOf } from './consistency.js';
import type { DurabilityReport } from './durability.js';
import { durabilityFindingsOf } from './durability-findings.js';
import { precisionFindings, type ReportPrecision } from './precision.js';
import { type CollateralInput, isCollateral } from './shard-views.js';

export type FindingId =
  | 'asynchronous-replication'
  | 'loss-beyond-lag'
  | 'no-loss'
  | 'client-downtime'
  | 'collateral-shards'
  | 'indeterminate'
  | 'no-disruption'
  | 'errored'
  | 'imprecise-probe'
  | 'inconsistent-figures'
  | 'durability-promise-broken'
  | 'durability-promise-kept'
  | 'durability-rejected-writes';

export interface Finding {
  id: FindingId;
  severity: 'critical' | 'warning' | 'info';
  /** One sentence: what happened. */
  title: string;
  /** What it means and what would change it. */
  detail: string;
  /** The figures it rests on, as shown. */
  figures: { name: string; value: string }[];
}

/** What the findings read; a Report (or DrillReport) satisfies it. */
export interface FindingsInput {
  verdict: 'pass' | 'fail' | 'error';
  disruption: { observed: boolean };
  writes: Pick<
    WriteCounts,
    'acknowledged' | 'indeterminate' | 'lost' | 'recovered' | 'indeterminateAbsent'
  > & {
    /** Acknowledged writes the best replica lacked at the disruption (absent: not measured). */
    predictedLost?: number | null;
  };
  downtime: { ms: number; complete: boolean };
  dataLossWindow: { ms: number; maxAgeAtPromotionMs: number | null };
  failover: {
    replicationLagBytes: number | null;
    replicationLag?: { lagMs: number; behind: number } | null;
    timeToPromoteMs: number | null;
  };
  clients?: {
    name: string;
    downtime: { ms: number; complete: boolean };
    writes: Pick<WriteCounts, 'lost'>;
  }[];
  /** `target`: the node group that was failed over. */
  shards?: (CollateralInput & { nodeGroupId: string; downtime: { ms: number } })[];
  error?: { name: string; message: string };
  probe?: { precision: ReportPrecision | null };
  durability?: DurabilityReport;
}

const ms = (value: number) => `${Math.round(value)} ms`;
const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Lost writes explained by the lag: within half to one and a half times the prediction (± 5 writes). */
function closeTo(lost: number, predicted: number): boolean {
  return lost >= predicted * 0.5 - 5 && lost <= predicted * 1.5 + 5;
}

/** An application's downtime "far beyond" the server's: over twice it and at least a second more. */
const farBeyond = (app: number, server: number) => app > 2 * server && app - server >= 1000;

const BOUND_IT =
  'Redis replication is asynchronous: the primary acknowledges a write before any replica holds it, and ' +
  'a promotion discards what the promoted replica had not received. To bound the loss: writes that must ' +
  'survive a failover can be followed by WAIT 1 <timeout-ms> (its reply says how many replicas hold them; ' +
  '0 means still at risk); keep the replication lag low (replica load, network, large values); or make ' +
  'the primary refuse writes while no replica keeps up (min-replicas-to-write / min-replicas-max-lag, ' +
  'min-slaves-* in older engines) — on ElastiCache only where the engine family’s parameter group lists ' +
  'them as modifiable (aws elasticache describe-cache-parameters), so check before relying on it.';

export function findingsOf(report: FindingsInput): Finding[] {
  // A durable group's promise comes first: a broken one fails the drill whatever else it shows.
  const findings: Finding[] = durabilityFindingsOf(report.durability);
  const { writes, failover } = report;
  if (report.error) {
    findings.push({
      id: 'errored',
      severity: 'critical',
      title: `The drill ended in an error (${report.error.name}); its figures are incomplete.`,
      detail: report.error.message,
      figures: [{ name: 'error', value: report.error.name }],
    });
  }
  if (!report.disruption.observed && !report.error) {
    findings.push({
      id: 'no-disruption',
      severity: 'warning',
      title: 'No disruption was observed: the figures describe an undisturbed run.',
      detail:
        'The writer saw neither a failed write nor a change of primary. Check that the fault hit the node ' +
        'group the drill wrote to, and that the run lasted past it.',
      figures: [{ name: 'downtime', value: ms(report.downtime.ms) }],
    });
  }

  const lag = failover.replicationLag ?? null;
  const predicted = writes.predictedLost ?? null;
  const lagFigures = [
    ...(lag
      ? [
          {
            name: 'replication lag at the disruption',
            value: `${ms(lag.lagMs)} (${count(lag.behind, 'write')} behind)`,
          },
        ]
      : []),
    ...(predicted !== null ? [{ name: 'predicted lost (from the lag)', value: String(predicted) }] : []),
    ...(failover.replicationLagBytes !== null
      ? [{ name: 'replication lag at the disruption (bytes)', value: String(failover.replicationLagBytes) }]
      : []),
  ];
  if (writes.lost > 0) {
    const figures = [
      { name: 'lost', value: count(writes.lost, 'acknowledged write') },
      { name: 'data-loss window', value: ms(report.dataLossWindow.ms) },
      ...(report.dataLossWindow.maxAgeAtPromotionMs !== null
        ? [{ name: 'oldest lost write at promotion', value: ms(report.dataLossWindow.maxAgeAtPromotionMs) }]
        : []),
      ...lagFigures,
    ];
    if (predicted !== null && !closeTo(writes.lost, predicted)) {
      const more = writes.lost > predicted;
      findings.push({
        id: 'loss-beyond-lag',
        severity: 'critical',
        title: `${count(writes.lost, 'acknowledged write')} lost, ${more ? 'far more' : 'far fewer'} than the replication lag predicted (${predicted}).`,
        detail: more
          ? 'The replica’s lag accounts for only part of the loss. Look for what else discards acknowledged ' +
            'writes: a second failover, a replica that was not the most advanced being promoted, eviction ' +
            '(maxmemory-policy), a FLUSH, or keys expiring (the drill’s TTL).'
          : 'The replica caught up on most of what it lacked before it was promoted (the failover was ' +
            'slower than the lag). The loss is still asynchronous replication’s. ' +
            BOUND_IT,
        figures,
      });
    } else {
      const matched =
        lag !== null
          ? ` — about the replication lag at the disruption (${ms(lag.lagMs)}, ${predicted ?? lag.behind} writes)`
          : failover.replicationLagBytes
            ? ` while the replica was ${failover.replicationLagBytes} bytes behind`
            : '';
      findings.push({
        id: 'asynchronous-replication',
        severity: 'critical',
        title: `${count(writes.lost, 'acknowledged write')} lost, acknowledged over the last ${ms(report.dataLossWindow.ms)} before the failover${matched}: asynchronous replication.`,
        detail: BOUND_IT,
        figures,
      });
    }
  } else if (report.disruption.observed && !report.error) {
    findings.push({
      id: 'no-loss',
      severity: 'info',
      title: 'No acknowledged write was lost: the new primary held every write the old one acknowledged.',
      detail:
        'The replica had everything acknowledged when it was promoted. With asynchronous replication that ' +
        'depends on the lag at the moment of failure; a busier primary can still lose writes.',
      figures: [{ name: 'lost', value: '0' }, ...lagFigures],
    });
  }

  for (const client of report.clients ?? []) {
    if (!farBeyond(client.downtime.ms, report.downtime.ms)) continue;
    findings.push({
      id: 'client-downtime',
      severity: 'warning',
      title: `The application's client "${client.name}" was down ${ms(client.downtime.ms)}${client.downtime.complete ? '' : ' or more'}; the server only ${ms(report.downtime.ms)}.`,
      detail:
        'The difference is the client’s, not ElastiCache’s: its reconnect backoff, command and connect ' +
        'timeouts, DNS caching of the primary endpoint, and an offline queue or retries that hold writes ' +
        'back. Shorten the reconnect delay, cap retries, and let it resolve the endpoint again on reconnect.',
      figures: [
        { name: `${client.name} downtime`, value: ms(client.downtime.ms) },
        { name: 'server downtime (probe)', value: ms(report.downtime.ms) },
      ],
    });
  }

  const collateral = (report.shards ?? []).filter(isCollateral);
  if (collateral.length > 0) {
    findings.push({
      id: 'collateral-shards',
      severity: 'warning',
      title: `Writes to ${count(collateral.length, 'shard')} that ${collateral.length === 1 ? 'was' : 'were'} not failed over also failed.`,
      detail:
        'Only one node group failed over; the others stayed up. Errors there come from the cluster client: ' +
        'a topology refresh that stalls every slot, a connection shared across shards, or redirections ' +
        '(MOVED) handled by failing. Check the client’s cluster settings (slot refresh on error, ' +
        'per-node connections, retry on MOVED/ASK).',
      figures: collateral.map((shard) => ({
        name: `node group ${shard.nodeGroupId}`,
        value: `${shard.writes.failed} failed, ${shard.writes.indeterminate} indeterminate, downtime ${ms(shard.downtime.ms)}`,
      })),
    });
  }

  if (writes.indeterminate > 0) {
    findings.push({
      id: 'indeterminate',
      severity: 'info',
      title: `${count(writes.indeterminate, 'write')} got no reply: ${writes.recovered} turned out applied, ${writes.indeterminateAbsent} not.`,
      detail:
        'A timeout or a dropped connection does not say whether the write happened. An application that ' +
        'retries such writes needs them idempotent; one that treats them as failed may skip writes that ' +
        'in fact landed.',
      figures: [
        { name: 'indeterminate', value: String(writes.indeterminate) },
        { name: 'recovered', value: String(writes.recovered) },
        { name: 'indeterminate and absent', value: String(writes.indeterminateAbsent) },
      ],
    });
  }
  findings.push(...precisionFindings(report.probe?.precision));
  // Figures that must agree and do not (consistency.ts): each pair named with its values.
  findings.push(...consistencyFindingsOf(report));
  return findings;
}
