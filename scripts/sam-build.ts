/**
 * `sam build` for BuildMethod: esbuild, reproduced from aws-lambda-builders (workflows/nodejs_npm_esbuild:
 * EsbuildCommandBuilder) and SAM CLI (ResourceMetadataNormalizer.normalize_build_properties), so that
 * the tests and the benchmarks judge the artifacts that deploy, not a build of our own design:
 *
 *  - BuildProperties keys go PascalCase → snake_case → kebab-case flags; `true` → `--key`, `false` →
 *    nothing, a string → `--key=value`, a list → `--key:item` per item; bundle/platform/outdir are
 *    the builder's own and skipped, EntryPoints become the positional arguments.
 *  - Always `--bundle --platform=node --outdir=<artifacts>`; `--target=es2020`, `--format=cjs` and
 *    `--minify` unless the template says otherwise.
 *  - esbuild runs in the CodeUri directory (SAM's scratch copy of it, with node_modules installed) and
 *    writes one task root per function: `<build dir>/<LogicalId>/`.
 *
 * Run directly, it builds every function into a directory (default `.aws-sam/build`):
 *   node bin/run-ts.js scripts/sam-build.ts [dir]
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadTemplate, PROJECT_ROOT, type Template } from '../local/template.js';

const run = promisify(execFile);

/** The esbuild binary of the pinned `esbuild` package (SAM prefers the project's own esbuild too). */
export const ESBUILD = join(
  dirname(createRequire(import.meta.url).resolve('esbuild/package.json')),
  'bin/esbuild',
);

export interface SamFunction {
  logicalId: string;
  /** The CodeUri directory, absolute: where esbuild runs and EntryPoints are relative to. */
  codeUri: string;
  /** The Handler setting, e.g. `handler.handler`. */
  handler: string;
  runtime: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** The function's environment variables that are plain strings in the template (Globals merged). */
  environment: Record<string, string>;
  /** Metadata.BuildProperties as SAM CLI hands them to the builder (snake_case keys). */
  buildProperties: Record<string, unknown>;
  /** The Layers setting: a layer of the template by its logical id (a Ref), any other by its ARN. */
  layers: string[];
}

const PASCAL_TO_SNAKE = /(?<!^)(?=[A-Z])/g;

function literalStrings(variables: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries((variables ?? {}) as Record<string, unknown>).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}

/** Every AWS::Serverless::Function of the template with BuildMethod esbuild, Globals.Function applied. */
export function samFunctions(template: Template = loadTemplate(), templateDir = PROJECT_ROOT): SamFunction[] {
  const globals = template.Globals?.Function ?? {};
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Serverless::Function' && r.Metadata?.BuildMethod === 'esbuild')
    .map(([logicalId, resource]) => {
      const props = { ...globals, ...resource.Properties };
      const globalVariables = (globals.Environment as { Variables?: unknown } | undefined)?.Variables;
      const ownVariables = (resource.Properties?.Environment as { Variables?: unknown } | undefined)
        ?.Variables;
      const buildProperties = Object.fromEntries(
        Object.entries((resource.Metadata?.BuildProperties ?? {}) as Record<string, unknown>).map(
          ([k, v]) => [k.replace(PASCAL_TO_SNAKE, '_').toLowerCase(), v],
        ),
      );
      return {
        logicalId,
        codeUri: resolve(templateDir, String(props.CodeUri ?? '.')),
        handler: String(props.Handler),
        runtime: String(props.Runtime),
        timeoutSeconds: Number(props.Timeout ?? 3),
        memoryMb: Number(props.MemorySize ?? 128),
        environment: { ...literalStrings(globalVariables), ...literalStrings(ownVariables) },
        buildProperties,
        layers: ((props.Layers ?? []) as unknown[]).map((layer) =>
          typeof layer === 'object' && layer !== null && 'Ref' in layer ? String(layer.Ref) : String(layer),
        ),
      };
    });
}

/** The builder's own flags, never taken from the template; and the properties that are not esbuild's. */
const NON_CONFIGURABLE = new Set(['bundle', 'platform', 'outdir']);
const IGNORED = new Set(['use_npm_ci', 'entry_points']);

/** The esbuild command line aws-lambda-builders runs for one function (EsbuildCommandBuilder). */
export function esbuildArgs(fn: SamFunction, artifactsDir: string): string[] {
  const config = fn.buildProperties;
  const entryPoints = config.entry_points;
  if (!Array.isArray(entryPoints) || entryPoints.length === 0) {
    throw new Error(`${fn.logicalId}: entry_points must be a non-empty list`);
  }
  if (Array.isArray(config.external) && config.external.includes('./node_modules/*')) {
    throw new Error(`${fn.logicalId}: External ./node_modules/* (dependency layers) is not reproduced here`);
  }
  // build_entry_points: an entry without a suffix is tried as .ts, then .js.
  const args = entryPoints.map((entry: string) => {
    if (extname(entry)) {
      if (!existsSync(join(fn.codeUri, entry))) throw new Error(`entry point ${entry} does not exist`);
      return entry;
    }
    const found = ['.ts', '.js'].find((ext) => existsSync(join(fn.codeUri, entry + ext)));
    if (!found) throw new Error(`entry point ${entry} does not exist`);
    return entry + found;
  });
  // build_default_values
  args.push('--bundle', '--platform=node', `--outdir=${artifactsDir}`);
  if (!('target' in config)) args.push('--target=es2020');
  if (!('format' in config)) args.push('--format=cjs');
  if (!('minify' in config)) args.push('--minify');
  // build_esbuild_args_from_config
  for (const [key, value] of Object.entries(config)) {
    if (NON_CONFIGURABLE.has(key) || IGNORED.has(key)) continue;
    const flag = `--${key.replaceAll('_', '-')}`;
    if (typeof value === 'boolean') {
      if (value) args.push(flag);
    } else if (typeof value === 'string') {
      args.push(`${flag}=${value}`);
    } else if (Array.isArray(value)) {
      for (const item of value) args.push(`${flag}:${item}`);
    } else {
      throw new Error(`${fn.logicalId}: Failed to determine the type of the configuration: ${key}`);
    }
  }
  return args;
}

export interface BuiltFunction extends SamFunction {
  /** The function's task root: what would be zipped and deployed. */
  dir: string;
  /** Every file in the task root and its size in bytes. */
  files: Record<string, number>;
}

/** Builds every function into `<buildDir>/<LogicalId>/`, all at once (as `sam build --parallel`). */
export async function samBuild(
  buildDir: string,
  functions: SamFunction[] = samFunctions(),
): Promise<BuiltFunction[]> {
  return Promise.all(
    functions.map(async (fn) => {
      const dir = resolve(buildDir, fn.logicalId);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      await run(ESBUILD, esbuildArgs(fn, dir), { cwd: fn.codeUri }).catch((error: { stderr?: string }) => {
        throw new Error(`esbuild failed for ${fn.logicalId}: ${error.stderr ?? String(error)}`);
      });
      const files = Object.fromEntries(
        (await readdir(dir)).map((name) => [name, statSync(join(dir, name)).size] as const),
      );
      return { ...fn, dir, files };
    }),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const buildDir = resolve(process.argv[2] ?? join(PROJECT_ROOT, '.aws-sam/build'));
  for (const built of await samBuild(buildDir)) {
    const modules = Object.keys(built.files).filter((name) => name.endsWith('.mjs'));
    process.stdout.write(`${built.logicalId.padEnd(26)} handler.mjs and ${modules.length - 1} chunks\n`);
  }
  process.stdout.write(`built into ${buildDir}\n`);
}
