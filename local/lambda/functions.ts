import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type FunctionSpec, PROJECT_ROOT } from '../template.js';
import { lambdaContext } from './context.js';
import { handlerIn, lambdaHandlerModule } from './handler-module.js';
import { inItsOwnContext, installInvokeStore } from './invoke-store.js';

/** The handler module to load: the template's TypeScript entry, or its compiled .js in the installed package. */
const COMPILED = import.meta.url.endsWith('.js');
const moduleOf = (entry: string) => (COMPILED ? entry.replace(/\.ts$/, '.js') : entry);

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

export interface LocalFunctionOptions {
  /**
   * Run the built artifacts instead of the TypeScript modules: a directory with one task root per
   * function, named by logical id, as `sam build` writes `.aws-sam/build`.
   */
  bundles?: string;
}

/** The handler module of `spec`, imported (Node caches the import: later calls only look it up). */
async function handlerOf(spec: FunctionSpec, options: LocalFunctionOptions): Promise<Handler> {
  const target = options.bundles
    ? lambdaHandlerModule(join(options.bundles, spec.logicalId), spec.handler)
    : { file: join(PROJECT_ROOT, moduleOf(spec.entry)), path: [spec.exportName] };
  installInvokeStore(); // before the module's INIT, as the runtime installs it
  return handlerIn(await import(pathToFileURL(target.file).href), target) as Handler;
}

/**
 * One function of the template as the local cloud invokes it: the same handler module Lambda runs,
 * middlewares included, with a Lambda-like context, each invocation in a context of its own
 * (invoke-store.ts). Imported at the first invocation, as Lambda does (the module reads its environment,
 * the log level…, then), unless initialised before (initFunction).
 */
export function localFunction(
  spec: FunctionSpec,
  options: LocalFunctionOptions = {},
): (event: unknown) => Promise<unknown> {
  return async (event) => {
    const handler = await handlerOf(spec, options);
    const context = lambdaContext(spec.logicalId, spec.timeoutSeconds * 1000, Date.now, spec.memoryMb);
    // Functions run concurrently in this process: each invocation keeps its own logging context.
    return inItsOwnContext(context, () => handler(event, context));
  };
}

/**
 * A function's INIT ahead of its first invocation, as provisioned concurrency does: its module imported with
 * the environment as it is now. Locally the sources' import through tsx is the cold start (about 1.1–1.4 s
 * for Write under stress-ng --cpu 2, where the deployed bundle imports in well under 300 ms), and it would
 * otherwise count against the writer's start-by time (max(baseline, 60 s) after Preflight) in the first drill.
 */
export async function initFunction(spec: FunctionSpec, options: LocalFunctionOptions = {}): Promise<void> {
  await handlerOf(spec, options);
}
