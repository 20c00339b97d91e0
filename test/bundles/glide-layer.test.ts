import { readFileSync } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIBRARY_PACKAGES } from '../../functions/core/measure/clients/profile.js';
import { profileKeyBase } from '../../functions/core/measure/clients/profile-keys.js';
import type { ProfileRun } from '../../functions/core/measure/clients/run.js';
import { haltMarkerKey, requestHalt } from '../../functions/core/measure/halt-marker.js';
import { keyBaseFor, keyFor } from '../../functions/core/measure/keys.js';
import { closeClient, createRedisClient, waitUntilReady } from '../../functions/shared/redis-client.js';
import { RedisServer } from '../../local/redis/server.js';
import { loadTemplate, PROJECT_ROOT } from '../../local/template.js';
import { type BuiltFunction, samBuild, samFunctions } from '../../scripts/sam-build.js';
import { type BuiltLayer, samBuildLayer, samLayers } from '../../scripts/sam-layer.js';
import { coldInvoke } from '../support/lambda-runtime.js';
import { planFixture } from '../support/plan-fixture.js';

// GLIDE reaches the Write Lambda in template.yaml's GlideLayer, not in its bundle: the layer built as
// `sam build` builds it (for arm64, on whatever host), and the Write bundle, alone in its task root with
// a layer at /opt, running a glide-defaults profile (and a node-redis one, the bundle's lazily loaded
// chunk) against a real redis-server, in the worker thread whose file is the bundle itself.
const template = loadTemplate();
const layer = samLayers(template).find((l) => l.logicalId === 'GlideLayer')!;
const write = samFunctions(template).find((f) => f.logicalId === 'WriteFunction')!;
const GLIDE = LIBRARY_PACKAGES['valkey-glide'];

/** ELF e_machine of the host's architecture and of Lambda's arm64 (EM_X86_64 62, EM_AARCH64 183). */
const E_MACHINE: Record<string, number> = { x64: 62, arm64: 183 };

let buildDir = '';
/** As deployed: for arm64 Linux. */
let deployed: BuiltLayer;
/** The same layer for this host's CPU (npm_config_cpu outranks the layer's .npmrc), to run it here. */
let runnable: BuiltLayer;
let built: BuiltFunction;
let server: RedisServer;

beforeAll(async () => {
  buildDir = await mkdtemp(join(tmpdir(), 'sam-build-glide-'));
  let functions: BuiltFunction[];
  [deployed, runnable, functions, server] = await Promise.all([
    samBuildLayer(join(buildDir, 'arm64'), layer),
    samBuildLayer(join(buildDir, 'host'), layer, { cpu: arch() }),
    samBuild(join(buildDir, 'functions'), [write]),
    RedisServer.start({ name: 'glide-layer' }),
  ]);
  built = functions[0]!;
});
afterAll(async () => {
  await server?.stop();
  if (buildDir) await rm(buildDir, { recursive: true, force: true });
});

/** The native cores in a built layer: package name and the ELF e_machine of its .node file. */
async function nativeCores(built: BuiltLayer): Promise<Record<string, number>> {
  const scope = join(built.dir, 'nodejs', 'node_modules', '@valkey');
  const cores: Record<string, number> = {};
  for (const name of await readdir(scope)) {
    for (const file of (await readdir(join(scope, name))).filter((f) => f.endsWith('.node'))) {
      const handle = await open(join(scope, name, file));
      try {
        const { buffer } = await handle.read(Buffer.alloc(20), 0, 20, 0);
        expect(buffer.subarray(0, 4).toString('latin1'), file).toBe('\x7fELF');
        cores[`${name}/${file}`] = buffer.readUInt16LE(18);
      } finally {
        await handle.close();
      }
    }
  }
  return cores;
}

/** The Write handler's event for a short drill of the probe and `clients` against the server. */
function writeEvent(runId: string, clients: string[]) {
  return {
    plan: planFixture(
      { clients, writer: { rate: 200, baselineSeconds: 1, settleSeconds: 1, maxDurationSeconds: 15 } },
      // No fault follows here: an acceptance ahead of the cold start keeps the writer's own baseline.
      {
        runId,
        acceptedAt: Date.now() + 60_000,
        target: { ...planFixture().target, endpoint: server.endpoint },
      },
    ),
  };
}

/**
 * Invokes the Write bundle cold and, once the GLIDE profile has acknowledged writes (or, `opt` unset, the
 * probe has), stops it as Cleanup does; the writer's own cap ends it should that never happen.
 */
async function writeWithGlide(runId: string, opt: string | undefined) {
  const event = writeEvent(runId, ['glide-defaults', 'node-redis-defaults']);
  const invocation = coldInvoke(built, event, { opt });
  let settled = false;
  const done = () => {
    settled = true;
  };
  invocation.then(done, done);
  const prefix = event.plan.request.writer.keyPrefix;
  const profileKey = (name: string) => keyFor(profileKeyBase({ prefix, runId, cluster: false }, name), 20);
  const [glideKey, nodeRedisKey] = [profileKey('glide-defaults'), profileKey('node-redis-defaults')];
  const probeKey = keyFor(keyBaseFor(prefix, runId).keyBase, 200);
  const client = createRedisClient({ endpoint: `redis://${server.endpoint.host}:${server.endpoint.port}` });
  try {
    await waitUntilReady(client, 5000);
    while (!settled && (await client.exists(probeKey, nodeRedisKey, glideKey)) < (opt ? 3 : 2))
      await sleep(50);
    await requestHalt(client, haltMarkerKey(prefix, runId));
  } finally {
    await closeClient(client);
  }
  return invocation;
}

/** The Write handler's 'client profiles ready' log line (Powertools JSON on stdout), if any. */
function readyLine(stdout: string): { threadId: number; loadMs: number; offsetMs: number } | undefined {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map(
      (line) => JSON.parse(line) as { message?: string; threadId: number; loadMs: number; offsetMs: number },
    )
    .find((line) => line.message === 'client profiles ready');
}

describe('GlideLayer: Valkey GLIDE in the Write Lambda', () => {
  it('is built for the functions: arm64 and nodejs22.x, as Globals has them', () => {
    // Prepare
    const globals = template.Globals!.Function!;

    // Assess: BuildArchitecture picks SAM's build image; the .npmrc picks the native package (below).
    expect(layer).toMatchObject({
      buildMethod: globals.Runtime,
      buildArchitecture: 'arm64',
      compatibleRuntimes: [globals.Runtime],
      compatibleArchitectures: globals.Architectures,
    });
    expect(write.layers).toEqual(['GlideLayer']);
  });

  it('pins the GLIDE of package.json, and its lockfile the same runtime dependencies as the root lockfile', () => {
    // Prepare
    const json = (path: string) => JSON.parse(readFileSync(join(PROJECT_ROOT, path), 'utf8'));
    const [root, own] = [json('package.json'), json('layers/glide/package.json')];
    const [rootLock, ownLock] = [json('package-lock.json'), json('layers/glide/package-lock.json')];
    type Entry = { version: string; dependencies?: Record<string, string> };
    const entries = ownLock.packages as Record<string, Entry>;
    // What GLIDE loads at run time: its dependencies, transitively (type declarations aside).
    const closure = new Set<string>();
    const visit = (name: string) => {
      if (closure.has(name) || name.startsWith('@types/')) return;
      closure.add(name);
      for (const dependency of Object.keys(entries[`node_modules/${name}`]?.dependencies ?? {}))
        visit(dependency);
    };
    visit(GLIDE.package);
    const versions = (lock: { packages: Record<string, Entry> }) =>
      Object.fromEntries([...closure].map((name) => [name, lock.packages[`node_modules/${name}`]?.version]));

    // Assess: the layer deploys the GLIDE the tests run, with the same protobufjs and long.
    expect(own.dependencies).toEqual({ [GLIDE.package]: root.dependencies[GLIDE.package] });
    expect(root.dependencies[GLIDE.package]).toBe(GLIDE.version);
    expect(closure.size).toBeGreaterThan(2);
    expect(versions(ownLock)).toEqual(versions(rootLock));
  });

  it('holds GLIDE at the pinned version and its linux-arm64-gnu core alone, an AArch64 binary', async () => {
    // Prepare
    const glide = JSON.parse(
      await readFile(join(deployed.dir, 'nodejs/node_modules/@valkey/valkey-glide/package.json'), 'utf8'),
    ) as { version: string };

    // Act
    const cores = await nativeCores(deployed);

    // Assess: built on this (x64) host, yet for Lambda's arm64 and glibc (not the musl twin).
    expect(glide.version).toBe(GLIDE.version);
    expect(cores).toEqual({
      'valkey-glide-linux-arm64-gnu/valkey-glide.linux-arm64-gnu.node': E_MACHINE.arm64,
    });
    expect(await readdir(join(deployed.dir, 'nodejs'))).not.toContain('.npmrc');
    expect(deployed.bytes).toBeLessThan(50_000_000);
  });

  it('runs a glide-defaults profile from the layer at /opt: the Write bundle, alone, writes through GLIDE (and node-redis) in its worker', async () => {
    // Prepare: the same layer for this host's CPU (its core's e_machine this machine's).
    expect(Object.values(await nativeCores(runnable))).toEqual([E_MACHINE[arch()]]);

    // Act
    const outcome = await writeWithGlide('glide-layer', runnable.dir);

    // Assess: the profiles connected and wrote, their figures add up; the probe ran beside them.
    expect(outcome, outcome.stderr).toMatchObject({ phase: 'invoke' });
    const result = outcome.result as { acknowledged: number; clients: ProfileRun[] };
    expect(result.acknowledged).toBeGreaterThan(0);
    const [glide, nodeRedis] = result.clients;
    expect(glide).toMatchObject({ name: 'glide-defaults', library: 'valkey-glide', version: GLIDE.version });
    expect(nodeRedis).toMatchObject({ name: 'node-redis-defaults', library: 'node-redis' });
    for (const run of [glide!, nodeRedis!]) {
      expect(run.error, run.name).toBeUndefined();
      expect(run.acknowledged, run.name).toBeGreaterThanOrEqual(20);
      expect(run.acknowledged + run.failed + run.indeterminate, run.name).toBe(run.attempted);
    }
    // In a worker thread of their own (the bundle its file), ready before the probe started.
    expect(readyLine(outcome.stdout)).toMatchObject({
      threadId: expect.any(Number),
      offsetMs: expect.any(Number),
    });
    expect(readyLine(outcome.stdout)!.threadId).toBeGreaterThan(0);
  });

  it('names the missing library without the layer, and the probe still runs', async () => {
    // Act
    const outcome = await writeWithGlide('glide-no-layer', undefined);

    // Assess: the bundle holds no GLIDE of its own; only that profile fails, by name, in its worker.
    expect(outcome, outcome.stderr).toMatchObject({ phase: 'invoke' });
    const result = outcome.result as { acknowledged: number; clients: ProfileRun[] };
    expect(result.acknowledged).toBeGreaterThan(0);
    expect(result.clients[0]!.error?.message).toMatch(/Cannot find module '@valkey\/valkey-glide'/);
    expect(result.clients[1]!.error).toBeUndefined();
    expect(readyLine(outcome.stdout)!.threadId).toBeGreaterThan(0);
  });
});
