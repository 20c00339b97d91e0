/** The AWS CLI's arguments for an AZ power interruption template of a local group (tests of the local FIS). */

import { AZ_POWER_ACTION, REPLICATION_GROUP_TARGET } from '../../functions/core/drill/faults/fis-az-power.js';
import { LOCAL_ACCOUNT_ID } from '../../local/account.js';
import type { LocalCloud } from '../../local/cloud.js';

export function fisTemplateArgs(
  cloud: Pick<LocalCloud, 'region' | 'groupId'>,
  /** The target by the group's ARN, or by `tags` (as the drill selects it: by its lock tag). */
  o: { zone: string; duration: string; groupId?: string; tags?: Record<string, string> },
): string[] {
  const groupArn = `arn:aws:elasticache:${cloud.region}:${LOCAL_ACCOUNT_ID}:replicationgroup:${o.groupId ?? cloud.groupId}`;
  return [
    'create-experiment-template',
    '--cli-input-json',
    JSON.stringify({
      description: 'failover-drill AZ power interruption',
      roleArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/failover-drill-fis`,
      stopConditions: [{ source: 'none' }],
      targets: {
        ReplicationGroups: {
          resourceType: REPLICATION_GROUP_TARGET,
          ...(o.tags ? { resourceTags: o.tags } : { resourceArns: [groupArn] }),
          selectionMode: 'ALL',
          parameters: { availabilityZoneIdentifier: o.zone },
        },
      },
      actions: {
        InterruptAzPower: {
          actionId: AZ_POWER_ACTION,
          parameters: { duration: o.duration },
          targets: { ReplicationGroups: 'ReplicationGroups' },
        },
      },
      tags: { 'failover-drill:run': 'conformance' },
    }),
  ];
}
