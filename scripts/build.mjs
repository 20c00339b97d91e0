// npm run build: compiles the CLI, the local cloud and the functions to JavaScript in dist/ (one file per
// module, source maps beside them) with the files they read at run time, so that the installed tool runs
// without TypeScript. The Lambda bundles are sam build's business (template.yaml), not this.
// The test suite builds the same tree once per run (test/global-setup.ts) and runs its CLI children from it.
import { cpSync, globSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/** Builds the package's JavaScript from the project at `root` into `out`; resolves with the module count. */
export async function buildPackage(root = '.', out = join(root, 'dist')) {
  const entryPoints = globSync('{cli,local,functions}/**/*.ts', { cwd: root })
    .filter((file) => !/\.(test|fixture)\.ts$/.test(file))
    .map((file) => join(root, file));
  rmSync(out, { recursive: true, force: true });
  await build({
    entryPoints,
    outdir: out,
    outbase: root,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    sourcemap: true,
    logLevel: 'warning',
  });
  // Read at run time relative to the project root, which is dist/ in the package (local/template.ts).
  cpSync(join(root, 'template.yaml'), join(out, 'template.yaml'));
  cpSync(join(root, 'statemachines'), join(out, 'statemachines'), { recursive: true });
  for (const file of globSync('local/**/*.mjs', { cwd: root })) cpSync(join(root, file), join(out, file));
  return entryPoints.length;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.error(`built ${await buildPackage()} modules into dist/`);
}
