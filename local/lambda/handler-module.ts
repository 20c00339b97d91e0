import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Lambda's own error when the handler's module is not in the task root. */
export class ImportModuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Runtime.ImportModuleError';
  }
}

/** Lambda's own error when the module does not export the handler. */
export class HandlerNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Runtime.HandlerNotFound';
  }
}

// As Lambda's Node.js runtime interface client reads a Handler setting: the basename splits at its
// first dot into module and property path, and the module is tried extensionless, .js, .mjs, .cjs.
const FUNCTION_EXPR = /^([^.]*)\.(.*)$/;
const EXTENSIONS = ['', '.js', '.mjs', '.cjs'];

export interface HandlerModule {
  /** The file the runtime imports. */
  file: string;
  /** The property path to the handler in the module's exports (`handler`, or `a.b`). */
  path: string[];
}

/** The file and export the Lambda runtime loads for `handler` (e.g. `handler.handler`) in `taskRoot`. */
export function lambdaHandlerModule(taskRoot: string, handler: string): HandlerModule {
  const match = FUNCTION_EXPR.exec(basename(handler));
  if (!match) throw new HandlerNotFoundError(`Bad handler ${handler}`);
  const stem = join(taskRoot, dirname(handler), match[1]!);
  const file = EXTENSIONS.map((ext) => `${stem}${ext}`).find((f) => existsSync(f));
  if (!file) throw new ImportModuleError(`Cannot find module '${match[1]}' in ${taskRoot}`);
  return { file, path: match[2]!.split('.') };
}

/** Every function's handler file is in its task root (`<dir>/<LogicalId>/`), or ImportModuleError. */
export function assertBuiltFunctions(dir: string, functions: { logicalId: string; handler: string }[]): void {
  for (const fn of functions) lambdaHandlerModule(join(dir, fn.logicalId), fn.handler);
}

/** The handler function along `path` in a module's exports. */
export function handlerIn(exports: Record<string, unknown>, { file, path }: HandlerModule): unknown {
  const found = path.reduce<unknown>(
    (at, key) => (at as Record<string, unknown> | undefined)?.[key],
    exports,
  );
  if (typeof found !== 'function') throw new HandlerNotFoundError(`${file} exports no ${path.join('.')}`);
  return found;
}
