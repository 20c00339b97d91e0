/**
 * The Lambda artifacts as they deploy: each function built as `sam build` builds it, its size (what is
 * zipped and uploaded) and its cold import (the INIT Lambda bills and a drill waits for), each a fresh
 * Node 22 process in a task root of its own. The reference in the same run: an empty handler.mjs
 * started the same way (the floor before any of our code), and the load average, since the import
 * is CPU-bound and the machine is shared. Goals: ≤ 1.5 MB, ≤ 300 ms.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ColdInvocation, coldInvoke } from '../test/support/lambda-runtime.js';
import { type BuiltFunction, samBuild } from '../test/support/sam-build.js';
import { fmt } from './bench-kit.js';

const ROUNDS = 7;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

async function coldImport(built: BuiltFunction, env: Record<string, string>): Promise<[number, number]> {
  const outcome: ColdInvocation = await coldInvoke({ ...built, environment: env }, { malformed: true });
  if (outcome.importMs === undefined || outcome.importCpuMs === undefined) {
    throw new Error(`${built.logicalId}: ${outcome.errorMessage}`);
  }
  return [outcome.importMs, outcome.importCpuMs];
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
    const loadBefore = loadavg()[0]!;
    for (const built of [empty, ...functions]) {
      // Rounds alternate with and without source maps, so both see the same machine.
      const mapped: number[] = [];
      const mappedCpu: number[] = [];
      const bare: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const [wall, cpu] = await coldImport(built, built.environment);
        mapped.push(wall);
        mappedCpu.push(cpu);
        const { NODE_OPTIONS: _, ...withoutMaps } = built.environment;
        bare.push((await coldImport(built, withoutMaps))[0]);
      }
      const size = built.files['handler.mjs'] ?? 0;
      const total = Object.entries(built.files)
        .filter(([name]) => name.endsWith('.mjs'))
        .reduce((sum, [, bytes]) => sum + bytes, 0);
      rows.push(
        `| ${built.logicalId} | ${built === empty ? '—' : `${(size / 1e6).toFixed(2)} MB`} | ${built === empty ? '—' : `${(total / 1e6).toFixed(2)} MB`} | ${fmt(median(mapped))} ms (min ${fmt(Math.min(...mapped))}) | ${fmt(median(mappedCpu))} ms | ${fmt(median(bare))} ms |`,
      );
    }
    process.stdout.write(
      `${functions.length} functions built as \`sam build\` does, in parallel, in ${fmt(buildMs)} ms. ` +
        `Cold import: median of ${ROUNDS} fresh Node 22 processes each, the import alone (timed inside the process; ` +
        'its CPU time, all threads, is what load does not inflate). ' +
        `Load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after (2 vCPUs).\n\n` +
        '| function | handler.mjs | all its modules (chunks loaded when used) | import, as deployed (`--enable-source-maps`) | its CPU time | import without source maps |\n' +
        '| --- | ---: | ---: | ---: | ---: | ---: |\n' +
        `${rows.join('\n')}\n`,
    );
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
}
