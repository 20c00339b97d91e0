/**
 * `sam build` for an AWS::Serverless::LayerVersion with a nodejs BuildMethod, reproduced from SAM CLI
 * (samcli/lib/build/app_builder.py: ApplicationBuilder._build_layer; workflow_config.py:
 * get_layer_subfolder) and aws-lambda-builders' NodejsNpmBuilder (workflows/nodejs_npm/workflow.py and
 * actions.py), so that the tests judge the layer that deploys:
 *
 *  - the artifacts go to `<build dir>/<LogicalId>/nodejs/` (the layer subfolder of nodejs runtimes);
 *  - `npm pack -q file:<ContentUri>` in a scratch directory, its tarball unpacked; the ContentUri's
 *    .npmrc, package-lock.json and npm-shrinkwrap.json copied beside it (npm pack leaves .npmrc out);
 *  - all of it copied into the artifacts, then `npm install -q --no-audit --no-save --unsafe-perm
 *    --omit=dev` there (no lockfile or no UseNpmCi: install, not ci);
 *  - .npmrc and node_modules/.package-lock.json removed.
 *
 * `<build dir>/<LogicalId>/` is the layer's content: what Lambda extracts to /opt.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { loadTemplate, PROJECT_ROOT, type Template } from '../local/template.js';

const run = promisify(execFile);

export interface SamLayer {
  logicalId: string;
  /** The ContentUri directory, absolute. */
  contentUri: string;
  /** Metadata.BuildMethod, e.g. nodejs22.x. */
  buildMethod: string;
  /** Metadata.BuildArchitecture (SAM's default x86_64). */
  buildArchitecture: string;
  compatibleRuntimes: string[];
  compatibleArchitectures: string[];
}

/** Every AWS::Serverless::LayerVersion of the template that sam build builds (it has a BuildMethod). */
export function samLayers(template: Template = loadTemplate(), templateDir = PROJECT_ROOT): SamLayer[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Serverless::LayerVersion' && r.Metadata?.BuildMethod)
    .map(([logicalId, { Properties: props = {}, Metadata: metadata = {} }]) => ({
      logicalId,
      contentUri: resolve(templateDir, String(props.ContentUri)),
      buildMethod: String(metadata.BuildMethod),
      buildArchitecture: String(metadata.BuildArchitecture ?? 'x86_64'),
      compatibleRuntimes: (props.CompatibleRuntimes ?? []) as string[],
      compatibleArchitectures: (props.CompatibleArchitectures ?? ['x86_64']) as string[],
    }));
}

export interface BuiltLayer extends SamLayer {
  /** The layer's content, as Lambda mounts it at /opt. */
  dir: string;
  /** Bytes of every file in it (what the unzipped layer weighs). */
  bytes: number;
}

async function bytesUnder(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/**
 * Builds `layer` into `<buildDir>/<LogicalId>/`. `npmConfig` is npm configuration from the environment
 * (e.g. `{ cpu: 'x64' }`), which outranks the layer's .npmrc as npm's own precedence has it. npm's
 * variables of the process running the tests (npx sets npm_config_local_prefix, ...) are not passed on.
 */
export async function samBuildLayer(
  buildDir: string,
  layer: SamLayer,
  npmConfig: Record<string, string> = {},
): Promise<BuiltLayer> {
  if (!/^nodejs\d+\.x$/.test(layer.buildMethod))
    throw new Error(`${layer.logicalId}: BuildMethod ${layer.buildMethod} is not reproduced here`);
  const dir = resolve(buildDir, layer.logicalId);
  const artifacts = join(dir, 'nodejs');
  const scratch = await mkdtemp(join(tmpdir(), 'sam-layer-scratch-'));
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key))),
    ...Object.fromEntries(Object.entries(npmConfig).map(([key, value]) => [`npm_config_${key}`, value])),
  };
  const npm = (args: string[], cwd: string) =>
    run('npm', args, { cwd, env }).catch((error: { stderr?: string }) => {
      throw new Error(`npm ${args[0]} failed for ${layer.logicalId}: ${error.stderr ?? String(error)}`);
    });
  try {
    await rm(dir, { recursive: true, force: true });
    await mkdir(artifacts, { recursive: true });
    // NodejsNpmPackAction: the tarball's name is npm pack's last line of output.
    const { stdout } = await npm(['pack', '-q', `file:${layer.contentUri}`], scratch);
    const tarball = stdout.trim().split('\n').at(-1)!;
    await run('tar', ['-xzf', tarball], { cwd: scratch });
    const unpacked = join(scratch, 'package');
    // NodejsNpmrcAndLockfileCopyAction
    for (const name of ['.npmrc', 'package-lock.json', 'npm-shrinkwrap.json']) {
      if (existsSync(join(layer.contentUri, name)))
        await cp(join(layer.contentUri, name), join(unpacked, name));
    }
    // CopySourceAction (excluding .aws-sam and .git, which npm pack never packs)
    await cp(unpacked, artifacts, { recursive: true });
    // NodejsNpmInstallAction
    await npm(['install', '-q', '--no-audit', '--no-save', '--unsafe-perm', '--omit=dev'], artifacts);
    // NodejsNpmrcCleanUpAction, NodejsNpmLockFileCleanUpAction
    await rm(join(artifacts, '.npmrc'), { force: true });
    await rm(join(artifacts, 'node_modules', '.package-lock.json'), { force: true });
    return { ...layer, dir, bytes: await bytesUnder(dir) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
