/**
 * The services of the local cloud held against AWS's models: one line each — its signing name, botocore's
 * model of it, the operations it serves, and a drive that calls each of them (answers and faults) through
 * the real SDK client. A service another issue adds gets a line and a drive here.
 */
import type { LocalCloud } from '../../local/cloud.js';
import { ELASTICACHE_VERSION } from '../../local/elasticache/service.js';
import { FIS_VERSION } from '../../local/fis/service.js';
import { SNS_VERSION } from '../../local/sns/service.js';
import {
  driveElastiCache,
  driveElastiCacheAside,
  driveFis,
  driveSecretsManager,
  driveSns,
  driveStepFunctions,
} from './conformance-drives.js';

export interface ConformanceService {
  /** The SigV4 signing name the control plane routes by. */
  signingName: string;
  /** botocore's data/<service>/<apiVersion>. */
  model: [service: string, apiVersion: string];
  operations: (cloud: LocalCloud) => string[];
  /**
   * Calls every operation (and the faults it can give); the control plane records the answers. `drive` acts
   * on the cloud's own group (failovers, power cuts): these run one after another. `aside` touches nothing
   * of that group (resources and groups of its own): it runs beside them. `alone` runs whole drills, whose
   * writers must start in time: it runs after all the others, nothing beside it.
   */
  drive?: (cloud: LocalCloud) => Promise<void>;
  aside?: (cloud: LocalCloud) => Promise<void>;
  alone?: (cloud: LocalCloud) => Promise<void>;
}

export const SERVICES: ConformanceService[] = [
  {
    signingName: 'elasticache',
    model: ['elasticache', ELASTICACHE_VERSION],
    operations: (c) => c.elastiCache.operations,
    drive: driveElastiCache,
    aside: driveElastiCacheAside,
  },
  { signingName: 'sns', model: ['sns', SNS_VERSION], operations: (c) => c.sns.operations, aside: driveSns },
  {
    signingName: 'states',
    model: ['stepfunctions', '2016-11-23'],
    operations: (c) => c.stepFunctions.operations,
    alone: driveStepFunctions,
  },
  {
    signingName: 'secretsmanager',
    model: ['secretsmanager', '2017-10-17'],
    operations: (c) => c.secretsManager.operations,
    aside: driveSecretsManager,
  },
  // No @aws-sdk/client-fis on the project's one SDK version: FIS is driven by the AWS CLI (botocore).
  { signingName: 'fis', model: ['fis', FIS_VERSION], operations: (c) => c.fis.operations, drive: driveFis },
];
