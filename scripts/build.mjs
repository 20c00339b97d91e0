// npm run build: compiles the CLI, the local cloud and the functions to JavaScript in dist/ (one file per
// module, source maps beside them) with the files they read at run time, so that the installed tool runs
// without TypeScript. The Lambda bundles are sam build's business (template.yaml), not this.
import { cpSync, globSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const OUT = 'dist';
const entryPoints = globSync('{cli,local,functions}/**/*.ts').filter(
  (file) => !/\.(test|fixture)\.ts$/.test(file),
);

rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints,
  outdir: OUT,
  outbase: '.',
  format: 'esm',
  platform: 'node',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
});
// Read at run time relative to the project root, which is dist/ in the package (local/template.ts).
cpSync('template.yaml', `${OUT}/template.yaml`);
cpSync('statemachines', `${OUT}/statemachines`, { recursive: true });
for (const file of globSync('local/**/*.mjs')) cpSync(file, `${OUT}/${file}`);
console.error(`built ${entryPoints.length} modules into ${OUT}/`);
