// Runs every bench/*.bench.ts (or those named on the command line), each in a process of its own so
// that memory figures are not another bench's leftovers. Each prints its own figures as Markdown,
// ratios to redis-benchmark measured in the same run.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = fileURLToPath(new URL('./', import.meta.url));
const [, , first, ...rest] = process.argv;

if (first === '--one') {
  const suite = (await import(pathToFileURL(`${dir}${rest[0]}`).href)) as { default: () => Promise<void> };
  await suite.default();
  process.exit(0);
}

const wanted = [first, ...rest].filter((w): w is string => w !== undefined);
let failed = false;
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort()) {
  if (wanted.length > 0 && !wanted.some((w) => file.includes(w))) continue;
  process.stdout.write(`\n## ${file}\n\n`);
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--one', file],
    {
      stdio: 'inherit',
    },
  );
  failed ||= child.status !== 0;
}
process.exit(failed ? 1 : 0);
