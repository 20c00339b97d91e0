import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lambdaHandlerModule } from '../../local/lambda/handler-module.js';
import { PROJECT_ROOT } from '../../local/template.js';
import type { BuiltFunction } from '../../scripts/sam-build.js';

/** Node 22, as the nodejs22.x runtime: the project's pinned `node` devDependency. */
export const NODE_22 = join(PROJECT_ROOT, 'node_modules/node/bin/node');

const RUNTIME_SCRIPT = fileURLToPath(new URL('./lambda-runtime.mjs', import.meta.url));

export interface ColdInvocation {
  /** `init` when the module failed to load or has no such handler, `invoke` once the handler ran. */
  phase: 'init' | 'invoke';
  errorType?: string;
  errorMessage?: string;
  result?: unknown;
  /** The module's import (cold start) alone, in ms, measured inside the child. */
  importMs?: number;
  /** The CPU time (user + system, all threads) of that import, in ms: the figure load does not inflate. */
  importCpuMs?: number;
  stdout: string;
  stderr: string;
}

/** The first directory from `dir` up to the root that holds a node_modules, if any. */
function nodeModulesAbove(dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'node_modules'))) return at;
    if (at === parse(at).root) return undefined;
  }
}

export interface ColdInvokeOptions {
  /**
   * The function's layers as Lambda extracts them to /opt (a built layer's directory). NODE_PATH then
   * names its Node.js paths as the nodejs22.x runtime's bootstrap does, /opt/nodejs/node22/node_modules
   * before /opt/nodejs/node_modules, then the task root (Lambda's packaging-layers documentation lists the
   * paths). Without it no NODE_PATH is set: nothing outside the task root can be resolved.
   */
  opt?: string;
}

/**
 * Copies a built function's task root, and nothing else, into an empty directory, and cold-starts it
 * there in a process of its own with the environment Lambda gives it (the template's variables, the
 * runtime's own, nothing inherited), then invokes it once with `event`.
 */
export async function coldInvoke(
  built: BuiltFunction,
  event: unknown,
  options: ColdInvokeOptions = {},
): Promise<ColdInvocation> {
  const taskRoot = await mkdtemp(join(tmpdir(), `lambda-${built.logicalId}-`));
  try {
    const holder = nodeModulesAbove(taskRoot);
    if (holder) throw new Error(`${taskRoot} is not alone: ${holder}/node_modules could be resolved from it`);
    for (const name of Object.keys(built.files)) await copyFile(join(built.dir, name), join(taskRoot, name));
    const target = lambdaHandlerModule(taskRoot, built.handler);
    const env: Record<string, string> = {
      ...built.environment,
      PATH: '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      LAMBDA_TASK_ROOT: taskRoot,
      _HANDLER: built.handler,
      AWS_EXECUTION_ENV: `AWS_Lambda_${built.runtime}`,
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: built.logicalId,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(built.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${built.logicalId}`,
      AWS_LAMBDA_LOG_STREAM_NAME: 'cold-start',
      // Credentials are there in Lambda; these are fake, and a refused event must not reach AWS anyway.
      AWS_ACCESS_KEY_ID: 'AKIDLAMBDABUNDLETEST',
      AWS_SECRET_ACCESS_KEY: 'not-a-secret',
      AWS_SESSION_TOKEN: 'not-a-token',
      FUNCTION_TIMEOUT_MS: String(built.timeoutSeconds * 1000),
      ...(options.opt
        ? {
            NODE_PATH: [
              join(
                options.opt,
                'nodejs',
                built.runtime.replace(/^nodejs(\d+)\.x$/, 'node$1'),
                'node_modules',
              ),
              join(options.opt, 'nodejs', 'node_modules'),
              taskRoot,
            ].join(':'),
          }
        : {}),
    };
    const child = spawn(
      NODE_22,
      [RUNTIME_SCRIPT, target.file, target.path.join('.'), JSON.stringify(event)],
      {
        cwd: taskRoot,
        env,
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    let outcome = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.stdio[3]?.on('data', (chunk: Buffer) => {
      outcome += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (!outcome)
      throw new Error(`${built.logicalId}: the runtime exited ${code} with no outcome:\n${stderr}`);
    return { ...(JSON.parse(outcome) as Omit<ColdInvocation, 'stdout' | 'stderr'>), stdout, stderr };
  } finally {
    await rm(taskRoot, { recursive: true, force: true });
  }
}
