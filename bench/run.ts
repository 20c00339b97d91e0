// Runs every bench/*.bench.ts in turn (or those named on the command line). Each one prints its
// own figures as Markdown, ratios to redis-benchmark measured in the same run.
import { readdir } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const dir = new URL('./', import.meta.url);
const wanted = process.argv.slice(2);
const files = (await readdir(dir)).filter((f) => f.endsWith('.bench.ts')).sort();
for (const file of files) {
  if (wanted.length > 0 && !wanted.some((w) => file.includes(w))) continue;
  process.stdout.write(`\n## ${file}\n\n`);
  const suite = (await import(pathToFileURL(new URL(file, dir).pathname).href)) as {
    default: () => Promise<void>;
  };
  await suite.default();
}
process.exit(0);
