import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** Where a drill's JSON and HTML reports are kept: S3 in AWS, a directory locally. */
export interface ReportStore {
  save(runId: string, report: { json: string; html: string }): Promise<{ json: string; html: string }>;
}

export function s3ReportStore(s3: S3Client, bucket: string): ReportStore {
  return {
    async save(runId, report) {
      const key = (name: string) => `reports/${runId}/${name}`;
      await Promise.all([
        s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key('report.json'),
            Body: report.json,
            ContentType: 'application/json',
          }),
        ),
        s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key('report.html'),
            Body: report.html,
            ContentType: 'text/html; charset=utf-8',
          }),
        ),
      ]);
      return { json: `s3://${bucket}/${key('report.json')}`, html: `s3://${bucket}/${key('report.html')}` };
    },
  };
}

export function directoryReportStore(root: string): ReportStore {
  return {
    async save(runId, report) {
      const dir = resolve(root, runId);
      await mkdir(dir, { recursive: true });
      const json = join(dir, 'report.json');
      const html = join(dir, 'report.html');
      await Promise.all([writeFile(json, report.json), writeFile(html, report.html)]);
      return { json, html };
    },
  };
}

/** REPORTS_BUCKET in AWS; REPORTS_DIR locally (default ./drill-reports). */
export function reportStoreFromEnv(s3: () => S3Client, env = process.env): ReportStore {
  return env.REPORTS_BUCKET
    ? s3ReportStore(s3(), env.REPORTS_BUCKET)
    : directoryReportStore(env.REPORTS_DIR ?? 'drill-reports');
}
