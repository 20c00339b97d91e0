import { describe, expect, it } from 'vitest';
import { serviceModel } from '../../test/support/aws-models.js';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../account.js';
import type { ElastiCacheService } from '../elasticache/service.js';
import { FIS_VERSION, FisService } from '../fis/service.js';
import { RestJsonFault } from '../protocols/rest-json.js';
import { type SdkIntegrationService, sdkIntegration } from './sdk-integrations.js';

function recording(output: Record<string, unknown> | Error) {
  const calls: { operation: string; input: Record<string, unknown> }[] = [];
  const service: SdkIntegrationService = {
    errorPrefix: 'Fis',
    mapMembers: new Set(['targets', 'actions', 'parameters', 'tags', 'resourceTags']),
    timestampMembers: new Set(['creationTime']),
    call: async (operation, input) => {
      calls.push({ operation, input });
      if (output instanceof Error) throw output;
      return output;
    },
  };
  return { calls, service };
}

describe('the local AWS SDK integration', () => {
  it('calls the API in its own casing and answers in PascalCase, map keys as they were, timestamps as ISO 8601', async () => {
    // Prepare
    const { calls, service } = recording({
      experimentTemplate: {
        id: 'EXT1',
        creationTime: 1_796_000_000.5,
        targets: { drilledGroup: { resourceTags: { 'failover-drill:lock': 'run@1' } } },
      },
    });
    const task = sdkIntegration('arn:aws:states:::aws-sdk:fis:createExperimentTemplate', { fis: service })!;

    // Act
    const output = await task({
      ClientToken: 't',
      Targets: {
        drilledGroup: {
          ResourceTags: { 'failover-drill:lock': 'run@1' },
          Parameters: { availabilityZoneIdentifier: 'us-east-1a' },
        },
      },
      Actions: { interruptAzPower: { Targets: { ReplicationGroups: 'drilledGroup' } } },
      StopConditions: [{ Source: 'none' }],
    });

    // Assess
    expect(calls).toEqual([
      {
        operation: 'CreateExperimentTemplate',
        input: {
          clientToken: 't',
          targets: {
            drilledGroup: {
              resourceTags: { 'failover-drill:lock': 'run@1' },
              parameters: { availabilityZoneIdentifier: 'us-east-1a' },
            },
          },
          actions: { interruptAzPower: { targets: { ReplicationGroups: 'drilledGroup' } } },
          stopConditions: [{ source: 'none' }],
        },
      },
    ]);
    expect(output).toEqual({
      ExperimentTemplate: {
        Id: 'EXT1',
        CreationTime: '2026-11-30T00:53:20.500Z',
        Targets: { drilledGroup: { ResourceTags: { 'failover-drill:lock': 'run@1' } } },
      },
    });
  });

  it('names a fault <Service>.<Error>Exception, as Step Functions does', async () => {
    // Prepare
    const { service } = recording(new RestJsonFault('ResourceNotFoundException', 404, 'no such template'));
    const task = sdkIntegration('arn:aws:states:::aws-sdk:fis:deleteExperimentTemplate', { fis: service })!;

    // Act
    const error = await task({ Id: 'EXT1' }).catch((e: unknown) => e as Error);

    // Assess
    expect(error).toMatchObject({ name: 'Fis.ResourceNotFoundException', message: 'no such template' });
  });

  it('is no integration for another resource', () => {
    // Act
    const none = sdkIntegration('arn:aws:states:::states:startExecution.sync:2', {});

    // Assess
    expect(none).toBeUndefined();
  });

  it('knows every map and timestamp member of the FIS operations the local FIS serves, as botocore’s model has them', () => {
    // Prepare
    const fis = new FisService(
      { region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID },
      {} as ElastiCacheService,
    );
    const model = serviceModel('fis', FIS_VERSION) as unknown as {
      operations: Record<string, { input?: { shape: string }; output?: { shape: string } }>;
      shapes: Record<
        string,
        {
          type: string;
          members?: Record<string, { shape: string }>;
          member?: { shape: string };
          value?: { shape: string };
        }
      >;
    };
    const maps = new Set<string>();
    const timestamps = new Set<string>();
    const seen = new Set<string>();
    const walk = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const shape = model.shapes[name]!;
      for (const [member, ref] of Object.entries(shape.members ?? {})) {
        const type = model.shapes[ref.shape]!.type;
        if (type === 'map') maps.add(member);
        if (type === 'timestamp') timestamps.add(member);
        walk(ref.shape);
      }
      if (shape.member) walk(shape.member.shape);
      if (shape.value) walk(shape.value.shape);
    };

    // Act
    for (const operation of fis.operations) {
      const { input, output } = model.operations[operation]!;
      if (input) walk(input.shape);
      if (output) walk(output.shape);
    }

    // Assess
    expect([...fis.mapMembers].sort()).toEqual([...maps].sort());
    expect([...fis.timestampMembers].sort()).toEqual([...timestamps].sort());
  });
});
