#!/usr/bin/env node
// The installed package runs the compiled JavaScript in dist/; a source checkout (cli/main.ts beside
// it) runs the TypeScript directly through tsx, a devDependency, so that no build step stands between
// an edit and `npm run drill`.
import { existsSync } from 'node:fs';

const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  process.stderr.write(
    `failover-drill needs Node.js 22 or newer (this is ${process.version}). ` +
      'Run it through npm (npm run drill / npx failover-drill), which uses the Node 22 installed by npm ci.\n',
  );
  process.exit(2);
}
const source = new URL('../cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  process.setSourceMapsEnabled(true);
  await import('../dist/cli/main.js');
}
