/**
 * The local cloud, programmatically: a replication group of real redis-server processes and a control
 * plane on 127.0.0.1 that serves ElastiCache, SNS and Step Functions to the unmodified AWS SDK clients. `failover-drill
 * emulator`, `failover-drill local` and the end-to-end tests start it through here.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_ACCOUNT_ID, LOCAL_CREDENTIALS, LOCAL_REGION } from './account.js';
import { memoryMetrics } from './cloudwatch/memory-metrics.js';
import { CLOUDWATCH_TARGET_PREFIX, CloudWatchService } from './cloudwatch/service.js';
import { ControlPlane } from './control-plane.js';
import { FailoverBudget, TEST_FAILOVER_LIMIT } from './elasticache/budget.js';
import { ClusterGroup } from './elasticache/cluster-group.js';
import { LOG_METRICS } from './elasticache/durability.js';
import {
  type Endpoint,
  type FailoverModel,
  type LocalGroup,
  REALISTIC_DEFAULTS,
  type RedisAccess,
  type Role,
} from './elasticache/group.js';
import { PrimaryReplicaGroup } from './elasticache/primary-replica-group.js';
import { ELASTICACHE_VERSION, ElastiCacheService } from './elasticache/service.js';
import { statusChangeEvent, statusChangeRules } from './eventbridge/rules.js';
import { FisService } from './fis/service.js';
import {
  type GlobalOptions,
  globalLagMetrics,
  type LocalGlobal,
  resolveGlobalOptions,
  startGlobal,
} from './global.js';
import { assertBuiltFunctions } from './lambda/handler-module.js';
import { LocalLambda } from './lambda/service.js';
import { createTlsFiles } from './redis/tls.js';
import { SECRETS_MANAGER_TARGET_PREFIX, SecretsManagerService } from './secretsmanager/service.js';
import { type PublishedMessage, SNS_VERSION, SnsService } from './sns/service.js';
import { nestedExecution } from './stepfunctions/nested.js';
import {
  type DrillMachineOptions,
  drillStateMachine,
  faultStopStateMachine,
  fleetStateMachine,
} from './stepfunctions/runner.js';
import {
  type ExecutionSummary,
  LocalStepFunctions,
  type LocalStepFunctionsOptions,
  SFN_TARGET_PREFIX,
} from './stepfunctions/service.js';
import { functionSpecs, loadTemplate } from './template.js';

export interface LocalCloudOptions {
  /** Control plane port; default a free one. */
  port?: number;
  clusterMode?: 'enabled' | 'disabled';
  /** Cluster mode enabled: node groups (default 3). */
  shards?: number;
  /** Replicas per node group (default 2 with cluster mode disabled, 1 with it enabled). */
  replicas?: number;
  /** A delay line on every replication link (cluster mode disabled only). */
  replicationLagMs?: number;
  /** A durable group (Valkey 9.0, `Durability`): sync makes the delay line a log; async leaves it lossy. */
  durability?: 'sync' | 'async';
  /** A test-only fault: the sync log loses what reached it in its last that many ms. */
  durabilityDropTailMs?: number;
  /** Async: writes are rejected while the log's oldest write is older than this (default 10,000 ms). */
  durabilityBufferMs?: number;
  /** Tag the group with failover-drill:allowed=true (default true). */
  optInTag?: boolean;
  tls?: boolean;
  /** An AUTH token (requirepass) and an ACL user. */
  auth?: boolean;
  /** Hand over without loss instead of crashing the primary. */
  graceful?: boolean;
  /** TestFailover call → primary crash (default 500 ms; realistic: to the promotion, default 1000 ms). */
  detectionDelayMs?: number;
  /**
   * `fast` (default) or `realistic`: ElastiCache's phases, the primary stops answering before its
   * promotion; cluster mode disabled: DNS lag and READONLY; enabled: the slot map moves, then MOVED.
   */
  failoverModel?: FailoverModel;
  /** Realistic, cluster mode disabled: the primary endpoint's name still points at the old node this long. */
  dnsTtlMs?: number;
  /** Realistic: connections to the old node live on this long after the name moved (cluster mode: the promotion). */
  staleConnectionsMs?: number;
  groupId?: string;
  /** Replication groups alike (a fleet): with more than one, `<groupId>-1` … `<groupId>-N` (default 1). */
  groups?: number;
  /** Published SNS messages are appended here as JSON lines. */
  snsLogFile?: string;
  /** TestFailover quota per rolling 24 h (default 15, as on AWS). */
  testFailoverLimit?: number;
  /**
   * Run the Lambda Tasks of the drill and the fleet through the built artifacts in this directory (a
   * task root per function, as `sam build` writes `.aws-sam/build`) instead of the TypeScript sources.
   */
  bundles?: string;
  /** Hooks of the local Step Functions (e.g. on every execution's end). */
  stepFunctions?: LocalStepFunctionsOptions;
  /** CloudWatch alarms created in state OK (the drill's stop conditions). */
  alarms?: string[];
  /** A second region: a secondary group joined to the group in a Global Datastore (cluster mode disabled). */
  global?: GlobalOptions;
}

export interface DataPlaneNode extends Endpoint {
  id: string;
  role: Role;
}

/** What a client needs to reach the group's data plane. */
export interface DataPlaneFacts {
  groupId: string;
  clusterMode: 'enabled' | 'disabled';
  primaryEndpoint?: Endpoint;
  readerEndpoint?: Endpoint;
  configurationEndpoint?: Endpoint;
  nodeGroups: { id: string; slots?: string; nodes: DataPlaneNode[] }[];
  /**
   * AUTH token (the default user's password) and an ACL user with every permission, whose credentials are
   * also the Secrets Manager secret `secretArn` (as `{"username","password"}`), which the handlers read.
   */
  auth?: { token: string; username: string; password: string; secretArn: string };
  tls?: { ca: string; caFile: string };
}

export interface LocalCloud {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  groupId: string;
  /** Every replication group of the cloud (one, or a fleet's). */
  groupIds: string[];
  /** A topic created for reports (SNS also serves CreateTopic). */
  snsTopicArn: string;
  controlPlane: ControlPlane;
  elastiCache: ElastiCacheService;
  sns: SnsService;
  /** AWS FIS: the AZ power interruption of a local group (the drill's fault source fis-az-power). */
  fis: FisService;
  /** The built artifacts the Lambda Tasks run from, if not the sources (LocalCloudOptions.bundles). */
  bundles?: string;
  /** Step Functions with the template's state machines created (executions run the real ASL and handlers). */
  stepFunctions: LocalStepFunctions;
  stateMachineArn: string;
  /** The fleet's state machine (its Map runs the drill's as nested executions). */
  fleetStateMachineArn: string;
  /** fis-az-power's power back (EXPRESS), run by the drill's failure paths and by the reaper. */
  faultStopStateMachineArn: string;
  /**
   * What a state machine of this cloud runs on: its functions (or bundles), its FIS, nested executions in
   * `stepFunctions` — for a drill run outside the service (`failover-drill local`, tests).
   */
  machineOptions: DrillMachineOptions;
  cloudWatch: CloudWatchService;
  /** Secrets Manager: the data plane's secret when the group has AUTH. */
  secretsManager: SecretsManagerService;
  /** The template's functions, invoked as Lambda invokes them (the reaper, Cleanup, …). */
  lambda: LocalLambda;
  /** Current facts: roles move with failovers. */
  readonly group: DataPlaneFacts;
  /** The Global Datastore and its second region, with the `global` option. */
  global?: LocalGlobal;
  /** The secondary group's current facts, with the `global` option. */
  readonly secondaryGroup?: DataPlaneFacts;
  /** Environment for SDK clients in child processes: endpoints of every mounted service, region, keys. */
  env(): Record<string, string>;
  published(): PublishedMessage[];
  /** Resolves when every EventBridge delivery so far (the reaper) has finished. */
  delivered(): Promise<void>;
  /** Resolves when no failover is under way. */
  idle(): Promise<void>;
  /** Stops every process, proxy and the control plane. Idempotent. */
  stop(): Promise<void>;
}

export class LocalCloudOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalCloudOptionsError';
  }
}

export const OPT_IN_TAG = { key: 'failover-drill:allowed', value: 'true' };
export const DEFAULT_GROUP_ID = 'drill-demo';
export const REPORT_TOPIC = 'failover-drill-reports';
const ACL_USER = 'failover-drill';
/** The data plane's secret in the local Secrets Manager (the template's RedisSecretArn). */
export const DATA_PLANE_SECRET = 'failover-drill/data-plane';

/** The SDK's per-service endpoint variable for each signing name a service may be mounted under. */
const ENDPOINT_VARIABLES: Record<string, string> = {
  elasticache: 'AWS_ENDPOINT_URL_ELASTICACHE',
  sns: 'AWS_ENDPOINT_URL_SNS',
  states: 'AWS_ENDPOINT_URL_SFN',
  monitoring: 'AWS_ENDPOINT_URL_CLOUDWATCH',
  lambda: 'AWS_ENDPOINT_URL_LAMBDA',
  secretsmanager: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  s3: 'AWS_ENDPOINT_URL_S3',
  fis: 'AWS_ENDPOINT_URL_FIS',
};

function integer(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new LocalCloudOptionsError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return n;
}

/** The most node groups a local cluster has (ElastiCache: 500; a laptop: 64, issue 26). */
export const MAX_SHARDS = 64;
/** The most redis-server processes a local group starts. */
const MAX_PROCESSES = 128;

/** Options with defaults applied; refuses what the local cloud cannot do. */
export function resolveOptions(o: LocalCloudOptions) {
  const clusterMode = o.clusterMode ?? 'disabled';
  if (clusterMode !== 'enabled' && clusterMode !== 'disabled') {
    throw new LocalCloudOptionsError(`clusterMode must be enabled or disabled, got ${String(clusterMode)}`);
  }
  const enabled = clusterMode === 'enabled';
  const replicationLagMs = integer('replicationLagMs', o.replicationLagMs, 0, 0, 10_000);
  if (enabled && replicationLagMs > 0) {
    throw new LocalCloudOptionsError(
      'replicationLagMs is not supported with cluster mode enabled: the cluster bus tells replicas the ' +
        "primary's real address, so their replication link cannot pass through a delay line",
    );
  }
  if (o.durability !== undefined && o.durability !== 'sync' && o.durability !== 'async')
    throw new LocalCloudOptionsError(`durability must be sync or async, got ${String(o.durability)}`);
  if (enabled && o.durability !== undefined)
    throw new LocalCloudOptionsError(
      'durability is emulated with cluster mode disabled only: the log lives on the replication delay line',
    );
  const durabilityDropTailMs = integer('durabilityDropTailMs', o.durabilityDropTailMs, 0, 0, 60_000);
  const durabilityBufferMs = integer('durabilityBufferMs', o.durabilityBufferMs, 10_000, 1, 3_600_000);
  if (o.durabilityBufferMs !== undefined && o.durability !== 'async')
    throw new LocalCloudOptionsError('durabilityBufferMs is the async buffer: it needs durability async');
  if (durabilityDropTailMs > 0 && o.durability !== 'sync')
    throw new LocalCloudOptionsError(
      'durabilityDropTailMs is a fault of the sync log: it needs durability sync',
    );
  if (!enabled && o.shards !== undefined && o.shards !== 1) {
    throw new LocalCloudOptionsError(
      'shards needs cluster mode enabled (cluster mode disabled has one node group)',
    );
  }
  const failoverModel = o.failoverModel ?? 'fast';
  if (failoverModel !== 'fast' && failoverModel !== 'realistic')
    throw new LocalCloudOptionsError(`failoverModel must be fast or realistic, got ${String(failoverModel)}`);
  const realistic = failoverModel === 'realistic';
  if (!realistic && (o.dnsTtlMs !== undefined || o.staleConnectionsMs !== undefined))
    throw new LocalCloudOptionsError('dnsTtlMs and staleConnectionsMs need failoverModel realistic');
  if (enabled && o.dnsTtlMs !== undefined)
    throw new LocalCloudOptionsError(
      'dnsTtlMs models the primary endpoint of cluster mode disabled; with cluster mode enabled no name moves: clients follow the slot map',
    );
  const shards = enabled ? integer('shards', o.shards, 3, 1, MAX_SHARDS) : 1;
  const replicas = integer('replicas', o.replicas, enabled ? 1 : 2, 0, 5);
  // 64 shards with a replica each: 128 redis-server processes, each of bounded memory (NODE_MEMORY).
  if (shards * (1 + replicas) > MAX_PROCESSES)
    throw new LocalCloudOptionsError(
      `shards × (1 + replicas) must be at most ${MAX_PROCESSES} redis-server processes, got ${shards * (1 + replicas)}`,
    );
  const groupId = o.groupId ?? DEFAULT_GROUP_ID;
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(groupId) || groupId.endsWith('-') || groupId.includes('--')) {
    throw new LocalCloudOptionsError(`groupId ${groupId} is not a valid replication group id`);
  }
  return {
    port: integer('port', o.port, 0, 0, 65_535),
    clusterMode,
    shards,
    replicas,
    replicationLagMs,
    ...(o.durability
      ? { durability: { mode: o.durability, dropTailMs: durabilityDropTailMs, bufferMs: durabilityBufferMs } }
      : {}),
    optInTag: o.optInTag ?? true,
    tls: o.tls ?? false,
    auth: o.auth ?? false,
    graceful: o.graceful ?? false,
    failoverModel,
    detectionDelayMs: integer(
      'detectionDelayMs',
      o.detectionDelayMs,
      realistic ? REALISTIC_DEFAULTS.detectionDelayMs : 500,
      0,
      60_000,
    ),
    dnsTtlMs: integer('dnsTtlMs', o.dnsTtlMs, REALISTIC_DEFAULTS.dnsTtlMs, 0, 600_000),
    staleConnectionsMs: integer(
      'staleConnectionsMs',
      o.staleConnectionsMs,
      REALISTIC_DEFAULTS.staleConnectionsMs,
      0,
      600_000,
    ),
    groupId,
    groupIds:
      o.groups === undefined || o.groups === 1
        ? [groupId]
        : Array.from({ length: integer('groups', o.groups, 1, 1, 10) }, (_, i) => `${groupId}-${i + 1}`),
    snsLogFile: o.snsLogFile,
    testFailoverLimit: integer('testFailoverLimit', o.testFailoverLimit, TEST_FAILOVER_LIMIT, 0, 1000),
    stepFunctions: o.stepFunctions ?? {},
    bundles: o.bundles,
    alarms: alarmNames(o.alarms ?? []),
    global: globalOptions(o, clusterMode),
  } as const;
}

function globalOptions(o: LocalCloudOptions, clusterMode: string) {
  if (o.global === undefined) return undefined;
  if (clusterMode !== 'disabled' || (o.groups ?? 1) !== 1)
    throw new LocalCloudOptionsError('global needs one group with cluster mode disabled');
  return resolveGlobalOptions(o.global);
}

function alarmNames(names: string[]): string[] {
  for (const name of names) {
    if (name.length < 1 || name.length > 255 || [...name].some((c) => c.charCodeAt(0) < 0x20))
      throw new LocalCloudOptionsError(`alarm name ${JSON.stringify(name)} is not a CloudWatch alarm name`);
  }
  return [...new Set(names)];
}

export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const o = resolveOptions(options);
  const cleanup: (() => Promise<void>)[] = [];
  const runCleanup = async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => {});
  };
  try {
    // A missing artifact is refused before any process is started, by the name Lambda gives it.
    if (o.bundles) assertBuiltFunctions(o.bundles, Object.values(functionSpecs(loadTemplate())));
    // The port first: a port in use fails before any process is started.
    const controlPlane = await ControlPlane.start({ port: o.port });
    cleanup.push(() => controlPlane.close());
    const access: RedisAccess = {};
    let facts: Pick<DataPlaneFacts, 'auth' | 'tls'> = {};
    const account = { region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID };
    const secretsManager = new SecretsManagerService(account);
    if (o.tls) {
      const dir = await mkdtemp(join(tmpdir(), 'failover-drill-tls-'));
      cleanup.push(() => rm(dir, { recursive: true, force: true }));
      access.tls = await createTlsFiles(dir);
      facts = { ...facts, tls: { ca: access.tls.ca, caFile: access.tls.caFile } };
    }
    if (o.auth) {
      const token = randomBytes(16).toString('hex');
      const password = randomBytes(16).toString('hex');
      access.password = token;
      access.aclUsers = [`${ACL_USER} on >${password} ~* &* +@all`];
      const secret = secretsManager.createSecret(DATA_PLANE_SECRET, {
        SecretString: JSON.stringify({ username: ACL_USER, password }),
      });
      facts = { ...facts, auth: { token, username: ACL_USER, password, secretArn: secret.arn } };
    }

    const timing = {
      model: o.failoverModel,
      detectionDelayMs: o.detectionDelayMs,
      dnsTtlMs: o.dnsTtlMs,
      staleConnectionsMs: o.staleConnectionsMs,
      graceful: o.graceful,
    };
    const startGroup = (id: string): Promise<LocalGroup> =>
      o.clusterMode === 'enabled'
        ? ClusterGroup.start({
            id,
            shards: o.shards,
            replicas: o.replicas,
            ...access,
            ...timing,
          })
        : PrimaryReplicaGroup.start({
            id,
            replicas: o.replicas,
            replicationLagMs: o.replicationLagMs,
            durability: o.durability,
            ...access,
            ...timing,
          });
    const groups: LocalGroup[] = [];
    // One after another: a fleet's groups are started as one group is, and each is stopped on failure.
    for (const id of o.groupIds) {
      const started = await startGroup(id);
      groups.push(started);
      cleanup.push(() => started.stop());
    }
    const group = groups[0]!;

    const elastiCache = new ElastiCacheService({
      ...account,
      budget: new FailoverBudget(o.testFailoverLimit),
      // CreateReplicationGroup starts a group as the CLI's is started (create-group.ts), stopped with the cloud.
      createGroup: async (request) => {
        const created = await PrimaryReplicaGroup.start({
          id: request.id,
          replicas: request.replicas,
          replicationLagMs: o.replicationLagMs,
          ...(request.durability ? { durability: { mode: request.durability } } : {}),
          ...access,
          ...timing,
        });
        cleanup.push(() => created.stop());
        return created;
      },
    });
    for (const g of groups) elastiCache.addGroup(g, o.optInTag ? { [OPT_IN_TAG.key]: OPT_IN_TAG.value } : {});
    const sns = new SnsService({ ...account, logFile: o.snsLogFile });
    const snsTopicArn = sns.createTopic(REPORT_TOPIC);

    const tags = o.optInTag ? { [OPT_IN_TAG.key]: OPT_IN_TAG.value } : {};
    const global =
      o.global &&
      (await startGlobal(
        o.global,
        { group: group as PrimaryReplicaGroup, handler: elastiCache },
        { ...access, ...timing, replicas: o.replicas, tags },
      ));
    if (global) cleanup.push(() => global.stop());
    controlPlane.mount('elasticache', global?.service.handler ?? elastiCache.handler, {
      queryVersion: ELASTICACHE_VERSION,
    });
    controlPlane.mount('sns', sns.handler, { queryVersion: SNS_VERSION });
    const fis = new FisService(account, elastiCache);
    controlPlane.mount('fis', fis.handler);
    // Before the groups stop: power comes back and every experiment ends.
    cleanup.push(async () => {
      fis.stopAll();
      await fis.idle();
    });
    const cloudWatch = new CloudWatchService(account);
    for (const name of o.alarms) cloudWatch.putMetricAlarm(name, {}, 'OK');
    // A durable group's log publishes AWS/ElastiCache's durability metrics per node (durability.ts).
    cloudWatch.serveMetrics((q) => {
      const node = q.dimensions.CacheClusterId;
      const metric = LOG_METRICS.find((m) => m === q.metricName);
      if (q.namespace !== 'AWS/ElastiCache' || !node || !metric) return undefined;
      return elastiCache.durabilitySeconds(metric, node, q.fromMs, q.toMs);
    });
    // A Global Datastore's secondary publishes GlobalDatastoreReplicationLag from its WAN link (global.ts).
    if (global) cloudWatch.serveMetrics(globalLagMetrics(global.service));
    // Every node's memory (memory-metrics.ts): what a scale-in's headroom guardrail reads.
    cloudWatch.serveMetrics(memoryMetrics((node) => elastiCache.memory(node)));
    controlPlane.mount('monitoring', cloudWatch.handler, { targetPrefix: CLOUDWATCH_TARGET_PREFIX });
    controlPlane.mount('secretsmanager', secretsManager.handler, {
      targetPrefix: SECRETS_MANAGER_TARGET_PREFIX,
    });
    // Created before the state machines: a drill's stop-fault execution is nested in it (the fleet's drills too).
    const stepFunctions = new LocalStepFunctions({
      ...o.stepFunctions,
      onExecutionEnd: (execution) => {
        o.stepFunctions.onExecutionEnd?.(execution);
        if (execution.stateMachineArn === stateMachineArn) deliver(execution);
      },
    });
    const handlers: DrillMachineOptions = {
      bundles: o.bundles,
      sdk: { fis, cloudwatch: cloudWatch },
      startExecutionSync: nestedExecution(stepFunctions),
    };
    const lambda = new LocalLambda(handlers);
    controlPlane.mount('lambda', lambda.handler);
    // The template's EventBridge rules on execution ends (the reaper), delivered as EventBridge does.
    const rules = statusChangeRules(loadTemplate());
    const deliveries = new Set<Promise<unknown>>();
    const deliver = (execution: ExecutionSummary) => {
      for (const rule of rules.filter((r) => r.statuses.includes(execution.status))) {
        const delivery = lambda
          .invoke(rule.functionId, statusChangeEvent(execution))
          .catch(() => {}) // as EventBridge: the target's failure is its own (it logs it)
          .finally(() => deliveries.delete(delivery));
        deliveries.add(delivery);
      }
    };
    const faultStopStateMachineArn = stepFunctions.addStateMachine(faultStopStateMachine(handlers));
    const stateMachineArn = stepFunctions.addStateMachine(drillStateMachine(handlers));
    // The fleet's: each of its targets a nested execution of the drill's, in this same service.
    const fleetStateMachineArn = stepFunctions.addStateMachine(fleetStateMachine(handlers));
    // Before anything stops: the deliveries still running (a reaper cleaning up) finish first.
    cleanup.push(async () => {
      await Promise.all([...deliveries]);
    });
    controlPlane.mount('states', stepFunctions.handle, { targetPrefix: SFN_TARGET_PREFIX });
    controlPlane.open();

    let stopping: Promise<void> | undefined;
    return {
      endpoint: controlPlane.endpoint,
      region: LOCAL_REGION,
      credentials: { ...LOCAL_CREDENTIALS },
      groupId: group.id,
      groupIds: groups.map((g) => g.id),
      snsTopicArn,
      controlPlane,
      elastiCache,
      sns,
      fis,
      stepFunctions,
      stateMachineArn,
      fleetStateMachineArn,
      faultStopStateMachineArn,
      machineOptions: handlers,
      bundles: o.bundles,
      cloudWatch,
      secretsManager,
      lambda,
      get group(): DataPlaneFacts {
        return { ...dataPlaneFacts(group), ...facts };
      },
      global,
      get secondaryGroup(): DataPlaneFacts | undefined {
        return global && { ...dataPlaneFacts(global.secondaryGroup), ...facts };
      },
      env() {
        const env: Record<string, string> = {
          AWS_REGION: LOCAL_REGION,
          AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        };
        for (const service of controlPlane.mounted()) {
          const variable = ENDPOINT_VARIABLES[service];
          if (variable) env[variable] = controlPlane.endpoint;
        }
        return env;
      },
      published: () => sns.published(),
      delivered: async () => {
        while (deliveries.size > 0) await Promise.all([...deliveries]);
      },
      idle: async () => {
        await global?.service.idle();
        await elastiCache.idle();
      },
      stop() {
        stopping ??= runCleanup();
        return stopping;
      },
    };
  } catch (error) {
    await runCleanup();
    throw error;
  }
}

function dataPlaneFacts(group: LocalGroup): Omit<DataPlaneFacts, 'auth' | 'tls'> {
  const view = group.view();
  const [first] = view.nodeGroups;
  return {
    groupId: view.id,
    clusterMode: view.clusterMode,
    primaryEndpoint: view.clusterMode === 'disabled' ? first?.primaryEndpoint : undefined,
    readerEndpoint: view.clusterMode === 'disabled' ? first?.readerEndpoint : undefined,
    configurationEndpoint: view.configurationEndpoint,
    nodeGroups: view.nodeGroups.map((ng) => ({
      id: ng.id,
      slots: ng.slots,
      nodes: ng.members.map((m) => ({ id: m.id, role: m.role, ...m.endpoint })),
    })),
  };
}
