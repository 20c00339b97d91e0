/**
 * The AWS CLI v1 (botocore) as a second client of the local cloud: every request is built from AWS's own
 * service model, not from this project's code. Dummy credentials, no config files, no pager, JSON out.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface AwsCliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout as JSON, when there is any. */
  json: unknown;
}

/** `env`: more of the CLI's environment, e.g. AWS_DATA_PATH for a model newer than botocore's. */
export async function awsCli(
  endpoint: string,
  args: string[],
  region = 'us-east-1',
  env: Record<string, string> = {},
): Promise<AwsCliResult> {
  const base = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_DEFAULT_REGION: region,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_MAX_ATTEMPTS: '1',
    AWS_RETRY_MODE: 'standard',
  };
  try {
    const { stdout, stderr } = await run('aws', [...args, '--endpoint-url', endpoint, '--output', 'json'], {
      env: { ...base, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr, json: stdout.trim() ? JSON.parse(stdout) : undefined };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: failed.code ?? 1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
      json: undefined,
    };
  }
}
