/**
 * `failover-drill measure`: observe-only. Writes until a disruption caused by something else has come and
 * settled (or the hard cap), verifies against the current primary, reports, deletes its keys.
 */
import { readFile } from 'node:fs/promises';
import { cleanup, cleanupTargetOf } from '../functions/core/measure/cleanup.js';
import { isolatedProfiles } from '../functions/core/measure/clients/isolated.js';
import {
  CLIENT_PRESETS,
  type ClientProfile,
  resolveClientProfiles,
} from '../functions/core/measure/clients/profile.js';
import {
  deleteProfileKeys,
  type ProfileVerification,
  verifyClientProfiles,
} from '../functions/core/measure/clients/profile-verify.js';
import type { ProfileRun } from '../functions/core/measure/clients/run.js';
import {
  DURABILITY_BUFFER_MS,
  DURABLE_MODES,
  type DurabilitySetting,
  type DurableMode,
} from '../functions/core/measure/durability.js';
import { DEFAULT_PREFIX } from '../functions/core/measure/keys.js';
import type { ThresholdsInput } from '../functions/core/measure/thresholds.js';
import { type Verification, verify } from '../functions/core/measure/verify.js';
import { runWriter, type WriterEvent, writerSettingsSchema } from '../functions/core/measure/writer.js';
import { buildReport, type Report } from '../functions/core/report/report.js';
import { DrillInputError } from '../functions/shared/errors.js';
import {
  createRedisClient,
  describeEndpoint,
  parseEndpoint,
  type RedisClientOptions,
  resolvePassword,
} from '../functions/shared/redis-client.js';
import { readClientFlags } from './args.js';
import { exitForSignal, Interrupted, interruptedReport, onInterrupt } from './interrupt.js';
import { runReporting } from './report-output.js';

const TITLE = 'failover-drill measure';

/**
 * Raw option values: every valued option is `[value]`, so that a missing value is our named error too
 * (but the repeatable --client, collected into a list).
 */
type Raw = Record<string, string | boolean | undefined> & { client?: string[] };

function text(raw: Raw, key: string, flag: string): string | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new DrillInputError(`${flag} needs a value`);
  return value;
}

function number(
  raw: Raw,
  key: string,
  flag: string,
  limits: { min: number; max: number; integer?: boolean },
): number | undefined {
  const value = text(raw, key, flag);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (
    !/^\d+(\.\d+)?$/.test(value) ||
    parsed < limits.min ||
    parsed > limits.max ||
    (limits.integer && !Number.isInteger(parsed))
  )
    throw new DrillInputError(
      `${flag} must be ${limits.integer ? 'an integer' : 'a number'} from ${limits.min} to ${limits.max}, got '${value}'`,
    );
  return parsed;
}

const seconds = (raw: Raw, key: string, flag: string, max = 86_400): number | undefined => {
  const value = number(raw, key, flag, { min: 0, max });
  return value === undefined ? undefined : Math.round(value * 1000);
};

export interface MeasureInput {
  client: RedisClientOptions;
  json?: string;
  keepKeys: boolean;
  writer: {
    runId: string;
    prefix?: string;
    rate?: number;
    concurrency?: number;
    baselineMs?: number;
    settleMs?: number;
    maxDurationMs: number;
    ttlSeconds?: number;
  };
  thresholds: ThresholdsInput;
  /** Client profiles beside the probe (--client). */
  clients: ClientProfile[];
  /** A durable group's mode, declared (--durability): no control plane to ask. */
  durability?: DurabilitySetting;
}

/** `--durability sync|async` (and its buffer) as the setting the report judges; refused by name otherwise. */
function declaredDurability(raw: Raw): DurabilitySetting | undefined {
  const mode = text(raw, 'durability', '--durability');
  const bufferMs = number(raw, 'durabilityBufferMs', '--durability-buffer-ms', {
    min: 1,
    max: 3_600_000,
    integer: true,
  });
  if (mode === undefined) {
    if (bufferMs !== undefined) throw new DrillInputError('--durability-buffer-ms needs --durability async');
    return undefined;
  }
  if (!(DURABLE_MODES as readonly string[]).includes(mode))
    throw new DrillInputError(`--durability must be one of ${DURABLE_MODES.join(', ')}, got '${mode}'`);
  if (bufferMs !== undefined && mode !== 'async')
    throw new DrillInputError('--durability-buffer-ms needs --durability async');
  return {
    configured: mode,
    effective: mode as DurableMode,
    source: 'declared',
    bufferMs: bufferMs ?? DURABILITY_BUFFER_MS,
  };
}

/** Validates every option before anything is touched; a refusal is a DrillInputError. */
export async function parseMeasureOptions(raw: Raw, extra: string[]): Promise<MeasureInput> {
  if (extra.length > 0) {
    const password = extra.some((arg) => /^--password(=|$)/.test(arg));
    // Names only: a stray value might be a secret.
    const names = extra.filter((arg) => arg.startsWith('-')).map((arg) => arg.split('=')[0]);
    throw new DrillInputError(
      password
        ? 'a password is never given as a flag value: use --password-env NAME or --password-file FILE'
        : names.length > 0
          ? `unknown option ${names.join(', ')}`
          : `unexpected arguments (${extra.length}); measure takes options only`,
    );
  }
  const endpointUrl = text(raw, 'endpoint', '--endpoint');
  if (!endpointUrl) throw new DrillInputError('--endpoint redis[s]://HOST:PORT is required');
  const endpoint = parseEndpoint(endpointUrl);
  const tlsCaFile = text(raw, 'tlsCa', '--tls-ca');
  const tlsCa = tlsCaFile
    ? await readFile(tlsCaFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new DrillInputError(`cannot read --tls-ca ${tlsCaFile}: ${error.code ?? error.message}`);
      })
    : undefined;
  if (tlsCa && !endpoint.tls) throw new DrillInputError('--tls-ca needs a rediss:// endpoint');
  const password = await resolvePassword({
    passwordEnv: text(raw, 'passwordEnv', '--password-env'),
    passwordFile: text(raw, 'passwordFile', '--password-file'),
  });
  const maxDurationMs = seconds(raw, 'maxDuration', '--max-duration') ?? 300_000;
  const clients = resolveClientProfiles(await readClientFlags(raw.client, Object.keys(CLIENT_PRESETS)));
  const clientLimit = (key: string, flag: string) =>
    number(raw, key, flag, { min: 0, max: 1e12, integer: !key.endsWith('Ms') });
  const clientThresholds = {
    maxDowntimeMs: clientLimit('clientMaxDowntimeMs', '--client-max-downtime-ms'),
    maxNonOkWrites: clientLimit('clientMaxNonOkWrites', '--client-max-non-ok-writes'),
    maxLostWrites: clientLimit('clientMaxLostWrites', '--client-max-lost-writes'),
    maxDuplicatedWrites: clientLimit('clientMaxDuplicatedWrites', '--client-max-duplicated-writes'),
  };
  const judged = Object.values(clientThresholds).some((v) => v !== undefined);
  if (maxDurationMs < 1) throw new DrillInputError('--max-duration must be more than 0');
  const durability = declaredDurability(raw);
  return {
    ...(durability ? { durability } : {}),
    client: {
      endpoint: describeEndpoint(endpoint),
      cluster: raw.cluster === true,
      username: text(raw, 'user', '--user'),
      password,
      tlsCa,
      commandTimeoutMs: number(raw, 'commandTimeout', '--command-timeout', {
        min: 1,
        max: 60_000,
        integer: true,
      }),
      connectionName: 'failover-drill-measure',
    },
    json: text(raw, 'json', '--json'),
    keepKeys: raw.keepKeys === true,
    writer: {
      runId: text(raw, 'runId', '--run-id') ?? `measure-${new Date().toISOString().replace(/[-:.TZ]/g, '')}`,
      prefix: text(raw, 'prefix', '--prefix'),
      rate: number(raw, 'rate', '--rate', { min: 0, max: 1_000_000 }),
      concurrency: number(raw, 'concurrency', '--concurrency', { min: 1, max: 1024, integer: true }),
      baselineMs: seconds(raw, 'baseline', '--baseline'),
      settleMs: seconds(raw, 'settle', '--settle'),
      maxDurationMs,
      ttlSeconds: number(raw, 'ttl', '--ttl', { min: 1, max: 604_800, integer: true }),
    },
    thresholds: {
      maxDowntimeMs: number(raw, 'maxDowntimeMs', '--max-downtime-ms', { min: 0, max: 86_400_000 }),
      maxLostWrites: number(raw, 'maxLostWrites', '--max-lost-writes', { min: 0, max: 1e12, integer: true }),
      maxDataLossWindowMs: number(raw, 'maxDataLossWindowMs', '--max-data-loss-window-ms', {
        min: 0,
        max: 86_400_000,
      }),
      maxUnexpectedWrites: number(raw, 'maxUnexpectedWrites', '--max-unexpected-writes', {
        min: 0,
        max: 1e12,
        integer: true,
      }),
      maxTimeToPromoteMs: number(raw, 'maxTimeToPromoteMs', '--max-time-to-promote-ms', {
        min: 0,
        max: 86_400_000,
      }),
      requireDisruption: raw.requireDisruption === true,
      ...(judged ? { clients: clientThresholds } : {}),
    },
    clients,
  };
}

function progress(event: WriterEvent): string {
  switch (event.type) {
    case 'started':
      return `writing ${event.keyBase}:<seq> … waiting for a disruption`;
    case 'disruption':
      return `disruption seen at ${Math.round(event.atMs)} ms (${event.cause === 'errors' ? 'failed writes' : 'primary changed'}); waiting for writes to settle`;
    case 'stopping':
      return `stopping (${event.reason}) at ${Math.round(event.atMs)} ms; verifying`;
  }
}

async function measureOnce(input: MeasureInput, signal: AbortSignal): Promise<Report> {
  const createClient = () => createRedisClient(input.client);
  const { tls } = parseEndpoint(input.client.endpoint);
  const createReplicaClient = (address: { host: string; port: number }) =>
    createRedisClient({ ...input.client, cluster: false, endpoint: describeEndpoint({ ...address, tls }) });
  const say = (line: string) => process.stderr.write(`${TITLE}: ${line}\n`);
  const cluster = input.client.cluster ?? false;
  // Client profiles write beside the probe, in their own key spaces, from its start until it stops, in a
  // worker thread of their own whose libraries are imported before the probe starts (isolated.ts).
  const profiles = isolatedProfiles(
    {
      profiles: {
        profiles: input.clients,
        settings: {
          runId: input.writer.runId,
          prefix: input.writer.prefix ?? DEFAULT_PREFIX,
          cluster,
          ttlSeconds: input.writer.ttlSeconds ?? writerSettingsSchema.shape.ttlSeconds.parse(undefined),
        },
      },
    },
    { ...input.client, cluster },
  );
  let summary: Awaited<ReturnType<typeof runWriter>>;
  try {
    await profiles.ready();
    summary = await runWriter(
      { ...input.writer, endpoint: input.client.endpoint, cluster, signal },
      {
        createClient,
        createReplicaClient,
        onEvent: (event) => {
          say(progress(event));
          if (event.type === 'started') profiles.start();
          if (event.type === 'stopping') profiles.stop();
        },
      },
    );
  } finally {
    profiles.stop();
  }
  const runs: ProfileRun[] = await profiles.done();
  let verification: Verification | undefined;
  let error: unknown;
  try {
    verification = await verify(summary, { createClient });
  } catch (caught) {
    error = caught;
  }
  let verifications: ProfileVerification[] | undefined;
  try {
    verifications = await verifyClientProfiles(runs, { createClient });
  } catch (caught) {
    say(`client profiles not verified: ${(caught as Error).message}`);
  }
  if (!input.keepKeys) {
    try {
      const { deleted } = await cleanup(cleanupTargetOf(summary, verification?.probed.toSeq), {
        createClient,
      });
      const profileKeys = await deleteProfileKeys(runs, { createClient });
      say(`deleted ${deleted + profileKeys.deleted} keys`);
    } catch (caught) {
      say(`cleanup failed (keys expire after ${summary.ttlSeconds} s): ${(caught as Error).message}`);
    }
  }
  return buildReport({
    summary,
    verification,
    thresholds: input.thresholds,
    failover: { triggered: false },
    clients: runs.length > 0 ? { runs, verifications } : undefined,
    ...(input.durability ? { durability: { setting: input.durability, metrics: null } } : {}),
    error,
  });
}

/** The `measure` command's action: one observed run, stopped early (and still verified) on SIGINT/SIGTERM. */
export async function runMeasure(raw: Raw, args: string[]): Promise<void> {
  const json = typeof raw.json === 'string' && raw.json !== '' ? raw.json : undefined;
  const interrupt = onInterrupt();
  try {
    await runReporting({ json, title: TITLE }, async () => {
      const report = await measureOnce(await parseMeasureOptions(raw, args), interrupt.signal);
      const signal = interrupt.received();
      return signal
        ? interruptedReport(
            report,
            new Interrupted(signal, 'the writer was stopped, its writes verified and its keys deleted'),
          )
        : report;
    });
    exitForSignal(interrupt.received());
  } finally {
    interrupt.off();
  }
}
