import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coldInvoke } from '../support/lambda-runtime.js';
import { type BuiltFunction, samBuild, samFunctions } from '../support/sam-build.js';

// The artifacts that deploy: every function of template.yaml built as `sam build` builds it (its
// Metadata, its Globals), each task root copied alone into an empty directory and cold-started by
// Node 22 as Lambda's runtime starts an .mjs handler. A malformed event must be refused by name.
const functions = samFunctions();
let buildDir = '';
let built: Record<string, BuiltFunction> = {};

beforeAll(async () => {
  buildDir = await mkdtemp(join(tmpdir(), 'sam-build-'));
  built = Object.fromEntries((await samBuild(buildDir, functions)).map((b) => [b.logicalId, b]));
});
afterAll(async () => {
  if (buildDir) await rm(buildDir, { recursive: true, force: true });
});

describe('the Lambda artifacts as sam build builds them', () => {
  it('builds every function alike: the same BuildProperties but for its entry point and externals', () => {
    // Prepare
    const shared = ({ entry_points: _, external: __, ...rest }: Record<string, unknown>) => rest;
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
    // Prepare: the source maps name every module the task root holds.
    const { dir, files } = built[logicalId]!;
    const maps = Object.keys(files).filter((name) => name.endsWith('.map'));
    const sources = (
      await Promise.all(
        maps.map(async (m) => JSON.parse(await readFile(join(dir, m), 'utf8')) as { sources: string[] }),
      )
    ).flatMap((map) => map.sources);

    // Assess: `import { z } from 'zod'` anywhere materialises zod's whole namespace, ~40 locales
    // included (~370 KB a bundle); `import * as z from 'zod'` lets esbuild keep what is used.
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.filter((source) => /zod\/v4\/locales\/(?!en\.js)/.test(source))).toEqual([]);
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
