#!/usr/bin/env node
// The CLI is TypeScript run directly (no build step); tsx's loader is registered before it loads.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  process.stderr.write(
    `failover-drill needs Node.js 22 or newer (this is ${process.version}). ` +
      'Run it through npm (npm run drill / npx failover-drill), which uses the Node 22 installed by npm ci.\n',
  );
  process.exit(2);
}
const { register } = await import('tsx/esm/api');
register();
await import('../cli/main.ts');
