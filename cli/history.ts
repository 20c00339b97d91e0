import { S3Client } from '@aws-sdk/client-s3';
import { directoryReportStore, type PastDrill, s3ReportStore } from '../functions/shared/report-store.js';
import { writeFileAtomic } from './report-output.js';

export interface HistoryFlags {
  replicationGroup: string;
  nodeGroup?: string;
  reportDir?: string;
  bucket?: string;
  json?: string;
  limit: number;
}

/** One line per past drill, oldest first. */
export function formatHistory(group: string, entries: PastDrill[]): string {
  if (entries.length === 0) return `no drills of ${group} in the report store\n`;
  const lines = entries.map((e) =>
    [
      new Date(e.at).toISOString(),
      `${e.replicationGroupId}/${e.nodeGroupId}`.padEnd(24),
      e.verdict.toUpperCase().padEnd(5),
      `downtime ${String(Math.round(e.downtimeMs)).padStart(6)} ms`,
      `lost ${String(e.lost).padStart(5)}`,
      e.runId,
      e.files.json,
    ].join('  '),
  );
  return `${lines.join('\n')}\n`;
}

export async function runHistory(flags: HistoryFlags): Promise<void> {
  if (flags.reportDir && flags.bucket) {
    process.stderr.write('failover-drill history: --report-dir and --bucket exclude each other\n');
    process.exitCode = 2;
    return;
  }
  const store = flags.bucket
    ? s3ReportStore(new S3Client({}), flags.bucket)
    : directoryReportStore(flags.reportDir ?? 'drill-reports');
  try {
    const entries = await store.pastDrills(flags.replicationGroup, flags.nodeGroup, flags.limit);
    if (flags.json) writeFileAtomic(flags.json, `${JSON.stringify({ drills: entries }, null, 2)}\n`);
    process.stdout.write(formatHistory(flags.replicationGroup, entries));
  } catch (error) {
    process.stderr.write(`failover-drill history: ${(error as Error).name}: ${(error as Error).message}\n`);
    process.exitCode = 2;
  }
}
