/**
 * The Lambda artifacts as they deploy: each function built as `sam build` builds it, its size (what is
 * zipped and uploaded) and its cold import (the INIT Lambda bills and a drill waits for), each a fresh
 * Node 22 process in a task root of its own. The reference in the same run: an empty handler.mjs
 * started the same way (the floor before any of our code), and the load average, since the import
 * is CPU-bound and the machine is shared. Goals: ≤ 1.5 MB, ≤ 300 ms.
 * Then each layer built as `sam build` builds it: its size unzipped and deflated (as zip stores it), and
 * what loading its packages costs where they are first used, in a fresh Node 22 with the layer (built
 * for this host's CPU) on NODE_PATH.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { arch, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { type BuiltFunction, samBuild } from '../scripts/sam-build.js';
import { type BuiltLayer, samBuildLayer, samLayers } from '../scripts/sam-layer.js';
import { type ColdInvocation, coldInvoke, NODE_22 } from '../test/support/lambda-runtime.js';
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

/** Bytes of every file of `dir` deflated (zlib's default level, as a zip archive stores them). */
async function deflatedBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += deflateRawSync(await readFile(join(entry.parentPath, entry.name))).length;
  }
  return total;
}

/** Wall and CPU ms of requiring the layer's own dependencies in a fresh Node 22, the layer on NODE_PATH. */
async function layerLoad(layer: BuiltLayer, cwd: string): Promise<[number, number]> {
  const modules = join(layer.dir, 'nodejs', 'node_modules');
  const { dependencies = {} } = JSON.parse(await readFile(join(layer.dir, 'nodejs', 'package.json'), 'utf8'));
  const script =
    'const t = performance.now(), c = process.cpuUsage();' +
    `for (const name of ${JSON.stringify(Object.keys(dependencies))}) require(name);` +
    'const u = process.cpuUsage(c); console.log(JSON.stringify([performance.now() - t, (u.user + u.system) / 1000]));';
  const { stdout } = await promisify(execFile)(NODE_22, ['-e', script], {
    cwd,
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', NODE_PATH: modules },
  });
  return JSON.parse(stdout) as [number, number];
}

async function layerRows(buildDir: string): Promise<string[]> {
  const rows: string[] = [];
  for (const layer of samLayers()) {
    const [deployed, runnable] = await Promise.all([
      samBuildLayer(join(buildDir, 'layers'), layer),
      samBuildLayer(join(buildDir, 'layers-host'), layer, { cpu: arch() }),
    ]);
    const empty = await mkdtemp(join(tmpdir(), 'layer-load-'));
    const loads: [number, number][] = [];
    try {
      for (let i = 0; i < ROUNDS; i++) loads.push(await layerLoad(runnable, empty));
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
    rows.push(
      `| ${layer.logicalId} (${layer.buildArchitecture}) | ${(deployed.bytes / 1e6).toFixed(1)} MB | ${(
        (await deflatedBytes(deployed.dir)) / 1e6
      ).toFixed(
        1,
      )} MB | ${fmt(median(loads.map(([wall]) => wall)))} ms | ${fmt(median(loads.map(([, cpu]) => cpu)))} ms |`,
    );
  }
  return rows;
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
    const layers = await layerRows(buildDir);
    process.stdout.write(
      `\n${layers.length} layer(s) built as \`sam build\` does; loading its packages: median of ${ROUNDS} fresh Node 22 processes.\n\n` +
        '| layer | unzipped | deflated (zip) | loading its packages | its CPU time |\n' +
        '| --- | ---: | ---: | ---: | ---: |\n' +
        `${layers.join('\n')}\n`,
    );
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
}
