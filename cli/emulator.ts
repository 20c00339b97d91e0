import { Command } from 'commander';
import {
  type LocalCloud,
  type LocalCloudOptions,
  LocalCloudOptionsError,
  resolveOptions,
  startLocalCloud,
} from '../local/cloud.js';
import { handlerEnvironment } from '../local/drill.js';
import { LocalStepFunctions } from '../local/stepfunctions/service.js';
import { wholeNumber } from './args.js';
import { type LocalGroupFlags, localGroupOptions, withLocalGroupOptions } from './local-group.js';

/** Exit code for refused or malformed invocations, as for every refusal (see the README). */
const USAGE_EXIT = 2;

export interface EmulatorFlags extends LocalGroupFlags {
  port?: number;
  groupId?: string;
  snsLog?: string;
  reportDir: string;
  verbose?: boolean;
}

/** The flags as startLocalCloud options (validated there, with the same messages as for library callers). */
export function cloudOptions(flags: EmulatorFlags): LocalCloudOptions {
  return {
    ...localGroupOptions(flags),
    port: flags.port,
    groupId: flags.groupId,
    snsLogFile: flags.snsLog,
  };
}

/** The one line a harness waits for: where everything is. */
export function readyLine(cloud: LocalCloud, stateMachineArn?: string): string {
  const { tls, ...group } = cloud.group;
  return JSON.stringify({
    ready: true,
    endpoint: cloud.endpoint,
    region: cloud.region,
    stateMachineArn,
    snsTopicArn: cloud.snsTopicArn,
    ...group,
    tls: tls && { caFile: tls.caFile },
    env: cloud.env(),
  });
}

async function serve(flags: EmulatorFlags): Promise<void> {
  const options = cloudOptions(flags);
  try {
    resolveOptions(options);
  } catch (error) {
    if (!(error instanceof LocalCloudOptionsError)) throw error;
    process.stderr.write(`failover-drill emulator: ${error.message}\n`);
    process.exit(USAGE_EXIT);
  }
  let cloud: LocalCloud;
  try {
    cloud = await startLocalCloud(options);
  } catch (error) {
    process.stderr.write(`failover-drill emulator: could not start: ${(error as Error).message}\n`);
    process.exit(USAGE_EXIT);
  }
  const shutdown = () => {
    void cloud.stop().finally(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  // The drill state machine, served on the same endpoint: executions run the real ASL and handlers here.
  const stepFunctions = new LocalStepFunctions();
  cloud.controlPlane.mount('states', stepFunctions.handle, { targetPrefix: 'AWSStepFunctions' });
  Object.assign(process.env, handlerEnvironment(cloud, flags.reportDir, flags.verbose ?? false));
  process.stdout.write(`${readyLine(cloud, stepFunctions.stateMachineArn)}\n`);
}

export function emulatorCommand(): Command {
  return withLocalGroupOptions(
    new Command('emulator')
      .description(
        'Serve the local cloud until SIGINT/SIGTERM: a replication group of real redis-server processes and ' +
          'an ElastiCache + SNS + Step Functions (the drill state machine) control plane on 127.0.0.1 for the AWS SDK (AWS_ENDPOINT_URL_*). Prints one ' +
          'ready line of JSON on stdout.',
      )
      .option('--port <n>', 'control plane port (default: a free one)', wholeNumber),
  )
    .option('--group-id <id>', 'replication group id (default drill-demo)')
    .option('--sns-log <file>', 'append published SNS messages to this JSONL file')
    .option(
      '--report-dir <dir>',
      'where drills started through the local Step Functions store reports',
      'drill-reports',
    )
    .option('--verbose', "show the drill Lambdas' log lines")
    .action(async (flags: EmulatorFlags) => {
      await serve(flags);
    });
}
