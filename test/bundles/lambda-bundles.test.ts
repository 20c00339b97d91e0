import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltFunction, samBuild, samFunctions } from '../../scripts/sam-build.js';
import { coldInvoke } from '../support/lambda-runtime.js';
import { runCli } from '../support/run-cli.js';

// The artifacts that deploy: every function of template.yaml built as `sam build` builds it (its
// Metadata, its Globals), each task root copied alone into an empty directory and cold-started by
// Node 22 as Lambda's runtime starts an .mjs handler. A malformed event must be refused by name.
// Then the artifacts the drill exercises are the ones that deploy: a whole `failover-drill local` run
// through this one build instead of the TypeScript sources (one build for the file: esbuild is its CPU).
const functions = samFunctions();
let buildDir = '';
let built: Record<string, BuiltFunction> = {};

/** The modules a task root holds, as its source maps name them. */
async function sourcesOf(logicalId: string): Promise<string[]> {
  const { dir, files } = built[logicalId]!;
  const maps = Object.keys(files).filter((name) => name.endsWith('.map'));
  return (
    await Promise.all(
      maps.map(async (m) => JSON.parse(await readFile(join(dir, m), 'utf8')) as { sources: string[] }),
    )
  ).flatMap((map) => map.sources);
}

/** Issue 10's goal for what deploys: every JavaScript module of a task root (source maps aside). */
const MAX_BUNDLE_BYTES = 1_500_000;

/** The AWS SDK clients each function calls, and so the only ones its bundle may carry. */
const SDK_CLIENTS: Record<string, string[]> = {
  // Preflight puts the cluster's shard map in the figure store (functions/core/drill/shard-map.ts).
  PreflightFunction: ['cloudwatch', 'elasticache', 's3'],
  TriggerFailoverFunction: ['cloudwatch', 'elasticache'],
  AwaitRecoveryFunction: ['cloudwatch', 'elasticache'],
  WatchStopConditionsFunction: ['cloudwatch'],
  ReleaseLockFunction: ['elasticache'],
  FleetPlanFunction: ['elasticache'],
  ReaperFunction: ['elasticache', 'lambda', 'sfn'],
  ReportFunction: ['elasticache', 's3', 'sns'],
  FleetReportFunction: ['s3', 'sns'],
  // The data plane reads the Redis secret, and keeps the shard writers' records in the figure store
  // (functions/shared/figure-store.ts): Write puts them, Verify reads and puts, Cleanup reads them.
  WriteFunction: ['s3', 'secrets-manager'],
  // The fault branch's wait for the probe's measuring marker reads only the secret.
  AwaitProbeFunction: ['secrets-manager'],
  VerifyFunction: ['s3', 'secrets-manager'],
  CleanupFunction: ['s3', 'secrets-manager'],
  // A region failover reads the secondary's GlobalDatastoreReplicationLag in its own region.
  RegionFailoverFunction: ['cloudwatch', 'elasticache', 'secrets-manager'],
  // Sets the change-finished marker the writer stops on: only the secret.
  ChangeFinishedFunction: ['secrets-manager'],
};

beforeAll(async () => {
  buildDir = await mkdtemp(join(tmpdir(), 'sam-build-'));
  built = Object.fromEntries((await samBuild(buildDir, functions)).map((b) => [b.logicalId, b]));
});
afterAll(async () => {
  if (buildDir) await rm(buildDir, { recursive: true, force: true });
});

describe('the Lambda artifacts as sam build builds them', () => {
  it('builds every function alike: the same BuildProperties but for its entry point, externals and aliases', () => {
    // Prepare
    const shared = ({ entry_points: _, external: __, alias: ___, ...rest }: Record<string, unknown>) => rest;
    const [first, ...others] = functions;

    // Assess: the template's header comment says why each property is there; none may be forgotten.
    for (const fn of others) {
      expect(shared(fn.buildProperties), fn.logicalId).toEqual(shared(first!.buildProperties));
    }
  });

  it('builds every function of the template: handler.mjs, its lazily loaded chunks, a source map each', () => {
    // Assess
    expect(functions.map((f) => f.logicalId).sort()).toEqual(
      expect.arrayContaining(['PreflightFunction', 'WriteFunction', 'VerifyFunction', 'ReportFunction']),
    );
    for (const fn of functions) {
      const files = Object.keys(built[fn.logicalId]!.files);
      const modules = files.filter((name) => name.endsWith('.mjs'));
      expect(modules, fn.logicalId).toContain('handler.mjs');
      expect(files.sort(), fn.logicalId).toEqual([...modules, ...modules.map((m) => `${m}.map`)].sort());
    }
  });

  it.each(functions.map((f) => f.logicalId))('%s carries no zod locale but English', async (logicalId) => {
    // Prepare
    const sources = await sourcesOf(logicalId);

    // Assess: `import { z } from 'zod'` anywhere materialises zod's whole namespace, ~40 locales
    // included (~370 KB a bundle); `import * as z from 'zod'` lets esbuild keep what is used.
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.filter((source) => /zod\/v4\/locales\/(?!en\.js)/.test(source))).toEqual([]);
  });

  it.each(functions.map((f) => f.logicalId))(
    '%s deploys at most 1.5 MB of JavaScript, and only the SDK clients it calls',
    async (logicalId) => {
      // Prepare
      const { files } = built[logicalId]!;
      const bytes = Object.entries(files)
        .filter(([name]) => name.endsWith('.mjs'))
        .reduce((sum, [, size]) => sum + size, 0);
      const clients = new Set(
        (await sourcesOf(logicalId)).flatMap(
          (source) => /node_modules\/@aws-sdk\/client-([a-z0-9-]+)\//.exec(source)?.[1] ?? [],
        ),
      );

      // Assess: sizes are deterministic (the same sources, the same esbuild), so this is no timing test.
      expect(bytes, `${logicalId}: ${bytes} bytes`).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
      expect([...clients].sort(), logicalId).toEqual(SDK_CLIENTS[logicalId]);
    },
  );

  it('gives the GlideLayer to exactly the functions whose bundle holds the GLIDE adapter, and bundles no GLIDE', async () => {
    // Prepare
    const adapter = 'functions/core/measure/clients/glide.ts';
    const holders: string[] = [];
    for (const fn of functions) {
      const sources = await sourcesOf(fn.logicalId);
      expect(
        sources.filter((source) => source.includes('node_modules/@valkey/')),
        fn.logicalId,
      ).toEqual([]);
      if (sources.some((source) => source.endsWith(adapter))) holders.push(fn.logicalId);
    }

    // Assess: GLIDE is a native module, loaded from the layer (test/bundles/glide-layer.test.ts).
    expect(holders).toContain('WriteFunction');
    expect(functions.filter((f) => f.layers.includes('GlideLayer')).map((f) => f.logicalId)).toEqual(holders);
  });

  it('bundles the report charts with the modular vega alone, none of the transforms they never use', async () => {
    // Prepare
    const sources = await sourcesOf('ReportFunction');
    const packages = new Set(sources.flatMap((s) => /node_modules\/(vega[a-z-]*)\//.exec(s)?.[1] ?? []));

    // Assess: `vega` itself registers every transform it has at import; its Alias keeps it out.
    expect(packages).toContain('vega-lite');
    expect(packages).toContain('vega-view');
    for (const unused of ['vega', 'vega-geo', 'vega-force', 'vega-hierarchy', 'vega-label', 'vega-voronoi'])
      expect(packages, unused).not.toContain(unused);
  });

  it.each(functions.map((f) => f.logicalId))(
    '%s loads alone and refuses a malformed event with a named error, source-mapped',
    async (logicalId) => {
      // Act
      const outcome = await coldInvoke(built[logicalId]!, { malformed: true });

      // Assess: past the import (no "Dynamic require", no missing module), refused by the parser by name.
      expect(outcome, outcome.stderr).toMatchObject({ phase: 'invoke', errorType: 'ParseError' });
      // The logged error's stack points into the sources (NODE_OPTIONS=--enable-source-maps), not the bundle.
      // (Powertools logs errors with console.error: on stderr, as in CloudWatch Logs.)
      const logged = outcome.stderr.split('\n').find((line) => line.includes('"step failed"'));
      expect(logged, outcome.stderr).toBeDefined();
      const stack = (JSON.parse(logged!) as { error: { stack: string } }).error.stack;
      expect(stack).toMatch(/node_modules\/@aws-lambda-powertools\/parser\/|functions\//);
      expect(stack).not.toMatch(/handler\.mjs:\d+:\d+/);
    },
  );

  it('refuses a bad drill request in Preflight with DrillInputError, naming the field', async () => {
    // Act
    const outcome = await coldInvoke(built.PreflightFunction!, {
      request: { replicationGroupId: 'Not A Group!' },
      execution: 'drill-bad-input',
    });

    // Assess
    expect(outcome).toMatchObject({ phase: 'invoke', errorType: 'DrillInputError' });
    expect(outcome.errorMessage).toMatch(/replicationGroupId/);
  });

  it('would catch the ESM bundle of CommonJS code: without the banner, loading fails on require', async () => {
    // Prepare: WriteFunction (ioredis, CommonJS) built without the createRequire banner.
    const write = functions.find((f) => f.logicalId === 'WriteFunction')!;
    const { banner: _, ...withoutBanner } = write.buildProperties;
    const [unbannered] = await samBuild(join(buildDir, 'no-banner'), [
      { ...write, buildProperties: withoutBanner },
    ]);

    // Act
    const outcome = await coldInvoke(unbannered!, { malformed: true });

    // Assess
    expect(outcome).toMatchObject({ phase: 'init', errorType: 'Error' });
    expect(outcome.errorMessage).toMatch(/Dynamic require of "\w+" is not supported/);
  });
});

describe('failover-drill local --bundles', () => {
  it('passes a whole drill through the built Lambda artifacts', async () => {
    // Act
    const run = await runCli(['local', '--bundles', buildDir], {}, { reportDir: join(buildDir, 'reports') });

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`handlers: the built artifacts in ${buildDir}`);
    expect(run.json).toMatchObject({
      verdict: 'pass',
      failoverTriggered: true,
      writes: { lost: 0, failedButPresent: 0 },
      cleanup: { lockReleased: true, errors: [] },
    });
    // How many writes a loaded machine acknowledges varies; that they are all accounted for does not.
    expect(run.json.writes.acknowledged).toBeGreaterThan(0);
    expect(run.json.failover.from).not.toBe(run.json.failover.to);
    expect(run.json.cleanup.deleted).toBe(run.json.writes.acknowledged + run.json.writes.recovered);
    expect(run.stderr).toMatch(/SNS: \[failover-drill\] PASS drill-demo\/0001/);
    // The Report bundle drew its charts (vega's modular packages alone, vega-lite's `vega` aliased).
    const html = await readFile(run.json.files!.html!, 'utf8');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html.match(/<path [^>]*fill="#2da44e"/g)?.length).toBeGreaterThan(20);
  });

  it('refuses a directory without the artifacts, as Lambda names it, before starting anything', async () => {
    // Prepare
    const empty = await mkdtemp(join(tmpdir(), 'no-build-'));

    try {
      // Act: the drill's path and the fleet's (--groups), at once (each a refusal before anything starts)
      const [run, fleet] = await Promise.all([
        runCli(['local', '--bundles', empty]),
        runCli(['local', '--groups', '2', '--bundles', empty]),
      ]);

      // Assess
      expect(run.code).toBe(2);
      expect(run.json).toMatchObject({
        verdict: 'error',
        failoverTriggered: false,
        error: { name: 'Runtime.ImportModuleError' },
      });
      expect(run.stderr).not.toMatch(/local cloud up/);
      // The fleet's path carries the flag too, and refuses alike.
      expect(fleet.code).toBe(2);
      expect(fleet.json).toMatchObject({ verdict: 'error', error: { name: 'Runtime.ImportModuleError' } });
      expect(fleet.stderr).not.toMatch(/local cloud up/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
