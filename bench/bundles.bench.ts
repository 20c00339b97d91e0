/**
 * The Lambda artifacts as they deploy: each function built as `sam build` builds it, its size (what is
 * zipped and uploaded) and its cold import (the INIT Lambda bills and a drill waits for), each a fresh
 * Node 22 process in a task root of its own. The reference in the same run: an empty handler.mjs
 * started the same way, i.e. what the runtime costs before any of our code. Goals: ≤ 1.5 MB, ≤ 300 ms.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ColdInvocation, coldInvoke } from '../test/support/lambda-runtime.js';
import { type BuiltFunction, samBuild } from '../test/support/sam-build.js';
import { fmt } from './bench-kit.js';

const ROUNDS = 7;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

async function importMs(built: BuiltFunction, env: Record<string, string>): Promise<number> {
  const outcome: ColdInvocation = await coldInvoke({ ...built, environment: env }, { malformed: true });
  if (outcome.importMs === undefined) throw new Error(`${built.logicalId}: ${outcome.errorMessage}`);
  return outcome.importMs;
}

export default async function (): Promise<void> {
  const buildDir = await mkdtemp(join(tmpdir(), 'bundles-bench-'));
  try {
    const started = performance.now();
    const functions = await samBuild(buildDir);
    const buildMs = performance.now() - started;

    // The reference: an empty module with a handler, in the same runtime set-up.
    const emptyDir = join(buildDir, 'Empty');
    await mkdir(emptyDir);
    await writeFile(join(emptyDir, 'handler.mjs'), 'export const handler = async () => ({});\n');
    const [template] = functions;
    const empty: BuiltFunction = {
      ...template!,
      logicalId: 'Empty',
      dir: emptyDir,
      files: { 'handler.mjs': 0 },
    };

    const rows: string[] = [];
    let baseline = 0;
    for (const built of [empty, ...functions]) {
      // Rounds alternate with and without source maps, so both see the same machine.
      const mapped: number[] = [];
      const bare: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        mapped.push(await importMs(built, built.environment));
        const { NODE_OPTIONS: _, ...withoutMaps } = built.environment;
        bare.push(await importMs(built, withoutMaps));
      }
      const ms = median(mapped);
      if (built === empty) baseline = ms;
      const size = built.files['handler.mjs'] ?? 0;
      const map = built.files['handler.mjs.map'] ?? 0;
      rows.push(
        `| ${built.logicalId} | ${built === empty ? '—' : `${(size / 1e6).toFixed(2)} MB`} | ${built === empty ? '—' : `${(map / 1e6).toFixed(2)} MB`} | ${fmt(ms)} ms | ${fmt(median(bare))} ms | ${built === empty ? '1' : (ms / baseline).toFixed(1)} |`,
      );
    }
    process.stdout.write(
      `${functions.length} functions built as \`sam build\` does, in parallel, in ${fmt(buildMs)} ms. ` +
        `Cold import: median of ${ROUNDS} fresh Node 22 processes each, the import alone (timed inside the process).\n\n` +
        '| function | handler.mjs | source map | import, with `--enable-source-maps` (as deployed) | import, without | ratio to the empty module |\n' +
        '| --- | ---: | ---: | ---: | ---: | ---: |\n' +
        `${rows.join('\n')}\n`,
    );
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
}
