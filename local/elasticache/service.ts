/**
 * The ElastiCache control plane (Query protocol, API 2015-02-02) over local replication groups:
 * Describe*, TestFailover with its guardrails and quota, DescribeEvents, and resource tags.
 */

import type { Account } from '../account.js';
import type { ServiceHandler } from '../control-plane.js';
import { type QueryParams, queryService, type XmlObject } from '../protocols/query.js';
import { FailoverBudget } from './budget.js';
import { type CreateGroupRequest, checkCreateReplicationGroup, DURABILITY_VALUES } from './create-group.js';
import type { LogMetric } from './durability.js';

import { type CacheEvent, EventLog, eventWindow, failoverMessages, isSourceType } from './events.js';
import { elastiCacheFaults as faults } from './faults.js';
import type { GroupView, LocalGroup, NodeView } from './group.js';
import { checkModifyReplicationGroup, LOCAL_NODE_TYPE } from './node-replacement.js';
import { MAX_RECORDS_RANGE, paginate } from './paging.js';
import { checkReplicaCount } from './replica-count.js';
import { progressPercent } from './reshard.js';
import { cacheClusterXml, type PendingChange, replicationGroupXml, zone } from './shapes.js';
import { checkShardConfiguration } from './shard-configuration.js';

export const ELASTICACHE_XMLNS = 'http://elasticache.amazonaws.com/doc/2015-02-02/';
export const ELASTICACHE_VERSION = '2015-02-02';

const TAG_LIMIT = 50;
const MAX_EVENT_MINUTES = 14 * 24 * 60;

export interface ElastiCacheServiceOptions extends Account {
  budget?: FailoverBudget;
  clock?: () => Date;
  /** Told when a failover's orchestration fails (it then never reports recovery); default stderr. */
  onFailoverError?: (groupId: string, error: unknown) => void;
  /**
   * Starts the group a CreateReplicationGroup asked for (create-group.ts), as the local cloud starts its own.
   * Absent: CreateReplicationGroup is not served.
   */
  createGroup?: (request: CreateGroupRequest) => Promise<LocalGroup>;
}

type Resource = { kind: 'replicationgroup'; group: LocalGroup } | { kind: 'cluster'; node: NodeView };

export class ElastiCacheService {
  readonly events: EventLog;
  /** The operations served, by their API names. */
  readonly operations: string[];
  readonly budget: FailoverBudget;
  readonly handler: ServiceHandler;
  private readonly groups = new Map<string, LocalGroup>();
  /** Ids of groups a CreateReplicationGroup is starting. */
  private readonly creating = new Set<string>();
  private readonly tags = new Map<string, Map<string, string>>();
  private readonly failovers = new Map<string, Promise<void>>();
  /** Modifications under way (resharding), by group: what DescribeReplicationGroups shows as pending. */
  private readonly changes = new Map<string, PendingChange>();
  private readonly clock: () => Date;

  constructor(private readonly options: ElastiCacheServiceOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.events = new EventLog(this.clock);
    this.budget = options.budget ?? new FailoverBudget(undefined, () => this.clock().getTime());
    const actions = {
      DescribeReplicationGroups: (p: QueryParams) => this.describeReplicationGroups(p),
      DescribeCacheClusters: (p: QueryParams) => this.describeCacheClusters(p),
      TestFailover: (p: QueryParams) => this.testFailover(p),
      ModifyReplicationGroupShardConfiguration: (p: QueryParams) => this.modifyShardConfiguration(p),
      ModifyReplicationGroup: (p: QueryParams) => this.modifyReplicationGroup(p),
      IncreaseReplicaCount: (p: QueryParams) => this.changeReplicaCount(p, 'increase'),
      DecreaseReplicaCount: (p: QueryParams) => this.changeReplicaCount(p, 'decrease'),
      DescribeEvents: (p: QueryParams) => this.describeEvents(p),
      ListTagsForResource: (p: QueryParams) => this.listTags(p),
      AddTagsToResource: (p: QueryParams) => this.addTags(p),
      RemoveTagsFromResource: (p: QueryParams) => this.removeTags(p),
      ...(options.createGroup
        ? { CreateReplicationGroup: (p: QueryParams) => this.createReplicationGroup(p) }
        : {}),
    };
    this.operations = Object.keys(actions);
    this.handler = queryService(ELASTICACHE_XMLNS, actions);
  }

  get account(): Account {
    return { region: this.options.region, accountId: this.options.accountId };
  }

  addGroup(group: LocalGroup, tags: Record<string, string> = {}): void {
    this.groups.set(group.id, group);
    this.tags.set(`replicationgroup:${group.id}`, new Map(Object.entries(tags)));
  }

  /** The ids of the groups carrying every one of `tags` (the local FIS resolves its targets by tags). */
  groupsTagged(tags: Record<string, string>): string[] {
    return [...this.groups.keys()].filter((id) => {
      const carried = this.tags.get(`replicationgroup:${id}`);
      return Object.entries(tags).every(([key, value]) => carried?.get(key) === value);
    });
  }

  /**
   * A durable group's log metrics for the local CloudWatch: the group holding the node `cacheClusterId`
   * answers, per second of [fromMs, toMs); undefined where no group publishes `metric` for that node.
   */
  durabilitySeconds(metric: LogMetric, cacheClusterId: string, fromMs: number, toMs: number) {
    const group = [...this.groups.values()].find((g) =>
      g.view().nodeGroups.some((ng) => ng.members.some((m) => m.id === cacheClusterId)),
    );
    return group?.durabilitySeconds?.(metric, fromMs, toMs);
  }

  /** A node's used_memory and maxmemory (bytes), as its group's redis-server tells them now. */
  async memory(cacheClusterId: string): Promise<{ used: number; max: number } | undefined> {
    const group = [...this.groups.values()].find((g) =>
      g.view().nodeGroups.some((ng) => ng.members.some((m) => m.id === cacheClusterId)),
    );
    return group?.memory?.(cacheClusterId);
  }

  /** Resolves when no failover is under way (each failover's own outcome is not re-thrown). */
  async idle(): Promise<void> {
    while (this.failovers.size > 0) await Promise.all(this.failovers.values());
  }

  private group(id: string): LocalGroup {
    const group = this.groups.get(id);
    if (!group) throw faults.replicationGroupNotFound(id);
    return group;
  }

  private views(): GroupView[] {
    return [...this.groups.values()].map((g) => g.view()).sort((a, b) => a.id.localeCompare(b.id));
  }

  private describeReplicationGroups(p: QueryParams): XmlObject {
    const id = p.string('ReplicationGroupId');
    const views = id === undefined ? this.views() : [this.group(id).view()];
    const { page, marker } = paginate(
      views,
      (v) => v.id,
      p.integer('MaxRecords', MAX_RECORDS_RANGE),
      p.string('Marker'),
    );
    return {
      Marker: marker,
      ReplicationGroups: {
        ReplicationGroup: page.map((v) => replicationGroupXml(this.account, v, this.changes.get(v.id))),
      },
    };
  }

  private describeCacheClusters(p: QueryParams): XmlObject {
    const id = p.string('CacheClusterId');
    const nodes = this.views().flatMap((group) =>
      group.nodeGroups.flatMap((ng) => ng.members.map((node) => ({ group, node }))),
    );
    const selected = id === undefined ? nodes : nodes.filter((n) => n.node.id === id);
    if (id !== undefined && selected.length === 0) throw faults.cacheClusterNotFound(id);
    const { page, marker } = paginate(
      selected,
      (n) => n.node.id,
      p.integer('MaxRecords', MAX_RECORDS_RANGE),
      p.string('Marker'),
    );
    const showNodeInfo = p.boolean('ShowCacheNodeInfo') ?? false;
    return {
      Marker: marker,
      CacheClusters: {
        CacheCluster: page.map((n) => cacheClusterXml(this.account, n.group, n.node, showNodeInfo)),
      },
    };
  }

  private testFailover(p: QueryParams): XmlObject {
    const groupId = p.required('ReplicationGroupId');
    const nodeGroupId = p.required('NodeGroupId');
    const group = this.group(groupId);
    if (!/^\d{1,4}$/.test(nodeGroupId)) {
      throw faults.invalidParameterValue(`Invalid value for NodeGroupId: ${nodeGroupId}.`);
    }
    const view = group.view();
    const nodeGroup = view.nodeGroups.find((ng) => ng.id === nodeGroupId);
    if (!nodeGroup) throw faults.nodeGroupNotFound(groupId, nodeGroupId);
    if (this.failovers.has(groupId)) {
      throw faults.invalidReplicationGroupState(
        `Replication group ${groupId} has a test failover in progress; wait for its node replacement to complete.`,
      );
    }
    if (this.changes.has(groupId)) throw faults.invalidReplicationGroupState(notAvailable(groupId));
    if (!nodeGroup.members.some((m) => m.role === 'replica')) {
      throw faults.testFailoverNotAvailable(
        `Test failover is not available for node group ${nodeGroupId}: it has no replica to promote.`,
      );
    }
    if (!this.budget.take()) throw faults.apiCallRateExceeded(this.budget.limit);

    this.events.record('replication-group', groupId, failoverMessages.called(nodeGroupId));
    const run = group
      .failover(nodeGroupId, (type, source, message) => this.events.record(type, source, message))
      .catch((error: unknown) => this.reportFailoverError(groupId, error))
      .finally(() => this.failovers.delete(groupId));
    this.failovers.set(groupId, run);
    return { ReplicationGroup: replicationGroupXml(this.account, view) };
  }

  /**
   * ModifyReplicationGroup's CacheNodeType and EngineVersion (node-replacement.ts): the group is
   * `modifying` while its nodes are replaced, then `available` with the new type or version.
   */
  private modifyReplicationGroup(p: QueryParams): XmlObject {
    if (p.string('Durability') !== undefined) return this.modifyDurability(p);
    const { groupId, group, view } = this.idleGroup(p);
    const request = checkModifyReplicationGroup(
      { ...view, cacheNodeType: view.cacheNodeType ?? LOCAL_NODE_TYPE },
      {
        cacheNodeType: p.string('CacheNodeType'),
        engineVersion: p.string('EngineVersion'),
        applyImmediately: p.boolean('ApplyImmediately') ?? false,
      },
    );
    if (!group.replaceNodes || view.durability)
      throw faults.invalidReplicationGroupState(`${groupId} cannot have its nodes replaced locally.`);
    const pending: PendingChange = {};
    this.changes.set(groupId, pending);
    const replacing = group.replaceNodes({ ...request, progress: () => {} }, (type, source, message) =>
      this.events.record(type, source, message),
    );
    return this.underWay(groupId, view, pending, replacing);
  }

  /**
   * IncreaseReplicaCount and DecreaseReplicaCount (replica-count.ts): the group is `modifying` while
   * replicas start and sync, or stop, then `available` with the new count in every node group.
   */
  private changeReplicaCount(p: QueryParams, direction: 'increase' | 'decrease'): XmlObject {
    const { groupId, group, view } = this.idleGroup(p);
    const count = checkReplicaCount(view, {
      direction,
      newReplicaCount: p.integer('NewReplicaCount'),
      replicaConfiguration: p.list('ReplicaConfiguration', ['NodeGroupId'] as const).length,
      replicasToRemove: p.list('ReplicasToRemove').length,
      // Required by the model: its absence is MissingParameter, as AWS answers it.
      applyImmediately: p.boolean('ApplyImmediately') ?? p.required('ApplyImmediately') === 'true',
    });
    if (!group.changeReplicas || view.durability)
      throw faults.invalidReplicationGroupState(`${groupId} cannot have its replicas changed locally.`);
    const pending: PendingChange = {};
    this.changes.set(groupId, pending);
    const changing = group.changeReplicas(count, (type, source, message) =>
      this.events.record(type, source, message),
    );
    return this.underWay(groupId, view, pending, changing);
  }

  /** The group a modification names, refused as AWS refuses it while another change or a failover runs. */
  private idleGroup(p: QueryParams): { groupId: string; group: LocalGroup; view: GroupView } {
    const groupId = p.required('ReplicationGroupId');
    const group = this.group(groupId);
    if (this.failovers.has(groupId) || this.changes.has(groupId))
      throw faults.invalidReplicationGroupState(notAvailable(groupId));
    return { groupId, group, view: group.view() };
  }

  /** A modification under way: pending until `run` settles, awaited by idle(); answers the group as it was. */
  private underWay(groupId: string, view: GroupView, pending: PendingChange, run: Promise<void>): XmlObject {
    const tracked = run
      .catch((error: unknown) => this.reportFailoverError(groupId, error))
      .finally(() => {
        this.changes.delete(groupId);
        this.failovers.delete(`${groupId}:change`);
      });
    this.failovers.set(`${groupId}:change`, tracked);
    return { ReplicationGroup: replicationGroupXml(this.account, view, pending) };
  }

  /**
   * Online resharding (cluster mode enabled): validated as AWS validates it, then the group is `modifying`
   * with `PendingModifiedValues.Resharding.SlotMigration.ProgressPercentage` until every slot has moved.
   */
  private modifyShardConfiguration(p: QueryParams): XmlObject {
    const { groupId, group, view } = this.idleGroup(p);
    const request = checkShardConfiguration(view, {
      nodeGroupCount: p.integer('NodeGroupCount') ?? Number(p.required('NodeGroupCount')),
      applyImmediately: p.boolean('ApplyImmediately') ?? p.required('ApplyImmediately') === 'true',
      remove: p.list('NodeGroupsToRemove'),
      retain: p.list('NodeGroupsToRetain'),
      zones: p.list('ReshardingConfiguration', ['NodeGroupId'] as const).length,
    });
    if (!group.reshard) throw faults.invalidReplicationGroupState(`${groupId} cannot be resharded locally.`);
    const pending: PendingChange = { reshardingPercent: 0 };
    this.changes.set(groupId, pending);
    const emit = (type: Parameters<EventLog['record']>[0], source: string, message: string) =>
      this.events.record(type, source, message);
    const resharding = group.reshard(
      {
        ...request,
        progress: (moved, total) => {
          pending.reshardingPercent = progressPercent(moved, total);
        },
      },
      emit,
    );
    return this.underWay(groupId, view, pending, resharding);
  }

  /**
   * CreateReplicationGroup (create-group.ts): the group is started before the answer, which still says
   * `creating`, as AWS's first answer does; DescribeReplicationGroups shows it `available` from then on.
   */
  private async createReplicationGroup(p: QueryParams): Promise<XmlObject> {
    const exists = (id: string) => this.groups.has(id) || this.creating.has(id);
    const request = checkCreateReplicationGroup(p, exists);
    // Held while it starts: a second Create of the same id meanwhile is refused, not started twice.
    this.creating.add(request.id);
    const group = await this.options.createGroup!(request).finally(() => this.creating.delete(request.id));
    this.addGroup(group);
    return { ReplicationGroup: { ...replicationGroupXml(this.account, group.view()), Status: 'creating' } };
  }

  /**
   * ModifyReplicationGroup's Durability, for what the local cloud models of it: a durable-capable group's
   * mode, switched at once between sync, async and disabled, as AWS documents since October 2026 (Developer
   * Guide, *Durability* › *Changing durability on an existing cluster*). Of that page's requirements it
   * checks Valkey 9.0 or later and a replica in every shard; not TLS or cluster mode enabled, which the
   * local durable group (cluster mode disabled, TLS optional) does not model (docs/local-cloud.md).
   */
  private modifyDurability(p: QueryParams): XmlObject {
    const groupId = p.required('ReplicationGroupId');
    const modelled = new Set(['Action', 'Version', 'ReplicationGroupId', 'Durability', 'ApplyImmediately']);
    const other = Object.keys(p.toRecord()).find((name) => !modelled.has(name));
    if (other !== undefined)
      throw faults.invalidParameterValue(
        `The local cloud modifies a replication group's Durability only, not ${other}.`,
      );
    const group = this.group(groupId);
    const durability = p.string('Durability');
    if (durability !== undefined && !DURABILITY_VALUES.includes(durability))
      throw faults.invalidParameterValue(
        `Invalid value for Durability: ${durability}. Valid values: ${DURABILITY_VALUES.join(', ')}.`,
      );
    if (this.failovers.has(groupId) || this.changes.has(groupId))
      throw faults.invalidReplicationGroupState(notAvailable(groupId));
    const view = group.view();
    if (durability !== undefined) {
      if (!view.durability || !group.switchDurability)
        throw faults.invalidParameterCombination(
          `Durability is not supported for replication group ${groupId} (engine ${view.engineVersion}): ` +
            'it needs Valkey 9.0 or later.',
        );
      if (view.nodeGroups.some((ng) => ng.members.length < 2))
        throw faults.invalidParameterCombination(
          `Durability of replication group ${groupId} can be changed only with Multi-AZ and a replica in every shard.`,
        );
      if (durability !== 'sync' && durability !== 'async' && durability !== 'disabled')
        throw faults.invalidParameterCombination(
          `Durability of replication group ${groupId} can be switched between sync, async and disabled, not to ${durability}.`,
        );
      group.switchDurability(durability);
    }
    return { ReplicationGroup: replicationGroupXml(this.account, group.view()) };
  }

  /**
   * The members of `groupId` placed in `availabilityZone` (as DescribeReplicationGroups shows them), powered
   * off until `restore` resolves (the local FIS's AZ power interruption). Counts as a fault under way: no
   * TestFailover meanwhile, and idle() waits for it. Resolves with the powered-off members' ids at once;
   * `done` settles when they are back.
   */
  interruptAzPower(
    groupId: string,
    availabilityZone: string,
    restore: Promise<void>,
  ): { members: string[]; done: Promise<void> } {
    const group = this.group(groupId);
    if (!group.interruptPower) {
      throw new Error(`the local cloud does not model an AZ power interruption of ${groupId}`);
    }
    if (this.failovers.has(groupId)) {
      throw new Error(`replication group ${groupId} has a fault in progress`);
    }
    const members = group
      .view()
      .nodeGroups.flatMap((ng) => ng.members.filter((_, i) => zone(this.account, i) === availabilityZone))
      .map((m) => m.id);
    const done = group
      .interruptPower(members, restore, (type, source, message) => this.events.record(type, source, message))
      .catch((error: unknown) => this.reportFailoverError(groupId, error))
      .finally(() => this.failovers.delete(groupId));
    this.failovers.set(groupId, done);
    return { members, done };
  }

  private reportFailoverError(groupId: string, error: unknown): void {
    if (error instanceof Error && error.name === 'GroupStoppedError') return;
    if (this.options.onFailoverError) this.options.onFailoverError(groupId, error);
    else process.stderr.write(`local ElastiCache: failover of ${groupId} failed: ${String(error)}\n`);
  }

  private describeEvents(p: QueryParams): XmlObject {
    const sourceType = p.string('SourceType');
    if (sourceType !== undefined && !isSourceType(sourceType)) {
      throw faults.invalidParameterValue(`Invalid value for SourceType: ${sourceType}.`);
    }
    const window = eventWindow(this.clock(), {
      startTime: p.timestamp('StartTime'),
      endTime: p.timestamp('EndTime'),
      durationMinutes: p.integer('Duration', { min: 0, max: MAX_EVENT_MINUTES }),
    });
    if ('error' in window) throw faults.invalidParameterCombination(window.error);
    const events = this.events.query({
      ...window,
      sourceType,
      sourceIdentifier: p.string('SourceIdentifier'),
    });
    const { page, marker } = paginate(
      events,
      (e) => String(e.seq),
      p.integer('MaxRecords', MAX_RECORDS_RANGE),
      p.string('Marker'),
    );
    return { Marker: marker, Events: { Event: page.map(eventXml) } };
  }

  /** `arn:aws:elasticache:<region>:<account>:replicationgroup:<id>` or `…:cluster:<id>`. */
  private resource(arn: string): { key: string; resource: Resource } {
    const match = /^arn:aws:elasticache:([a-z0-9-]+):(\d{12}):(replicationgroup|cluster):(.+)$/.exec(arn);
    if (!match) throw faults.invalidArn(arn);
    const [, region, accountId, kind, id] = match as unknown as [string, string, string, string, string];
    const local = region === this.options.region && accountId === this.options.accountId;
    if (kind === 'replicationgroup') {
      const group = local ? this.groups.get(id) : undefined;
      if (!group) throw faults.replicationGroupNotFound(id);
      return { key: `replicationgroup:${id}`, resource: { kind, group } };
    }
    const node = local
      ? this.views()
          .flatMap((g) => g.nodeGroups.flatMap((ng) => ng.members))
          .find((n) => n.id === id)
      : undefined;
    if (!node) throw faults.cacheClusterNotFound(id);
    return { key: `cluster:${id}`, resource: { kind: 'cluster', node } };
  }

  private tagsOf(arn: string): Map<string, string> {
    const { key } = this.resource(arn);
    let tags = this.tags.get(key);
    if (!tags) {
      tags = new Map();
      this.tags.set(key, tags);
    }
    return tags;
  }

  private listTags(p: QueryParams): XmlObject {
    return tagListXml(this.tagsOf(p.required('ResourceName')));
  }

  private addTags(p: QueryParams): XmlObject {
    const tags = this.tagsOf(p.required('ResourceName'));
    const added = p.list('Tags', ['Key', 'Value'] as const);
    if (added.length === 0) throw faults.invalidParameterValue('Tags must contain at least one tag.');
    const next = new Map(tags);
    for (const tag of added) {
      if (!tag.Key) throw faults.invalidParameterValue('Every tag must have a Key.');
      next.set(tag.Key, tag.Value ?? '');
    }
    if (next.size > TAG_LIMIT) throw faults.tagQuotaExceeded(TAG_LIMIT);
    for (const [key, value] of next) tags.set(key, value);
    return tagListXml(tags);
  }

  private removeTags(p: QueryParams): XmlObject {
    const tags = this.tagsOf(p.required('ResourceName'));
    const keys = p.list('TagKeys');
    for (const key of keys) if (!tags.has(key)) throw faults.tagNotFound(key);
    for (const key of keys) tags.delete(key);
    return tagListXml(tags);
  }
}

function notAvailable(groupId: string): string {
  return `Replication group ${groupId} is not in available state: a modification or failover is in progress.`;
}

function eventXml(event: CacheEvent): XmlObject {
  return {
    SourceIdentifier: event.sourceIdentifier,
    SourceType: event.sourceType,
    Message: event.message,
    Date: event.date,
  };
}

function tagListXml(tags: Map<string, string>): XmlObject {
  return { TagList: { Tag: [...tags].map(([Key, Value]) => ({ Key, Value })) } };
}
