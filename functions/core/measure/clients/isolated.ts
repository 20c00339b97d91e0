/**
 * Client profiles off the probe's event loop. The profiles and the shard writers of cluster mode run in
 * one worker thread, so that the libraries' imports, their traffic and their garbage never delay the
 * probe's timers. One worker, not one per profile: each worker is an isolate that loads the whole bundle
 * (or, from source, tsx and the sources) before the probe may start, and on a Lambda's fraction of a vCPU
 * N of them cost N times that start; the profiles share a loop with each other as before, not with the
 * probe. The worker imports its libraries first and says it is ready; the probe's baseline begins after
 * that. Start and stop are the probe's moments, as before, and the records (plain data) come back by
 * message.
 *
 * The worker's file is this module's own: from source (through tsx) this file, in the Lambda bundle the
 * bundle itself, which holds this module and so this file's role check below. That way no build step and
 * no extra entry point is needed: `sam build` keeps building one handler.mjs.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import {
  isMainThread,
  type MessagePort,
  parentPort,
  threadId,
  Worker,
  workerData,
} from 'node:worker_threads';
import { ProfileWorkerError } from '../../../shared/errors.js';
import type { Clock } from '../clock.js';
import type { ClientTarget } from './client.js';
import type { ClientProfile } from './profile.js';
import { failedRun, LOADERS, type ProfileRun, type ProfileRunSettings, runClientProfiles } from './run.js';
import { runShardWriters, type Shard, shardWriterProfile } from './shards.js';

/** What the worker runs: the client profiles and, in cluster mode, the shard writers. */
export interface WorkerJob {
  profiles: { profiles: ClientProfile[]; settings: ProfileRunSettings };
  shards?: { shards: Shard[]; settings: Omit<ProfileRunSettings, 'pin' | 'cluster'> };
}

const ROLE = 'failover-drill:client-profiles';

interface WorkerInput {
  role: typeof ROLE;
  job: WorkerJob;
  target: ClientTarget;
  /** The host thread's performance.timeOrigin: the worker's clock is rebased onto it. */
  hostTimeOrigin: number;
}

type ToWorker = { type: 'start' } | { type: 'stop' };

interface Records {
  profiles: ProfileRun[];
  shards: ProfileRun[];
}

type FromWorker = ({ type: 'ready' } & WorkerReady) | ({ type: 'done' } & Records);

export interface WorkerReady {
  /** The worker's thread id (the main thread's is 0). */
  threadId: number;
  /** The worker's library imports, ms (its own start before them is not counted). */
  loadMs: number;
  /** Its performance.timeOrigin minus the host's: its clock is rebased by it. */
  offsetMs: number;
}

/** How long the probe waits at most for the worker's imports; a late worker's profiles start late. */
const READY_WAIT_MS = 10_000;

/** The records of a worker that failed: every profile and shard writer named, with the error. */
function failedRecords(job: WorkerJob, epochMs: number, error: unknown): Records {
  const { profiles, shards } = job;
  return {
    profiles: profiles.profiles.map((profile) => failedRun(profile, profiles.settings, epochMs, error)),
    shards: (shards?.shards ?? [])
      .filter((shard) => shard.slots.length > 0)
      .map((shard) =>
        failedRun(
          shardWriterProfile(shard.nodeGroupId),
          { ...shards!.settings, cluster: true, pin: shard.slots },
          epochMs,
          error,
        ),
      ),
  };
}

// ---- The worker's side ----

/**
 * performance.now() counts from the thread's own time origin (Node 20 and 22 give workers the process's,
 * an offset of 0, but the HTML spec gives each worker its own): offsetMs maps this thread's readings onto
 * the host's. The records hold times relative to each profile's start and its start as Date.now(), one
 * wall clock for every thread, so they sit on the probe's time base either way.
 */
export function rebasedClock(hostTimeOrigin: number): { clock: Clock; offsetMs: number } {
  const offsetMs = performance.timeOrigin - hostTimeOrigin;
  return { clock: { now: () => performance.now() + offsetMs, epochMs: () => Date.now() }, offsetMs };
}

async function serve(port: MessagePort, input: WorkerInput): Promise<void> {
  const loadStart = performance.now();
  const { clock, offsetMs } = rebasedClock(input.hostTimeOrigin);
  const { job, target } = input;
  const libraries = new Set(job.profiles.profiles.map((profile) => profile.library));
  // A library that cannot load fails its profiles by name when they open, as without a worker.
  await Promise.all([...libraries].map((library) => LOADERS[library]().catch(() => {})));
  const controller = new AbortController();
  let running: Promise<Records> | undefined;
  let stopped = false;
  port.on('message', (message: ToWorker) => {
    if (message.type === 'start' && !running && !controller.signal.aborted) {
      const { profiles, shards } = job;
      const deps = { clock };
      running = Promise.all([
        runClientProfiles(profiles.profiles, profiles.settings, target, controller.signal, deps),
        shards ? runShardWriters(shards.shards, shards.settings, target, controller.signal, deps) : [],
      ]).then(([profiles, shards]) => ({ profiles, shards }));
    }
    if (message.type === 'stop' && !stopped) {
      stopped = true;
      controller.abort();
      void (running ?? Promise.resolve({ profiles: [], shards: [] })).then((records) =>
        port.postMessage({ type: 'done', ...records } satisfies FromWorker),
      );
    }
  });
  const loadMs = Math.round(performance.now() - loadStart);
  port.postMessage({ type: 'ready', threadId, loadMs, offsetMs } satisfies FromWorker);
}

const input = workerData as Partial<WorkerInput> | null;
if (!isMainThread && parentPort && input?.role === ROLE) void serve(parentPort, input as WorkerInput);

// ---- The host's side ----

/** This module's file: the TypeScript source needs tsx's loader in the worker (a worker has its own). */
function workerEntry(): { url: URL; execArgv?: string[] } {
  const url = new URL(import.meta.url);
  if (!url.pathname.endsWith('.ts')) return { url };
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { url, execArgv: ['--import', tsx] };
}

export interface IsolatedProfiles {
  /**
   * The worker started and its libraries imported (or it failed: its records say so), awaited at most
   * until `byEpochMs` (and READY_WAIT_MS): the probe's baseline begins after it. undefined: not ready.
   */
  ready(byEpochMs?: number): Promise<WorkerReady | undefined>;
  start(): void;
  stop(): void;
  /** The profiles' records, in their order: [] if never started. */
  done(): Promise<ProfileRun[]>;
  /** The shard writers' records: [] if none or never started. */
  shards(): Promise<ProfileRun[]>;
}

/**
 * The profiles and shard writers in one worker of their own, started at once so that its imports run
 * before the probe's baseline; `start()` once the probe writes, `stop()` when it stops. No profile and no
 * shard writer: no worker.
 */
export function isolatedProfiles(job: WorkerJob, target: ClientTarget): IsolatedProfiles {
  const spawnedAtEpochMs = Date.now();
  const idle = job.profiles.profiles.length === 0 && (job.shards?.shards.length ?? 0) === 0;
  let started = false;
  let stopped = false;
  if (idle) {
    return {
      ready: async () => undefined,
      start: () => {},
      stop: () => {},
      done: async () => [],
      shards: async () => [],
    };
  }
  const { url, execArgv } = workerEntry();
  const data: WorkerInput = { role: ROLE, job, target, hostTimeOrigin: performance.timeOrigin };
  const worker = new Worker(url, { workerData: data, ...(execArgv ? { execArgv } : {}) });
  let onReady: (ready: WorkerReady | undefined) => void = () => {};
  const ready = new Promise<WorkerReady | undefined>((resolve) => {
    onReady = resolve;
  });
  const records = new Promise<Records>((resolve) => {
    const fail = (error: unknown) => {
      onReady(undefined);
      resolve(failedRecords(job, spawnedAtEpochMs, error));
    };
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') {
        const { type: _, ...ready } = message;
        onReady(ready);
      }
      if (message.type === 'done') {
        resolve({ profiles: message.profiles, shards: message.shards });
        void worker.terminate();
      }
    });
    worker.on('error', fail);
    // After 'done' this changes nothing (settled); before it, the worker died without its records.
    worker.on('exit', (code) =>
      fail(new ProfileWorkerError(`the client profiles' worker exited (code ${code}) before its records`)),
    );
  });
  return {
    ready: (byEpochMs = Number.POSITIVE_INFINITY) => {
      let timer: NodeJS.Timeout | undefined;
      const cap = new Promise<undefined>((resolve) => {
        timer = setTimeout(
          () => resolve(undefined),
          Math.max(0, Math.min(READY_WAIT_MS, byEpochMs - Date.now())),
        );
        timer.unref();
      });
      return Promise.race([ready, cap]).finally(() => clearTimeout(timer));
    },
    start: () => {
      if (started || stopped) return;
      started = true;
      worker.postMessage({ type: 'start' } satisfies ToWorker);
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      // Never started: nothing to drain or report.
      if (started) worker.postMessage({ type: 'stop' } satisfies ToWorker);
      else void worker.terminate();
    },
    done: async () => (started ? (await records).profiles : []),
    shards: async () => (started ? (await records).shards : []),
  };
}
