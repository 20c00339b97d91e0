/**
 * Lambda's Invoke (REST JSON, `POST /2015-03-31/functions/{FunctionName}/invocations`) for the template's
 * functions, so that a function that invokes another (the reaper invokes Cleanup) does it locally through
 * the unmodified SDK. The function runs in this process, its handler module loaded as Lambda loads it. A
 * handler's error comes back as Lambda returns it: status 200, `X-Amz-Function-Error: Unhandled`, the
 * error as `{ errorType, errorMessage }`.
 */
import { localArn } from '../account.js';
import type { ServiceHandler, ServiceResponse } from '../control-plane.js';
import { type FunctionSpec, functionSpecs, loadTemplate } from '../template.js';
import { initFunction, type LocalFunctionOptions, localFunction } from './functions.js';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations(?:\?.*)?$/;
/** Lambda's synchronous payload limit. */
const PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;

function fault(status: number, type: string, message: string): ServiceResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': type },
    body: JSON.stringify({ Type: 'User', message }),
  };
}

/** The function's own name from a name, a full ARN or a partial one (`123456789012:function:name`). */
function functionName(raw: string): string {
  const name = decodeURIComponent(raw);
  const match = /(?:^|:)function:([^:]+)(?::[^:]+)?$/.exec(name);
  return match ? match[1]! : name;
}

export class LocalLambda {
  readonly handler: ServiceHandler;
  private readonly functions = new Map<string, (event: unknown) => Promise<unknown>>();

  constructor(
    private readonly options: LocalFunctionOptions = {},
    private readonly specs: Record<string, FunctionSpec> = functionSpecs(loadTemplate()),
  ) {
    for (const spec of Object.values(specs)) this.functions.set(spec.logicalId, localFunction(spec, options));
    this.handler = async (request) => {
      const path = INVOKE_PATH.exec(request.url);
      if (request.method !== 'POST' || !path)
        return fault(404, 'UnknownOperationException', `no operation at ${request.method} ${request.url}`);
      const name = functionName(path[1]!);
      const run = this.functions.get(name);
      if (!run)
        return fault(404, 'ResourceNotFoundException', `Function not found: ${localArn.lambda(name)}`);
      if (request.body.length > PAYLOAD_LIMIT_BYTES)
        return fault(413, 'RequestTooLargeException', 'Request must be smaller than 6291456 bytes');
      let event: unknown = {};
      try {
        const text = request.body.toString('utf8');
        event = text.trim() === '' ? {} : JSON.parse(text);
      } catch {
        return fault(400, 'InvalidRequestContentException', 'Could not parse request body into json');
      }
      const invocationType = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
      const headers = { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' };
      if (invocationType === 'DryRun') return { status: 204, headers, body: '' };
      if (invocationType === 'Event') {
        void run(event).catch(() => {});
        return { status: 202, headers, body: '' };
      }
      try {
        return { status: 200, headers, body: JSON.stringify((await run(event)) ?? null) };
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        return {
          status: 200,
          headers: { ...headers, 'x-amz-function-error': 'Unhandled' },
          body: JSON.stringify({ errorType: failure.name, errorMessage: failure.message, trace: [] }),
        };
      }
    };
  }

  /**
   * Every function's INIT now (initFunction), once the handlers' environment is set: the emulator does it
   * before it says it is ready, so that no drill's first invocations pay the sources' import.
   */
  async init(): Promise<void> {
    for (const spec of Object.values(this.specs)) await initFunction(spec, this.options);
  }

  /** Invokes a function in this process (what an EventBridge target does). */
  invoke(name: string, event: unknown): Promise<unknown> {
    const run = this.functions.get(name);
    if (!run) throw new Error(`no function ${name} in template.yaml`);
    return run(event);
  }
}
