import {
  type LocalCloud,
  type LocalCloudOptions,
  LocalCloudOptionsError,
  resolveOptions,
  startLocalCloud,
} from '../local/cloud.js';
import { handlerEnvironment } from '../local/drill.js';
import { type GlobalFlags, globalOptions, type LocalGroupFlags, localGroupOptions } from './local-group.js';

/** Exit code for refused or malformed invocations, as for every refusal (see the README). */
const USAGE_EXIT = 2;

export interface EmulatorFlags extends LocalGroupFlags, GlobalFlags {
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
    global: globalOptions(flags),
  };
}

/** The one line a harness waits for: where everything is. */
export function readyLine(cloud: LocalCloud): string {
  const { tls, ...group } = cloud.group;
  return JSON.stringify({
    ready: true,
    endpoint: cloud.endpoint,
    region: cloud.region,
    stateMachineArn: cloud.stateMachineArn,
    fleetStateMachineArn: cloud.fleetStateMachineArn,
    faultStopStateMachineArn: cloud.faultStopStateMachineArn,
    groupIds: cloud.groupIds,
    snsTopicArn: cloud.snsTopicArn,
    ...group,
    global: cloud.global && {
      globalReplicationGroupId: cloud.global.globalReplicationGroupId,
      primary: cloud.global.primary,
      secondary: { ...cloud.global.secondary, primaryEndpoint: cloud.secondaryGroup?.primaryEndpoint },
    },
    tls: tls && { caFile: tls.caFile },
    env: cloud.env(),
  });
}

export async function serve(flags: EmulatorFlags): Promise<void> {
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
  // Executions of the drill state machine run the real ASL and handlers here, with this environment.
  Object.assign(process.env, handlerEnvironment(cloud, flags.reportDir, flags.verbose ?? false));
  // Ready means ready to drill: the functions' INIT (their modules imported) is done, with this environment.
  await cloud.lambda.init();
  process.stdout.write(`${readyLine(cloud)}\n`);
  // Serving is the command: it ends only by a signal (shutdown exits), never by returning.
  await new Promise<never>(() => {});
}
