import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { FigureNotFoundError } from './errors.js';
import { s3Objects } from './s3-objects.js';

/**
 * Where a drill's per-writer figures live while the drill runs: S3 in AWS, a directory locally, beside
 * the reports. The state machine carries only where they are (a location) and their totals, so that no
 * state grows with the shard count (Step Functions refuses a state over 256 KB). Figures live under
 * `figures/<runId>/<name>.json` (S3) or `<dir>/<runId>/figures/<name>.json`.
 */
export interface FigureStore {
  /** Stores `value` as JSON; returns where it is (an `s3://` URI or a file path). */
  put(runId: string, name: string, value: unknown): Promise<string>;
  /** The JSON stored at `location` (as `put` returned it). */
  get(location: string): Promise<unknown>;
}

/** Names are the store's own (`shard-writers`, `shard-writers.group-3`): never a path. */
function checkedName(name: string): string {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name) || name.startsWith('.'))
    throw new Error(`not a figure name: ${name}`);
  return name;
}

export function s3FigureStore(s3: S3Client, bucket: string): FigureStore {
  const prefix = `s3://${bucket}/`;
  const objects = s3Objects(s3, bucket);
  return {
    async put(runId, name, value) {
      const Key = `figures/${checkedName(runId)}/${checkedName(name)}.json`;
      await objects.put(Key, JSON.stringify(value), 'application/json');
      return `${prefix}${Key}`;
    },
    async get(location) {
      // Only this bucket's figures: a location is data from the state, not a licence to read anywhere.
      if (!location.startsWith(`${prefix}figures/`)) throw new FigureNotFoundError(location);
      const text = await objects.get(location.slice(prefix.length));
      if (text === undefined) throw new FigureNotFoundError(location);
      return JSON.parse(text);
    },
  };
}

export function directoryFigureStore(root: string): FigureStore {
  const base = resolve(root);
  return {
    async put(runId, name, value) {
      const path = join(base, checkedName(runId), 'figures', `${checkedName(name)}.json`);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, JSON.stringify(value));
      return path;
    },
    async get(location) {
      const path = resolve(location);
      // Only this directory's figures, as in S3.
      if (!path.startsWith(`${base}/`) || !path.includes('/figures/'))
        throw new FigureNotFoundError(location);
      const text = await readFile(path, 'utf8').catch(() => undefined);
      if (text === undefined) throw new FigureNotFoundError(location);
      return JSON.parse(text);
    },
  };
}

/** REPORTS_BUCKET in AWS; REPORTS_DIR locally (default ./drill-reports), as the report store. */
export function figureStoreFromEnv(s3: () => S3Client, env = process.env): FigureStore {
  return env.REPORTS_BUCKET
    ? s3FigureStore(s3(), env.REPORTS_BUCKET)
    : directoryFigureStore(env.REPORTS_DIR ?? 'drill-reports');
}
