/**
 * The AWS JSON protocol (1.0 and 1.1) as the SDK's clients and the AWS CLI speak it: a POST whose
 * `X-Amz-Target` names `<prefix>.<Action>`, a JSON object in and out. Shared by the local cloud's JSON
 * services (CloudWatch, Secrets Manager), so that each only maps actions to results. A service that
 * also answers in its Query form (`awsQueryCompatible`, as CloudWatch) gets its Query error code in the
 * `x-amzn-query-error` header, which the SDK reads.
 */
import { randomUUID } from 'node:crypto';
import type { ServiceHandler, ServiceResponse } from '../control-plane.js';

/** A fault as the JSON protocol carries it: `type` is the error shape's name (the SDK's exception name). */
export class JsonFault extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
    /** For query-compatible services: the Query error code, when it differs from the shape's name. */
    readonly queryCode: string = type,
  ) {
    super(message);
    this.name = 'JsonFault';
  }
}

/** How a service names a missing or malformed member (each service has its own exceptions). */
export interface InputFaults {
  missing: (member: string) => JsonFault;
  invalid: (message: string) => JsonFault;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The members of one request, read with their types checked. */
export class JsonInput {
  constructor(
    private readonly members: Record<string, unknown>,
    private readonly faults: InputFaults,
  ) {}

  string(name: string, limits: { min?: number; max?: number } = {}): string | undefined {
    const value = this.members[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw this.faults.invalid(`${name} must be a string`);
    if (limits.min !== undefined && value.length < limits.min)
      throw this.faults.invalid(`${name} must have length at least ${limits.min}`);
    if (limits.max !== undefined && value.length > limits.max)
      throw this.faults.invalid(`${name} must have length at most ${limits.max}`);
    return value;
  }

  required(name: string, limits: { min?: number; max?: number } = {}): string {
    const value = this.string(name, limits);
    if (value === undefined) throw this.faults.missing(name);
    return value;
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.string(name);
    if (value !== undefined && !(values as readonly string[]).includes(value))
      throw this.faults.invalid(`${name} must be one of ${values.join(', ')}`);
    return value as T | undefined;
  }

  number(name: string, range: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
    const value = this.members[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw this.faults.invalid(`${name} must be a number`);
    if (range.integer && !Number.isSafeInteger(value))
      throw this.faults.invalid(`${name} must be an integer`);
    if ((range.min !== undefined && value < range.min) || (range.max !== undefined && value > range.max))
      throw this.faults.invalid(`${name} must be between ${range.min ?? '-∞'} and ${range.max ?? '∞'}`);
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.members[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw this.faults.invalid(`${name} must be a boolean`);
    return value;
  }

  /** A list member's items, unchecked: the caller checks each. */
  list(name: string): unknown[] | undefined {
    const value = this.members[name];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw this.faults.invalid(`${name} must be a list`);
    return value;
  }

  /** A timestamp member (epoch seconds on the wire), in epoch ms. */
  timestamp(name: string): number | undefined {
    const value = this.members[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw this.faults.invalid(`${name} must be a timestamp`);
    return value * 1000;
  }

  strings(name: string, limits: { max?: number; itemMax?: number } = {}): string[] | undefined {
    const value = this.members[name];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
      throw this.faults.invalid(`${name} must be a list of strings`);
    if (limits.max !== undefined && value.length > limits.max)
      throw this.faults.invalid(`${name} must have at most ${limits.max} members`);
    if (limits.itemMax !== undefined && value.some((item: string) => item.length > limits.itemMax!))
      throw this.faults.invalid(`each of ${name} must have length at most ${limits.itemMax}`);
    return value as string[];
  }
}

/** One action: its input in, its output object out. */
export type JsonAction = (input: JsonInput) => Promise<Record<string, unknown>> | Record<string, unknown>;

export interface JsonServiceOptions {
  /** The `X-Amz-Target` prefix, e.g. `GraniteServiceVersion20100801`. */
  targetPrefix: string;
  /** The Smithy namespace of the error shapes, e.g. `com.amazonaws.cloudwatch`. */
  namespace: string;
  jsonVersion: '1.0' | '1.1';
  /** Send the Query error code in `x-amzn-query-error` (CloudWatch, SQS: services that spoke Query first). */
  queryCompatible?: boolean;
  faults: InputFaults;
}

/** Faults of the protocol itself, the same for every JSON service. */
const protocolFaults = {
  serialization: (why: string) => new JsonFault('SerializationException', 400, why),
  unknownOperation: (target: string) =>
    new JsonFault('UnknownOperationException', 400, `unknown operation ${target || '(none)'}`),
  internal: (why: string) => new JsonFault('InternalFailure', 500, why),
};

/** The response to a fault, as the JSON protocol (and, query-compatible, the Query code) carries it. */
export function jsonError(
  fault: JsonFault,
  options: JsonServiceOptions,
  requestId = randomUUID(),
): ServiceResponse {
  const headers: Record<string, string> = {
    'content-type': `application/x-amz-json-${options.jsonVersion}`,
    'x-amzn-requestid': requestId,
  };
  if (options.queryCompatible)
    headers['x-amzn-query-error'] = `${fault.queryCode};${fault.status >= 500 ? 'Receiver' : 'Sender'}`;
  return {
    status: fault.status,
    headers,
    body: JSON.stringify({ __type: `${options.namespace}#${fault.type}`, message: fault.message }),
  };
}

/** Dates as the JSON protocol writes timestamps: epoch seconds. */
export function epochSeconds(date: Date | number): number {
  return (typeof date === 'number' ? date : date.getTime()) / 1000;
}

/** A JSON service on the control plane: parses, dispatches by target, renders the output or the fault. */
export function jsonService(
  options: JsonServiceOptions,
  actions: Record<string, JsonAction>,
): ServiceHandler {
  return async (request) => {
    const requestId = randomUUID();
    try {
      const target = String(request.headers['x-amz-target'] ?? '');
      const [prefix, name = ''] = target.split('.', 2);
      const action =
        prefix === options.targetPrefix && Object.hasOwn(actions, name) ? actions[name] : undefined;
      if (!action) throw protocolFaults.unknownOperation(target);
      const text = request.body.toString('utf8');
      if (text.includes('\uFFFD')) throw protocolFaults.serialization('the request body is not valid UTF-8');
      let body: unknown = {};
      if (text.trim() !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          throw protocolFaults.serialization('the request body is not JSON');
        }
      }
      if (!isRecord(body)) throw protocolFaults.serialization('the request body is not a JSON object');
      const output = await action(new JsonInput(body, options.faults));
      return {
        status: 200,
        headers: {
          'content-type': `application/x-amz-json-${options.jsonVersion}`,
          'x-amzn-requestid': requestId,
        },
        body: JSON.stringify(output),
      };
    } catch (error) {
      const fault =
        error instanceof JsonFault
          ? error
          : protocolFaults.internal(error instanceof Error ? error.message : String(error));
      return jsonError(fault, options, requestId);
    }
  };
}
