/**
 * ElastiCache's faults as the service returns them: the wire code (which the SDK maps to the exception
 * named in the comment), the HTTP status, and a message in the service's style.
 */
import { AwsFault, commonFaults } from '../protocols/query.js';

export const elastiCacheFaults = {
  /** SDK: ReplicationGroupNotFoundFault */
  replicationGroupNotFound: (id: string) =>
    new AwsFault('ReplicationGroupNotFoundFault', 404, `Replication group ${id} not found.`),
  /** SDK: NodeGroupNotFoundFault */
  nodeGroupNotFound: (groupId: string, nodeGroupId: string) =>
    new AwsFault(
      'NodeGroupNotFoundFault',
      404,
      `Node group ${nodeGroupId} not found in replication group ${groupId}.`,
    ),
  /** SDK: CacheClusterNotFoundFault */
  cacheClusterNotFound: (id: string) =>
    new AwsFault('CacheClusterNotFound', 404, `CacheCluster ${id} not found.`),
  /** SDK: ReplicationGroupAlreadyExistsFault */
  replicationGroupAlreadyExists: (id: string) =>
    new AwsFault('ReplicationGroupAlreadyExists', 400, `Replication group ${id} already exists.`),
  /** SDK: InvalidReplicationGroupStateFault */
  invalidReplicationGroupState: (message: string) =>
    new AwsFault('InvalidReplicationGroupState', 400, message),
  /** SDK: TestFailoverNotAvailableFault */
  testFailoverNotAvailable: (message: string) => new AwsFault('TestFailoverNotAvailableFault', 400, message),
  /** SDK: APICallRateForCustomerExceededFault */
  apiCallRateExceeded: (limit: number) =>
    new AwsFault(
      'APICallRateForCustomerExceeded',
      400,
      `TestFailover may be called on at most ${limit} node groups in a rolling 24-hour period.`,
    ),
  /** SDK: InvalidARNFault */
  invalidArn: (arn: string) =>
    new AwsFault('InvalidARN', 400, `The ARN ${arn} is not a valid ElastiCache ARN.`),
  /** SDK: TagNotFoundFault */
  tagNotFound: (key: string) =>
    new AwsFault('TagNotFound', 404, `The tag ${key} was not found on the resource.`),
  /** SDK: TagQuotaPerResourceExceeded */
  tagQuotaExceeded: (limit: number) =>
    new AwsFault('TagQuotaPerResourceExceeded', 400, `A resource can have at most ${limit} tags.`),
  /** SDK: NodeGroupsPerReplicationGroupQuotaExceededFault */
  nodeGroupsQuotaExceeded: (limit: number) =>
    new AwsFault(
      'NodeGroupsPerReplicationGroupQuotaExceeded',
      400,
      `A replication group can have at most ${limit} node groups.`,
    ),
  /** SDK: InsufficientCacheClusterCapacityFault */
  insufficientCapacity: (limit: number) =>
    new AwsFault(
      'InsufficientCacheClusterCapacity',
      400,
      `The local cloud has capacity for at most ${limit} node groups in one replication group.`,
    ),
  /** SDK: InvalidParameterValueException */
  invalidParameterValue: commonFaults.invalidValue,
  /** SDK: InvalidParameterCombinationException */
  invalidParameterCombination: commonFaults.invalidCombination,
};
