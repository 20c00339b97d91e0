/**
 * A durable group's findings: its promise kept or broken, and the writes its primary rejected, in plain
 * words with the figures they rest on. Pure: the report's `durability` part in, findings out.
 */
import type { DurabilityReport } from './durability.js';
import type { Finding } from './findings.js';

const ms = (value: number) => `${Math.round(value)} ms`;

export function durabilityFindingsOf(durability: DurabilityReport | undefined): Finding[] {
  if (!durability?.promise) return [];
  const { promise, kept, lostWrites, dataLossWindowMs, rejectedWrites } = durability;
  const figures = [
    {
      name: 'durability',
      value: `${durability.effective} (configured ${durability.configured ?? 'unknown'})`,
    },
    { name: 'acknowledged writes lost', value: String(lostWrites) },
    { name: 'data-loss window', value: ms(dataLossWindowMs) },
  ];
  const findings: Finding[] = [];
  if (kept === false)
    findings.push({
      id: 'durability-promise-broken',
      severity: 'critical',
      title: `The durable group broke its promise (${promise.text}).`,
      detail:
        promise.mode === 'sync'
          ? 'A sync group acknowledges a write only once the Multi-AZ transactional log holds it, so a ' +
            'failover must lose none. Acknowledged writes are missing from the new primary: raise it with AWS ' +
            'Support with this report, and check that the writes went to the durable group.'
          : 'An async group rejects writes while its oldest unpersisted write is older than its buffer, so a ' +
            'failover loses at most that window. This one lost more: raise it with AWS Support with this report.',
      figures,
    });
  else if (kept === true)
    findings.push({
      id: 'durability-promise-kept',
      severity: 'info',
      title: `The durable group kept its promise (${promise.text}).`,
      detail:
        promise.mode === 'sync'
          ? 'No acknowledged write was lost across the failover.'
          : 'What was lost stayed inside the durability buffer: writes that must survive a failover need sync.',
      figures,
    });
  if (rejectedWrites.count > 0 || rejectedWrites.clients.some((c) => c.count > 0))
    findings.push({
      id: 'durability-rejected-writes',
      severity: 'warning',
      title: `The durable primary rejected ${rejectedWrites.count} of the probe's writes (a cluster-down reply).`,
      detail:
        'A durable primary rejects writes while its transactional log is behind (async: the buffer is ' +
        'exceeded) or while it throttles traffic. They failed and were never applied: clients should retry ' +
        'them with exponential backoff.',
      figures: [
        { name: 'rejected (probe)', value: String(rejectedWrites.count) },
        ...rejectedWrites.clients.map((c) => ({ name: `rejected (${c.name})`, value: String(c.count) })),
      ],
    });
  return findings;
}
