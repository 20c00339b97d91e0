/**
 * AWS FIS (REST-JSON, API 2020-12-01) as far as the drill's fault source needs it: experiment templates
 * with the one ElastiCache action, `aws:elasticache:replicationgroup-interrupt-az-power`, and experiments
 * that power off every node of the target's Availability Zone in the local group for the action's
 * `duration` (through the local ElastiCache, which promotes a replica elsewhere and brings the nodes back
 * as replicas). StopExperiment restores power early, as FIS does when an experiment is stopped.
 */
import { randomBytes } from 'node:crypto';
import {
  AZ_POWER_ACTION,
  FIS_DURATION_MS,
  parseIsoDuration,
  REPLICATION_GROUP_TARGET,
} from '../../functions/core/drill/faults/fis-az-power.js';
import type { Account } from '../account.js';
import type { ServiceHandler } from '../control-plane.js';
import type { ElastiCacheService } from '../elasticache/service.js';
import { RestJsonFault, type Route, restJsonOperation, restJsonService } from '../protocols/rest-json.js';

export const FIS_VERSION = '2020-12-01';
/** FIS takes ISO 8601 durations for this action, up to 12 hours (the local FIS takes them from PT1S). */
const MAX_DURATION_MS = FIS_DURATION_MS.max;

export const fisFaults = {
  validation: (message: string) => new RestJsonFault('ValidationException', 400, message),
  notFound: (what: string, id: string) =>
    new RestJsonFault('ResourceNotFoundException', 404, `${what} ${id} not found`),
  conflict: (message: string) => new RestJsonFault('ConflictException', 409, message),
};

type Json = Record<string, unknown>;
type Status = 'pending' | 'initiating' | 'running' | 'completed' | 'stopping' | 'stopped' | 'failed';

interface Target {
  resourceType: string;
  /** FIS selects a target's resources by ARNs or by tags (one of the two). */
  resourceArns?: string[];
  resourceTags?: Record<string, string>;
  selectionMode: string;
  parameters: Record<string, string>;
}

interface Action {
  actionId: string;
  description?: string;
  parameters: Record<string, string>;
  targets: Record<string, string>;
}

interface Template {
  id: string;
  arn: string;
  description: string;
  targets: Record<string, Target>;
  actions: Record<string, Action>;
  stopConditions: { source: string; value?: string }[];
  roleArn: string;
  tags: Record<string, string>;
  creationTime: number;
}

interface Experiment {
  id: string;
  arn: string;
  template: Template;
  status: Status;
  reason?: string;
  creationTime: number;
  startTime?: number;
  endTime?: number;
  tags: Record<string, string>;
  /** Ends the power interruption early (StopExperiment). */
  restore: () => void;
  /** The powered-off members, once running. */
  members: string[];
}

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringMap(value: unknown, name: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value) || Object.values(value).some((v) => typeof v !== 'string'))
    throw fisFaults.validation(`${name} must be a map of strings`);
  return value as Record<string, string>;
}

function requiredString(body: Json, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value.length === 0) throw fisFaults.validation(`${name} is required`);
  return value;
}

export class FisService {
  /** For the local Step Functions' AWS SDK integration (`aws-sdk:fis:*`): what FIS's model says of members. */
  readonly errorPrefix = 'Fis';
  /** Map-valued members of the operations served (botocore's fis model; held to it by a test). */
  readonly mapMembers: ReadonlySet<string> = new Set([
    'actions',
    'parameters',
    'resourceTags',
    'tags',
    'targets',
  ]);
  readonly timestampMembers: ReadonlySet<string> = new Set([
    'creationTime',
    'endTime',
    'lastUpdateTime',
    'startTime',
  ]);
  readonly handler: ServiceHandler;
  readonly operations: string[];
  readonly routes: Route[];
  private readonly templates = new Map<string, Template>();
  private readonly experiments = new Map<string, Experiment>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly account: Account,
    private readonly elastiCache: ElastiCacheService,
  ) {
    this.routes = [
      {
        operation: 'CreateExperimentTemplate',
        method: 'POST',
        path: '/experimentTemplates',
        handle: (_, b) => this.createTemplate(b),
      },
      {
        operation: 'GetExperimentTemplate',
        method: 'GET',
        path: '/experimentTemplates/{id}',
        handle: (l) => ({ experimentTemplate: this.templateJson(this.template(l.id!)) }),
      },
      {
        operation: 'DeleteExperimentTemplate',
        method: 'DELETE',
        path: '/experimentTemplates/{id}',
        handle: (l) => this.deleteTemplate(l.id!),
      },
      {
        operation: 'StartExperiment',
        method: 'POST',
        path: '/experiments',
        handle: (_, b) => this.startExperiment(b),
      },
      {
        operation: 'ListExperiments',
        method: 'GET',
        path: '/experiments',
        handle: (_, __, q) => this.listExperiments(q),
      },
      {
        operation: 'GetExperiment',
        method: 'GET',
        path: '/experiments/{id}',
        handle: (l) => ({ experiment: this.experimentJson(this.experiment(l.id!)) }),
      },
      {
        operation: 'StopExperiment',
        method: 'DELETE',
        path: '/experiments/{id}',
        handle: (l) => this.stopExperiment(l.id!),
      },
    ];
    this.operations = this.routes.map((r) => r.operation);
    this.handler = restJsonService(this.routes, fisFaults.validation);
  }

  /** The operation a request names (for observers such as the conformance suite). */
  operationOf(request: { method: string; url: string }): string {
    return restJsonOperation(this.routes, request);
  }

  /**
   * An operation called in-process with its API members (camelCase), as the local Step Functions' AWS SDK
   * integration calls it: the same route as over the wire, path labels and (for GET) the query taken from the
   * members. A fault is thrown as RestJsonFault.
   */
  async call(operation: string, input: Json): Promise<Json> {
    const route = this.routes.find((r) => r.operation === operation);
    if (!route)
      throw new RestJsonFault('UnknownOperationException', 400, `FIS has no operation ${operation}`);
    const labels: Record<string, string> = {};
    const rest: Json = { ...input };
    for (const [, name] of route.path.matchAll(/\{(\w+)\}/g)) {
      labels[name!] = String(rest[name!] ?? '');
      delete rest[name!];
    }
    const query =
      route.method === 'GET' ? Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, String(v)])) : {};
    return (await route.handle(labels, route.method === 'GET' ? {} : rest, query)) as Json;
  }

  /** Every experiment's id and status (tests: was it stopped?). */
  list(): { id: string; status: Status; members: string[] }[] {
    return [...this.experiments.values()].map((e) => ({ id: e.id, status: e.status, members: e.members }));
  }

  /** Resolves when no experiment is powering anything off. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** Restores power everywhere (the cloud stopping). */
  stopAll(): void {
    for (const e of this.experiments.values()) e.restore();
  }

  private id(prefix: string): string {
    return `${prefix}${randomBytes(8).toString('hex').slice(0, 15)}`;
  }

  private template(id: string): Template {
    const t = this.templates.get(id);
    if (!t) throw fisFaults.notFound('Experiment template', id);
    return t;
  }

  private experiment(id: string): Experiment {
    const e = this.experiments.get(id);
    if (!e) throw fisFaults.notFound('Experiment', id);
    return e;
  }

  private createTemplate(body: Json): Json {
    requiredString(body, 'clientToken');
    const description = requiredString(body, 'description');
    const roleArn = requiredString(body, 'roleArn');
    if (!Array.isArray(body.stopConditions) || body.stopConditions.length === 0)
      throw fisFaults.validation('stopConditions is required');
    const stopConditions = body.stopConditions.map((c) => {
      if (!isRecord(c) || typeof c.source !== 'string')
        throw fisFaults.validation('stopConditions[].source is required');
      if (c.source !== 'none')
        throw fisFaults.validation(`stop condition source ${c.source} is not served locally (use none)`);
      return { source: c.source };
    });
    const targets: Record<string, Target> = {};
    for (const [name, raw] of Object.entries(isRecord(body.targets) ? body.targets : {})) {
      if (!isRecord(raw)) throw fisFaults.validation(`targets.${name} must be an object`);
      const resourceType = requiredString(raw, 'resourceType');
      if (resourceType !== REPLICATION_GROUP_TARGET)
        throw fisFaults.validation(`Target resource type ${resourceType} is not supported by the local FIS`);
      const arns = raw.resourceArns;
      const byTags = raw.resourceTags !== undefined;
      // As FIS: at least one ARN or at least one tag, never both.
      if (byTags === (arns !== undefined))
        throw fisFaults.validation(`targets.${name}: specify resourceArns or resourceTags, not both`);
      if (!byTags && (!Array.isArray(arns) || arns.length === 0 || arns.some((a) => typeof a !== 'string')))
        throw fisFaults.validation(`targets.${name}.resourceArns must list at least one ARN`);
      const resourceTags = byTags ? stringMap(raw.resourceTags, `targets.${name}.resourceTags`) : undefined;
      if (resourceTags && Object.keys(resourceTags).length === 0)
        throw fisFaults.validation(`targets.${name}.resourceTags must hold at least one tag`);
      const parameters = stringMap(raw.parameters, `targets.${name}.parameters`);
      if (!parameters.availabilityZoneIdentifier)
        throw fisFaults.validation(
          `targets.${name}: the target parameter availabilityZoneIdentifier is required`,
        );
      targets[name] = {
        resourceType,
        ...(byTags ? { resourceTags } : { resourceArns: arns as string[] }),
        selectionMode: requiredString(raw, 'selectionMode'),
        parameters,
      };
    }
    const actions: Record<string, Action> = {};
    for (const [name, raw] of Object.entries(isRecord(body.actions) ? body.actions : {})) {
      if (!isRecord(raw)) throw fisFaults.validation(`actions.${name} must be an object`);
      const actionId = requiredString(raw, 'actionId');
      if (actionId !== AZ_POWER_ACTION)
        throw fisFaults.validation(`Action ${actionId} is not supported by the local FIS`);
      const parameters = stringMap(raw.parameters, `actions.${name}.parameters`);
      const duration = parseIsoDuration(parameters.duration ?? '');
      if (duration === undefined || duration < 1000 || duration > MAX_DURATION_MS)
        throw fisFaults.validation(
          `actions.${name}.parameters.duration must be an ISO 8601 duration up to PT12H`,
        );
      const actionTargets = stringMap(raw.targets, `actions.${name}.targets`);
      const targetName = actionTargets.ReplicationGroups;
      if (!targetName || !targets[targetName])
        throw fisFaults.validation(
          `actions.${name}.targets.ReplicationGroups must name one of the template's targets`,
        );
      actions[name] = {
        actionId,
        description: typeof raw.description === 'string' ? raw.description : undefined,
        parameters,
        targets: actionTargets,
      };
    }
    if (Object.keys(actions).length === 0) throw fisFaults.validation('actions is required');
    const id = this.id('EXT');
    const template: Template = {
      id,
      arn: `arn:aws:fis:${this.account.region}:${this.account.accountId}:experiment-template/${id}`,
      description,
      targets,
      actions,
      stopConditions,
      roleArn,
      tags: stringMap(body.tags, 'tags'),
      creationTime: Date.now(),
    };
    this.templates.set(id, template);
    return { experimentTemplate: this.templateJson(template) };
  }

  private deleteTemplate(id: string): Json {
    const template = this.template(id);
    this.templates.delete(id);
    return { experimentTemplate: this.templateJson(template) };
  }

  private startExperiment(body: Json): Json {
    requiredString(body, 'clientToken');
    const template = this.template(requiredString(body, 'experimentTemplateId'));
    const id = this.id('EXP');
    let restore!: () => void;
    const restored = new Promise<void>((resolve) => {
      restore = resolve;
    });
    const experiment: Experiment = {
      id,
      arn: `arn:aws:fis:${this.account.region}:${this.account.accountId}:experiment/${id}`,
      template,
      status: 'initiating',
      creationTime: Date.now(),
      tags: stringMap(body.tags, 'tags'),
      restore,
      members: [],
    };
    this.experiments.set(id, experiment);
    const run = this.run(experiment, restored).finally(() => this.running.delete(run));
    this.running.add(run);
    return { experiment: this.experimentJson(experiment) };
  }

  /** One action per template here: resolve its target, power off its zone, wait out the duration. */
  private async run(experiment: Experiment, restored: Promise<void>): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (experiment.status !== 'initiating') return;
    const [action] = Object.values(experiment.template.actions);
    const target = experiment.template.targets[action!.targets.ReplicationGroups!]!;
    // By ARN, or by tags as FIS resolves them (tag:GetResources) over the local groups.
    const groupIds = target.resourceTags
      ? this.elastiCache.groupsTagged(target.resourceTags)
      : (target.resourceArns ?? []).map((arn) => arn.match(/:replicationgroup:(.+)$/)?.[1] ?? '');
    const groupId = groupIds[0];
    const durationMs = parseIsoDuration(action!.parameters.duration!)!;
    let interruption: { members: string[]; done: Promise<void> };
    try {
      if (!groupId) throw new Error('Target resolution returned an empty set');
      if (groupIds.length !== 1)
        throw new Error(
          `the local FIS interrupts one replication group per experiment, not ${groupIds.length}`,
        );
      const timer = setTimeout(experiment.restore, durationMs);
      void restored.then(() => clearTimeout(timer));
      interruption = this.elastiCache.interruptAzPower(
        groupId,
        target.parameters.availabilityZoneIdentifier!,
        restored,
      );
    } catch (error) {
      experiment.status = 'failed';
      experiment.reason = (error as Error).message;
      experiment.endTime = Date.now();
      return;
    }
    experiment.members = interruption.members;
    experiment.status = 'running';
    experiment.startTime = Date.now();
    await interruption.done;
    // StopExperiment may have moved it to stopping meanwhile.
    experiment.status = (experiment.status as Status) === 'stopping' ? 'stopped' : 'completed';
    experiment.reason = experiment.status === 'stopped' ? 'Experiment stopped.' : 'Experiment completed.';
    experiment.endTime = Date.now();
  }

  /** One page holds them all here (a drill's template has one experiment). */
  private listExperiments(query: Record<string, string>): Json {
    const templateId = query.experimentTemplateId;
    const experiments = [...this.experiments.values()].filter(
      (e) => templateId === undefined || e.template.id === templateId,
    );
    return {
      experiments: experiments.map((e) => ({
        id: e.id,
        arn: e.arn,
        experimentTemplateId: e.template.id,
        state: { status: e.status, reason: e.reason },
        creationTime: seconds(e.creationTime),
        tags: e.tags,
      })),
    };
  }

  private stopExperiment(id: string): Json {
    const experiment = this.experiment(id);
    if (['completed', 'stopped', 'failed'].includes(experiment.status))
      throw fisFaults.validation(`Experiment ${id} has already ended (${experiment.status})`);
    if (experiment.status === 'initiating') {
      experiment.status = 'stopped';
      experiment.endTime = Date.now();
    } else experiment.status = 'stopping';
    experiment.reason = 'Experiment stopped by the user.';
    experiment.restore();
    return { experiment: this.experimentJson(experiment) };
  }

  private templateJson(t: Template): Json {
    return {
      id: t.id,
      arn: t.arn,
      description: t.description,
      targets: t.targets,
      actions: t.actions,
      stopConditions: t.stopConditions,
      creationTime: seconds(t.creationTime),
      lastUpdateTime: seconds(t.creationTime),
      roleArn: t.roleArn,
      tags: t.tags,
    };
  }

  private experimentJson(e: Experiment): Json {
    const actionStatus = e.status === 'initiating' ? 'pending' : e.status;
    return {
      id: e.id,
      arn: e.arn,
      experimentTemplateId: e.template.id,
      roleArn: e.template.roleArn,
      state: { status: e.status, reason: e.reason },
      targets: e.template.targets,
      actions: Object.fromEntries(
        Object.entries(e.template.actions).map(([name, a]) => [
          name,
          {
            ...a,
            state: { status: actionStatus, reason: e.reason },
            startTime: seconds(e.startTime),
            endTime: seconds(e.endTime),
          },
        ]),
      ),
      stopConditions: e.template.stopConditions,
      creationTime: seconds(e.creationTime),
      startTime: seconds(e.startTime),
      endTime: seconds(e.endTime),
      tags: e.tags,
    };
  }
}
