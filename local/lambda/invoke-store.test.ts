/**
 * Functions invoked at once in the local runtime's one process log under their own names: Powertools'
 * logger is one module-level instance, and each invocation's context is kept apart (invoke-store.ts).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FunctionSpec } from '../template.js';
import { initFunction, localFunction } from './functions.js';

const spec = (logicalId: string, exportName: string): FunctionSpec => ({
  logicalId,
  entry: 'test/support/fixtures/logging-handlers.ts',
  handler: `logging-handlers.${exportName}`,
  exportName,
  timeoutSeconds: 30,
  memoryMb: 256,
});

const lines: string[] = [];
const write = process.stdout.write;
const level = process.env.POWERTOOLS_LOG_LEVEL;

beforeAll(() => {
  // This test asks for the handlers' lines; the logger reads its level when its module is imported. The
  // unit tier shares modules between files (isolate: false), so the handlers' modules are imported afresh.
  vi.resetModules();
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  // Kept, not shown: the test output carries no handler line.
  process.stdout.write = ((chunk: unknown) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  }) as typeof process.stdout.write;
});
afterAll(() => {
  process.stdout.write = write;
  process.env.POWERTOOLS_LOG_LEVEL = level;
  // The modules imported at INFO stay cached for the worker's next files: they import afresh, silent.
  vi.resetModules();
});

describe('the local runtime with several functions at once', () => {
  it('labels every line with the function and the run that wrote it', async () => {
    // Prepare
    const writer = localFunction(spec('WriteFunction', 'writes'));
    const awaiter = localFunction(spec('AwaitRecoveryFunction', 'awaits'));

    // Act: interleaved — each pauses while the others start and log.
    await Promise.all([
      writer({ runId: 'run-w1', pauseMs: 150 }),
      awaiter({ runId: 'run-a1', pauseMs: 50 }),
      writer({ runId: 'run-w2', pauseMs: 20 }),
      awaiter({ runId: 'run-a2', pauseMs: 100 }),
    ]);
    const logged = lines.map(
      (line) => JSON.parse(line) as { message: string; function_name?: string; runId?: string },
    );

    // Assess
    expect(logged).toHaveLength(8);
    for (const line of logged) {
      const [what] = line.message.split(' ');
      expect([what, line.function_name, line.runId?.[4]]).toEqual(
        what === 'writes' ? ['writes', 'WriteFunction', 'w'] : ['awaits', 'AwaitRecoveryFunction', 'a'],
      );
    }
    // Lines really interleaved: the order of the messages is not the order of the invocations.
    expect(logged.map((l) => l.runId)).not.toEqual([
      'run-w1',
      'run-w1',
      'run-a1',
      'run-a1',
      'run-w2',
      'run-w2',
      'run-a2',
      'run-a2',
    ]);
  });
});

describe('the local runtime before the first invocation', () => {
  it("installs the store before a module's INIT, when AWS_LAMBDA_MAX_CONCURRENCY is already set", async () => {
    // Prepare: a process that inherited the variable (a CLI child of a test that ran functions), no store yet.
    // Under stress-ng the e2e refusal once came back as `Error: InvokeStore is not available`: `new Metrics()`
    // at the handler module's top level read a store that no invocation had installed yet.
    const global = globalThis as { awslambda?: { InvokeStore?: unknown } };
    const store = global.awslambda?.InvokeStore;
    const concurrency = process.env.AWS_LAMBDA_MAX_CONCURRENCY;
    delete global.awslambda?.InvokeStore;
    process.env.AWS_LAMBDA_MAX_CONCURRENCY = '64';
    vi.resetModules();
    try {
      // Act
      const init = initFunction(spec('WriteFunction', 'writes'));

      // Assess
      await expect(init).resolves.toBeUndefined();
      expect(global.awslambda?.InvokeStore).toBeDefined();
    } finally {
      if (store === undefined) delete global.awslambda?.InvokeStore;
      else global.awslambda!.InvokeStore = store;
      if (concurrency === undefined) delete process.env.AWS_LAMBDA_MAX_CONCURRENCY;
      else process.env.AWS_LAMBDA_MAX_CONCURRENCY = concurrency;
      vi.resetModules();
    }
  });
});
