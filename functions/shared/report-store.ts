import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { s3Objects } from './s3-objects.js';

/**
 * One past drill of a target, as the store indexes it: enough for a trend and the `history` command's
 * listing without reading the full reports. (Not a recorder's write history, nor an execution's.)
 */
export interface PastDrill {
  runId: string;
  replicationGroupId: string;
  nodeGroupId: string;
  /** Epoch ms at which the report was made. */
  at: number;
  verdict: 'pass' | 'fail' | 'error';
  downtimeMs: number;
  lost: number;
  files: { json: string; html: string };
}

/**
 * Where a drill's JSON and HTML reports are kept: S3 in AWS, a directory locally. Reports live
 * under `reports/<runId>/` (S3) or `<dir>/<runId>/`; each target's past drills under
 * `history/<group>/<nodeGroup>/<at>-<runId>.json`, so that a target's past is one listing, whatever
 * else the store holds.
 */
export interface ReportStore {
  save(runId: string, report: { json: string; html: string }): Promise<{ json: string; html: string }>;
  /** Where save puts a run's reports (so that the stored JSON can say where it is). */
  locate(runId: string): { json: string; html: string };
  /** The stored JSON report of a run, or undefined. */
  load(runId: string): Promise<unknown>;
  /** Adds a drill to its target's past drills. */
  record(entry: PastDrill): Promise<void>;
  /** Past drills of a group (one node group, or all), oldest first; the newest `limit` at most. */
  pastDrills(replicationGroupId: string, nodeGroupId?: string, limit?: number): Promise<PastDrill[]>;
}

/** Entries beyond this are not read for a trend or a listing (cost stays bounded). */
export const PAST_DRILLS_LIMIT = 100;

const pastDrillsDir = (group: string, nodeGroup?: string) =>
  nodeGroup ? `history/${group}/${nodeGroup}/` : `history/${group}/`;
/** Zero-padded epoch ms first: names sort by time. */
const pastDrillName = (e: PastDrill) => `${String(e.at).padStart(15, '0')}-${e.runId}.json`;
const byName = (a: string, b: string) => {
  const name = (p: string) => p.slice(p.lastIndexOf('/') + 1);
  return name(a).localeCompare(name(b));
};

export function s3ReportStore(s3: S3Client, bucket: string): ReportStore {
  const key = (runId: string, name: string) => `reports/${runId}/${name}`;
  const { put, get } = s3Objects(s3, bucket);
  const locate = (runId: string) => ({
    json: `s3://${bucket}/${key(runId, 'report.json')}`,
    html: `s3://${bucket}/${key(runId, 'report.html')}`,
  });
  return {
    locate,
    async save(runId, report) {
      await Promise.all([
        put(key(runId, 'report.json'), report.json, 'application/json'),
        put(key(runId, 'report.html'), report.html, 'text/html; charset=utf-8'),
      ]);
      return locate(runId);
    },
    async load(runId) {
      const text = await get(key(runId, 'report.json'));
      return text === undefined ? undefined : JSON.parse(text);
    },
    async record(entry) {
      const dir = pastDrillsDir(entry.replicationGroupId, entry.nodeGroupId);
      await put(`${dir}${pastDrillName(entry)}`, JSON.stringify(entry), 'application/json');
    },
    async pastDrills(group, nodeGroup, limit = PAST_DRILLS_LIMIT) {
      const keys: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const out = await s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: pastDrillsDir(group, nodeGroup),
            ContinuationToken,
          }),
        );
        keys.push(...(out.Contents ?? []).map((o) => o.Key ?? '').filter((k) => k.endsWith('.json')));
        ContinuationToken = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (ContinuationToken);
      const newest = keys.sort(byName).slice(-limit);
      const texts = await Promise.all(newest.map(get));
      return texts.filter((t): t is string => t !== undefined).map((t) => JSON.parse(t) as PastDrill);
    },
  };
}

export function directoryReportStore(root: string): ReportStore {
  const files = async (dir: string, nested: boolean): Promise<string[]> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const found = await Promise.all(
      entries.map(async (e) => {
        const path = join(dir, e.name);
        if (e.isDirectory()) return nested ? files(path, false) : [];
        return e.name.endsWith('.json') ? [path] : [];
      }),
    );
    return found.flat();
  };
  const locate = (runId: string) => ({
    json: join(resolve(root, runId), 'report.json'),
    html: join(resolve(root, runId), 'report.html'),
  });
  return {
    locate,
    async save(runId, report) {
      const files = locate(runId);
      await mkdir(resolve(root, runId), { recursive: true });
      await Promise.all([writeFile(files.json, report.json), writeFile(files.html, report.html)]);
      return files;
    },
    async load(runId) {
      const text = await readFile(resolve(root, runId, 'report.json'), 'utf8').catch(() => undefined);
      return text === undefined ? undefined : JSON.parse(text);
    },
    async record(entry) {
      const dir = resolve(root, pastDrillsDir(entry.replicationGroupId, entry.nodeGroupId));
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, pastDrillName(entry)), `${JSON.stringify(entry)}\n`);
    },
    async pastDrills(group, nodeGroup, limit = PAST_DRILLS_LIMIT) {
      const dir = resolve(root, pastDrillsDir(group, nodeGroup));
      const paths = (await files(dir, nodeGroup === undefined)).sort(byName).slice(-limit);
      const texts = await Promise.all(paths.map((p) => readFile(p, 'utf8')));
      return texts.map((t) => JSON.parse(t) as PastDrill);
    },
  };
}

/** REPORTS_BUCKET in AWS; REPORTS_DIR locally (default ./drill-reports). */
export function reportStoreFromEnv(s3: () => S3Client, env = process.env): ReportStore {
  return env.REPORTS_BUCKET
    ? s3ReportStore(s3(), env.REPORTS_BUCKET)
    : directoryReportStore(env.REPORTS_DIR ?? 'drill-reports');
}

/**
 * The JSON report at a report store's `files.json` (an `s3://` URI or a file path), as a reader outside
 * the drill (the gate) finds it. Only a `report.json` is read: the location is data from an execution.
 */
export async function loadReportAt(location: string, s3: () => S3Client): Promise<unknown> {
  if (!location.endsWith('/report.json')) throw new Error(`not a stored report: ${location}`);
  const uri = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
  if (!uri) return JSON.parse(await readFile(location, 'utf8'));
  const text = await s3Objects(s3(), uri[1]!).get(uri[2]!);
  if (text === undefined) throw new Error(`no stored report at ${location}`);
  return JSON.parse(text);
}
