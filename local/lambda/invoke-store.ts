/**
 * Each invocation's own context, for functions that run concurrently in one process. Lambda's runtime does
 * this for an environment with several invocations at once (Lambda Managed Instances): it installs
 * `globalThis.awslambda.InvokeStore` (an AsyncLocalStorage per invocation) and sets
 * `AWS_LAMBDA_MAX_CONCURRENCY`; Powertools' logger and metrics then keep the Lambda context, the appended
 * keys and the log level there instead of on their one module-level instance. The local cloud runs every
 * function in one process, so its runtime does the same. On AWS nothing changes: each function is its own
 * process with one invocation at a time, the variable is unset, and Powertools keeps them on the instance.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from 'aws-lambda';

/** The runtime's own keys (as @aws/lambda-invoke-store names them): read-only to the function. */
const REQUEST_ID = Symbol.for('_AWS_LAMBDA_REQUEST_ID');
const X_RAY_TRACE_ID = Symbol.for('_AWS_LAMBDA_X_RAY_TRACE_ID');
const TENANT_ID = Symbol.for('_AWS_LAMBDA_TENANT_ID');
const PROTECTED = new Set<symbol>([REQUEST_ID, X_RAY_TRACE_ID, TENANT_ID]);

/** Invocations at once per environment, as Lambda Managed Instances' runtime announces it. */
const MAX_CONCURRENCY = '64';

type Store = Record<string | symbol, unknown>;

/**
 * The InvokeStore contract Powertools reads (get, set, run and the runtime's ids). Outside any invocation
 * (a module's INIT, a test calling a handler directly) one shared context stands in, as on a one-at-a-time
 * runtime, so that nothing throws there.
 */
class LocalInvokeStore {
  private readonly als = new AsyncLocalStorage<Store>();
  private readonly outside: Store = {};

  private current(): Store {
    return this.als.getStore() ?? this.outside;
  }
  getContext(): Store | undefined {
    return this.als.getStore();
  }
  hasContext(): boolean {
    return this.als.getStore() !== undefined;
  }
  get(key: string | symbol): unknown {
    return this.current()[key];
  }
  set(key: string | symbol, value: unknown): void {
    if (typeof key === 'symbol' && PROTECTED.has(key))
      throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    this.current()[key] = value;
  }
  run<T>(context: Store, fn: () => T): T {
    return this.als.run(context, fn);
  }
  getRequestId(): string {
    return (this.get(REQUEST_ID) as string | undefined) ?? '-';
  }
  getXRayTraceId(): string | undefined {
    return this.get(X_RAY_TRACE_ID) as string | undefined;
  }
  getTenantId(): string | undefined {
    return this.get(TENANT_ID) as string | undefined;
  }
}

type Global = { awslambda?: { InvokeStore?: unknown } };

/**
 * The store, installed once per process where Powertools looks for it. The runtime does it before any
 * handler module's INIT: with AWS_LAMBDA_MAX_CONCURRENCY set, `new Metrics()` at a module's top level reads
 * the store and throws "InvokeStore is not available" without it. The variable can be set before the first
 * invocation: a process started by one that ran functions (a CLI child of a test) inherits it.
 */
export function installInvokeStore(): LocalInvokeStore {
  const global = globalThis as Global;
  global.awslambda ??= {};
  if (!(global.awslambda.InvokeStore instanceof LocalInvokeStore))
    global.awslambda.InvokeStore = new LocalInvokeStore();
  // Read by Powertools at each call: set here, not once, since a caller may have replaced process.env.
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= MAX_CONCURRENCY;
  return global.awslambda.InvokeStore as LocalInvokeStore;
}

/** Runs one invocation in a context of its own: what it logs carries its function's name, whatever runs beside it. */
export function inItsOwnContext<T>(context: Context, invoke: () => Promise<T>): Promise<T> {
  return installInvokeStore().run({ [REQUEST_ID]: context.awsRequestId }, invoke);
}
