import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { floorViolations, type SourceFile } from './support/floors.js';

function trackedSources(): SourceFile[] {
  const out = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.mjs'],
    {
      encoding: 'utf8',
    },
  );
  return out
    .split('\n')
    .filter(Boolean)
    .map((path) => ({ path, source: readFileSync(path, 'utf8') }));
}

describe('floors: imports point down', () => {
  it('holds for every file in the tree', async () => {
    // Prepare
    const files = trackedSources();
    // Act
    const violations = await floorViolations(files);
    // Assess
    expect(files.length).toBeGreaterThan(100);
    expect(violations.map((v) => v.message)).toEqual([]);
  });

  it.each([
    ['functions/core/measure/writer.ts', '../drill/plan.js', 'functions/core/drill'],
    ['functions/core/measure/verify.ts', '../report/report.js', 'functions/core/report'],
    ['functions/core/drill/preflight.ts', '../report/drill-report.js', 'functions/core/report'],
    ['functions/shared/errors.ts', '../core/measure/keys.js', 'functions/core/measure'],
    ['functions/core/report/report.ts', '../../write/handler.js', 'functions (handlers)'],
    ['functions/write/handler.ts', '../../local/cloud.js', 'local'],
    ['local/cloud.ts', '../cli/main.js', 'cli'],
  ])('refuses %s importing %s', async (file, specifier, above) => {
    // Prepare
    const source = `import type { X } from '${specifier}';\nexport const y = 1;\n`;
    // Act
    const violations = await floorViolations([{ path: file, source }]);
    // Assess
    expect(violations).toEqual([
      {
        file,
        import: specifier,
        message: expect.stringContaining(`imports ${specifier} from ${above}, a floor above it`),
      },
    ]);
  });

  it.each([
    ['functions/cleanup/handler.ts', '../write/options.js', 'write'],
    ['functions/write/handler.test.ts', '../verify/handler.js', 'verify'],
  ])('refuses handler %s importing %s, another handler', async (file, specifier, other) => {
    // Prepare
    const source = `import { x } from '${specifier}';\n`;
    // Act
    const violations = await floorViolations([{ path: file, source }]);
    // Assess
    expect(violations).toEqual([
      {
        file,
        import: specifier,
        message: `${file} imports ${specifier} from the ${other} handler: a handler never imports another handler, what both need lives in the core`,
      },
    ]);
  });

  it('lets a handler import its own folder, the core and shared', async () => {
    // Prepare
    const source = [
      "import './options.js';",
      "import '../core/drill/write-step.js';",
      "import '../shared/middlewares.js';",
    ].join('\n');
    // Act
    const violations = await floorViolations([{ path: 'functions/write/handler.ts', source }]);
    // Assess
    expect(violations).toEqual([]);
  });

  it('lets tests, not product code, use the suite helpers', async () => {
    // Prepare
    const source = "import { elastiCacheClient } from '../../test/support/local-cloud.js';\n";
    // Act
    const inTest = await floorViolations([{ path: 'local/sns/service.test.ts', source }]);
    const inProduct = await floorViolations([{ path: 'local/sns/service.ts', source }]);
    // Assess
    expect(inTest).toEqual([]);
    expect(inProduct.map((v) => v.message)).toEqual([
      'local/sns/service.ts imports ../../test/support/local-cloud.js: test helpers are for tests, not for product code',
    ]);
  });

  it('lets a handler test use the local Lambda context, never the rest of the local cloud', async () => {
    // Prepare
    const context = "import { lambdaContext } from '../../local/lambda/context.js';\n";
    const cloud = "import { startLocalCloud } from '../../local/cloud.js';\n";
    // Act
    const withContext = await floorViolations([{ path: 'functions/write/handler.test.ts', source: context }]);
    const withCloud = await floorViolations([{ path: 'functions/write/handler.test.ts', source: cloud }]);
    // Assess
    expect(withContext).toEqual([]);
    expect(withCloud).toHaveLength(1);
  });

  it('allows imports down and sideways', async () => {
    // Prepare
    const files = [
      {
        path: 'cli/measure.ts',
        source: "import '../local/cloud.js';\nimport '../functions/core/report/report.js';",
      },
      {
        path: 'functions/core/report/report.ts',
        source: "import '../measure/verify.js';\nimport '../drill/plan.js';",
      },
      { path: 'functions/core/drill/plan.ts', source: "export { parseInput } from '../../shared/input.js';" },
    ];
    // Act
    const violations = await floorViolations(files);
    // Assess
    expect(violations).toEqual([]);
  });
});

describe('named errors', () => {
  it('are declared in functions/shared/errors.ts alone, as its opening comment says', () => {
    // Prepare
    const product = trackedSources().filter(
      (f) => f.path.startsWith('functions/') && !/\.(test|fixture)\.ts$/.test(f.path),
    );
    // Act
    const elsewhere = product
      .filter((f) => f.path !== 'functions/shared/errors.ts')
      .flatMap((f) =>
        [...f.source.matchAll(/class (\w+) extends \w*Error\b/g)].map((m) => `${f.path}: ${m[1]}`),
      );
    // Assess
    expect(elsewhere).toEqual([]);
  });
});
