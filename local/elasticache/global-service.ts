/**
 * ElastiCache across regions: the control plane answers each request in the region the SDK signed it for
 * (its credential scope), and serves the Global Datastore operations (Create, Describe, Failover,
 * Disassociate GlobalReplicationGroup) over the datastores shared by every region.
 */
import type { ServiceHandler } from '../control-plane.js';
import { AwsFault, type QueryParams, queryService, type XmlObject } from '../protocols/query.js';
import { elastiCacheFaults } from './faults.js';
import {
  GLOBAL_ID_PREFIXES,
  GlobalDatastore,
  type GlobalDatastoreView,
  type WanLinkOptions,
} from './global-datastore.js';
import { MAX_RECORDS_RANGE, paginate } from './paging.js';
import type { PrimaryReplicaGroup } from './primary-replica-group.js';
import { ELASTICACHE_XMLNS } from './service.js';

/** ElastiCache's faults of the Global Datastore operations (wire code, status), as botocore lists them. */
export const globalFaults = {
  /** SDK: GlobalReplicationGroupNotFoundFault */
  notFound: (id: string) =>
    new AwsFault('GlobalReplicationGroupNotFoundFault', 404, `Global replication group ${id} not found.`),
  /** SDK: InvalidGlobalReplicationGroupStateFault */
  invalidState: (message: string) => new AwsFault('InvalidGlobalReplicationGroupState', 400, message),
  /** SDK: GlobalReplicationGroupAlreadyExistsFault */
  alreadyExists: (id: string) =>
    new AwsFault(
      'GlobalReplicationGroupAlreadyExistsFault',
      400,
      `Global replication group ${id} already exists.`,
    ),
};

export const GLOBAL_OPERATIONS = [
  'CreateGlobalReplicationGroup',
  'DescribeGlobalReplicationGroups',
  'FailoverGlobalReplicationGroup',
  'DisassociateGlobalReplicationGroup',
] as const;

/** `Credential=AKID/20261123/eu-west-1/elasticache/aws4_request` → `eu-west-1`. */
export function signingRegion(authorization: string | string[] | undefined): string | undefined {
  const text = Array.isArray(authorization) ? authorization[0] : authorization;
  return text?.match(/Credential=[^/,\s]+\/\d{8}\/([^/]+)\/[^/]+\/aws4_request/)?.[1];
}

export interface Region {
  name: string;
  /** The region's own ElastiCache (Describe*, TestFailover, tags, events). */
  handler: ServiceHandler;
  /** Its replication groups that may join a Global Datastore (cluster mode disabled). */
  groups: Map<string, PrimaryReplicaGroup>;
}

export class GlobalElastiCache {
  readonly operations: string[] = [...GLOBAL_OPERATIONS];
  readonly datastores = new Map<string, GlobalDatastore>();
  readonly handler: ServiceHandler;
  private readonly regions = new Map<string, Region>();
  private readonly perRegion = new Map<string, ServiceHandler>();

  constructor(
    regions: Region[],
    private readonly accountId: string,
    private readonly wan: WanLinkOptions,
  ) {
    const [home] = regions;
    if (!home) throw new Error('a global ElastiCache needs at least one region');
    for (const region of regions) {
      this.regions.set(region.name, region);
      this.perRegion.set(region.name, this.regionalHandler(region));
    }
    // An unsigned request (no credential scope) is answered in the first region.
    this.handler = (request) => {
      const name = signingRegion(request.headers.authorization) ?? home.name;
      const handler = this.perRegion.get(name);
      if (!handler) return queryService(ELASTICACHE_XMLNS, {})(request);
      return handler(request);
    };
  }

  /** The datastore `groupId` of `region` belongs to, if any. */
  datastoreOf(region: string, groupId: string): GlobalDatastore | undefined {
    return [...this.datastores.values()].find((d) => d.member(region, groupId));
  }

  /** A datastore of `primary` with `secondary` associated (what `local --global` starts with). */
  async join(
    suffix: string,
    primary: { region: string; groupId: string },
    secondary: { region: string; groupId: string },
  ): Promise<GlobalDatastore> {
    const datastore = this.create(
      primary.region,
      suffix,
      primary.groupId,
      'failover-drill local Global Datastore',
    );
    await datastore.addSecondary(secondary.region, this.group(secondary.region, secondary.groupId));
    return datastore;
  }

  /** Resolves when no datastore is failing over or disassociating. */
  async idle(): Promise<void> {
    await Promise.all([...this.datastores.values()].map((d) => d.idle()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.datastores.values()].map((d) => d.stop()));
  }

  private regionalHandler(region: Region): ServiceHandler {
    const global = queryService(ELASTICACHE_XMLNS, {
      CreateGlobalReplicationGroup: (p) => this.createAction(region.name, p),
      DescribeGlobalReplicationGroups: (p) => this.describeAction(p),
      FailoverGlobalReplicationGroup: (p) => this.failoverAction(p),
      DisassociateGlobalReplicationGroup: (p) => this.disassociateAction(p),
    });
    return (request) => {
      const action = new URLSearchParams(request.body.toString('utf8')).get('Action');
      return (GLOBAL_OPERATIONS as readonly (string | null)[]).includes(action)
        ? global(request)
        : region.handler(request);
    };
  }

  private group(region: string, groupId: string): PrimaryReplicaGroup {
    const group = this.regions.get(region)?.groups.get(groupId);
    if (!group) throw elastiCacheFaults.replicationGroupNotFound(groupId);
    return group;
  }

  private datastore(id: string): GlobalDatastore {
    const datastore = this.datastores.get(id);
    if (!datastore) throw globalFaults.notFound(id);
    return datastore;
  }

  private create(region: string, suffix: string, groupId: string, description: string): GlobalDatastore {
    const group = this.group(region, groupId);
    if (!/^[A-Za-z0-9-]{1,40}$/.test(suffix)) {
      throw elastiCacheFaults.invalidParameterValue(
        `Invalid value for GlobalReplicationGroupIdSuffix: ${suffix}.`,
      );
    }
    const id = `${GLOBAL_ID_PREFIXES[region] ?? 'local'}-${suffix}`;
    if (this.datastores.has(id)) throw globalFaults.alreadyExists(id);
    if (this.datastoreOf(region, groupId)) {
      throw elastiCacheFaults.invalidReplicationGroupState(
        `Replication group ${groupId} is already a member of a Global Datastore.`,
      );
    }
    const datastore = GlobalDatastore.primaryOnly(id, description, region, group, this.wan);
    this.datastores.set(id, datastore);
    return datastore;
  }

  private createAction(region: string, p: QueryParams): XmlObject {
    const datastore = this.create(
      region,
      p.required('GlobalReplicationGroupIdSuffix'),
      p.required('PrimaryReplicationGroupId'),
      p.string('GlobalReplicationGroupDescription') ?? '',
    );
    return { GlobalReplicationGroup: globalXml(this.accountId, datastore.view(), true) };
  }

  private describeAction(p: QueryParams): XmlObject {
    const id = p.string('GlobalReplicationGroupId');
    const views = (id === undefined ? [...this.datastores.values()] : [this.datastore(id)])
      .map((d) => d.view())
      .sort((a, b) => a.id.localeCompare(b.id));
    const { page, marker } = paginate(
      views,
      (v) => v.id,
      p.integer('MaxRecords', MAX_RECORDS_RANGE),
      p.string('Marker'),
    );
    const members = p.boolean('ShowMemberInfo') ?? false;
    return {
      Marker: marker,
      GlobalReplicationGroups: {
        GlobalReplicationGroup: page.map((v) => globalXml(this.accountId, v, members)),
      },
    };
  }

  /** PrimaryRegion and PrimaryReplicationGroupId name the secondary to promote (the new primary). */
  private failoverAction(p: QueryParams): XmlObject {
    const datastore = this.datastore(p.required('GlobalReplicationGroupId'));
    const region = p.required('PrimaryRegion');
    const groupId = p.required('PrimaryReplicationGroupId');
    if (datastore.status !== 'available') {
      throw globalFaults.invalidState(
        `Global replication group ${datastore.id} is ${datastore.status}; a failover needs it available.`,
      );
    }
    const member = datastore.member(region, groupId);
    if (!member) {
      throw elastiCacheFaults.invalidParameterValue(
        `Replication group ${groupId} in ${region} is not a member of ${datastore.id}.`,
      );
    }
    if (member.role === 'primary') {
      throw elastiCacheFaults.invalidParameterCombination(
        `Replication group ${groupId} in ${region} is already the primary of ${datastore.id}.`,
      );
    }
    datastore.failover(region, groupId);
    return { GlobalReplicationGroup: globalXml(this.accountId, datastore.view(), true) };
  }

  private disassociateAction(p: QueryParams): XmlObject {
    const datastore = this.datastore(p.required('GlobalReplicationGroupId'));
    const groupId = p.required('ReplicationGroupId');
    const region = p.required('ReplicationGroupRegion');
    if (datastore.status !== 'available') {
      throw globalFaults.invalidState(`Global replication group ${datastore.id} is ${datastore.status}.`);
    }
    const member = datastore.member(region, groupId);
    if (member?.role !== 'secondary') {
      throw elastiCacheFaults.invalidParameterValue(
        `Replication group ${groupId} in ${region} is not a secondary of ${datastore.id}.`,
      );
    }
    datastore.disassociate(region, groupId);
    return { GlobalReplicationGroup: globalXml(this.accountId, datastore.view(), true) };
  }
}

/** A GlobalReplicationGroup as ElastiCache writes it; a Global Datastore's ARN names no region. */
export function globalXml(accountId: string, view: GlobalDatastoreView, members: boolean): XmlObject {
  return {
    GlobalReplicationGroupId: view.id,
    GlobalReplicationGroupDescription: view.description,
    Status: view.status,
    CacheNodeType: 'cache.t4g.micro',
    Engine: 'redis',
    EngineVersion: view.engineVersion,
    Members: members
      ? {
          GlobalReplicationGroupMember: view.members.map((m) => ({
            ReplicationGroupId: m.replicationGroupId,
            ReplicationGroupRegion: m.region,
            Role: m.role,
            AutomaticFailover: 'enabled',
            Status: m.status,
          })),
        }
      : undefined,
    ClusterEnabled: false,
    AuthTokenEnabled: view.authToken,
    TransitEncryptionEnabled: view.tls,
    AtRestEncryptionEnabled: false,
    ARN: `arn:aws:elasticache::${accountId}:globalreplicationgroup:${view.id}`,
  };
}
