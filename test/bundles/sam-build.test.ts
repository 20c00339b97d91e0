import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../local/template.js';
import { esbuildArgs, type SamFunction, samFunctions } from '../../scripts/sam-build.js';

// The esbuild command line, held against what aws-lambda-builders' EsbuildCommandBuilder produces
// (its own unit tests, tests/unit/workflows/nodejs_npm_esbuild/test_esbuild.py, show the same rules).
const fn = (buildProperties: Record<string, unknown>): SamFunction => ({
  logicalId: 'Fn',
  codeUri: PROJECT_ROOT,
  handler: 'handler.handler',
  runtime: 'nodejs22.x',
  timeoutSeconds: 3,
  memoryMb: 128,
  environment: {},
  buildProperties,
  layers: [],
});

describe("sam build's esbuild command line", () => {
  it('adds the builder defaults when the template sets nothing else', () => {
    // Act
    const args = esbuildArgs(fn({ entry_points: ['functions/write/handler.ts'] }), '/artifacts');

    // Assess
    expect(args).toEqual([
      'functions/write/handler.ts',
      '--bundle',
      '--platform=node',
      '--outdir=/artifacts',
      '--target=es2020',
      '--format=cjs',
      '--minify',
    ]);
  });

  it('turns true into a flag, false into nothing, a string into =, a list into one : per item', () => {
    // Act
    const args = esbuildArgs(
      fn({
        entry_points: ['functions/write/handler'],
        minify: false,
        sourcemap: true,
        sources_content: 'false',
        format: 'esm',
        target: 'node22',
        external: ['@aws-sdk/*', 'ioredis'],
        out_extension: ['.js=.mjs'],
        main_fields: 'module,main',
        platform: 'browser',
        bundle: false,
      }),
      '/artifacts',
    );

    // Assess: the entry's suffix found (.ts first); platform and bundle are the builder's, never the template's.
    expect(args).toEqual([
      'functions/write/handler.ts',
      '--bundle',
      '--platform=node',
      '--outdir=/artifacts',
      '--sourcemap',
      '--sources-content=false',
      '--format=esm',
      '--target=node22',
      '--external:@aws-sdk/*',
      '--external:ioredis',
      '--out-extension:.js=.mjs',
      '--main-fields=module,main',
    ]);
  });

  it("reads the template's Metadata as SAM CLI hands it over: PascalCase keys in snake_case", () => {
    // Prepare
    const preflight = samFunctions().find((f) => f.logicalId === 'PreflightFunction')!;

    // Act
    const args = esbuildArgs(preflight, '/artifacts');

    // Assess
    expect(preflight).toMatchObject({ codeUri: PROJECT_ROOT.replace(/\/$/, ''), handler: 'handler.handler' });
    expect(args).toEqual([
      'functions/preflight/handler.ts',
      '--bundle',
      '--platform=node',
      '--outdir=/artifacts',
      '--format=esm',
      '--out-extension:.js=.mjs',
      '--target=node22',
      '--main-fields=module,main',
      '--minify',
      '--sourcemap',
      '--splitting',
      "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      '--external:bowser',
    ]);
  });

  it('refuses what it cannot know: a missing entry point, a number', () => {
    // Act
    const missing = () => esbuildArgs(fn({ entry_points: ['functions/nowhere'] }), '/artifacts');
    const number = () => esbuildArgs(fn({ entry_points: ['functions/write/handler.ts'], target: 22 }), '/a');

    // Assess
    expect(missing).toThrow(/entry point functions\/nowhere does not exist/);
    expect(number).toThrow(/Failed to determine the type of the configuration: target/);
  });
});
