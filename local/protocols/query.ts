/**
 * The AWS Query protocol as the SDK's clients speak it: form-encoded POST bodies in, XML out. Shared by
 * every Query service of the local cloud (ElastiCache, SNS), so that each only maps actions to results.
 */
import { randomUUID } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';
import type { ServiceHandler, ServiceResponse } from '../control-plane.js';

/** A fault as AWS reports it: `code` is the wire code (the SDK maps it to its exception's name). */
export class AwsFault extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
    this.name = 'AwsFault';
  }
}

/** Faults common to every Query API (AWS "Common Errors"). */
export const commonFaults = {
  missingAction: () => new AwsFault('MissingAction', 400, 'The request must contain the parameter Action.'),
  invalidAction: (action: string) =>
    new AwsFault('InvalidAction', 400, `The action ${action} is not valid for this web service.`),
  missingParameter: (name: string) =>
    new AwsFault('MissingParameter', 400, `The request must contain the parameter ${name}.`),
  malformedQuery: (why: string) => new AwsFault('MalformedQueryString', 404, why),
  invalidValue: (message: string) => new AwsFault('InvalidParameterValue', 400, message),
  invalidCombination: (message: string) => new AwsFault('InvalidParameterCombination', 400, message),
  internal: (message: string) => new AwsFault('InternalFailure', 500, message, 'Receiver'),
};

/** The flat parameters of one Query request, e.g. `Tags.Tag.1.Key`. */
export class QueryParams {
  private constructor(private readonly values: Map<string, string>) {}

  static parse(body: Buffer | string, contentType = 'application/x-www-form-urlencoded'): QueryParams {
    if (!/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
      throw commonFaults.malformedQuery(
        `Unsupported content type ${contentType || '(none)'}; expected a form.`,
      );
    }
    const text = typeof body === 'string' ? body : body.toString('utf8');
    const values = new Map<string, string>();
    for (const [key, value] of new URLSearchParams(text)) {
      // URLSearchParams never throws: bytes that are not UTF-8 come out as U+FFFD.
      if (`${key}${value}`.includes('\uFFFD')) {
        throw commonFaults.malformedQuery('The request body is not valid UTF-8.');
      }
      values.set(key, value);
    }
    return new QueryParams(values);
  }

  static of(record: Record<string, string>): QueryParams {
    return new QueryParams(new Map(Object.entries(record)));
  }

  get action(): string | undefined {
    return this.values.get('Action') || undefined;
  }

  get version(): string | undefined {
    return this.values.get('Version') || undefined;
  }

  string(name: string): string | undefined {
    return this.values.get(name);
  }

  required(name: string): string {
    const value = this.values.get(name);
    if (value === undefined || value === '') throw commonFaults.missingParameter(name);
    return value;
  }

  integer(name: string, range?: { min: number; max: number }): number | undefined {
    const text = this.values.get(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value)) {
      throw commonFaults.invalidValue(`Invalid value for ${name}: ${text} is not an integer.`);
    }
    if (range && (value < range.min || value > range.max)) {
      throw commonFaults.invalidValue(
        `Invalid value for ${name}: ${value}. It must be between ${range.min} and ${range.max}.`,
      );
    }
    return value;
  }

  boolean(name: string): boolean | undefined {
    const text = this.values.get(name);
    if (text === undefined) return undefined;
    if (text !== 'true' && text !== 'false') {
      throw commonFaults.invalidValue(`Invalid value for ${name}: ${text} is not a boolean.`);
    }
    return text === 'true';
  }

  timestamp(name: string): Date | undefined {
    const text = this.values.get(name);
    if (text === undefined) return undefined;
    const date = new Date(text);
    if (Number.isNaN(date.getTime())) {
      throw commonFaults.invalidValue(`Invalid value for ${name}: ${text} is not an ISO 8601 timestamp.`);
    }
    return date;
  }

  /**
   * A list, whatever its member name: `Name.member.1`, `Name.Tag.1`; with `fields`, a list of structures
   * (`Name.Tag.1.Key`), returned in index order.
   */
  list(name: string): string[];
  list<F extends string>(name: string, fields: readonly F[]): Partial<Record<F, string>>[];
  list<F extends string>(name: string, fields?: readonly F[]): unknown[] {
    const pattern = new RegExp(`^${escapeRegExp(name)}\\.[A-Za-z]+\\.(\\d+)(?:\\.([A-Za-z]+))?$`);
    const items = new Map<number, Record<string, string> | string>();
    for (const [key, value] of this.values) {
      const match = pattern.exec(key);
      if (!match) continue;
      const index = Number(match[1]);
      const field = match[2];
      if (fields && field) {
        const item = (items.get(index) as Record<string, string> | undefined) ?? {};
        if ((fields as readonly string[]).includes(field)) item[field] = value;
        items.set(index, item);
      } else if (!fields && !field) {
        items.set(index, value);
      }
    }
    return [...items.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
  }

  toRecord(): Record<string, string> {
    return Object.fromEntries(this.values);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
});

/** An XML value tree: objects are elements, arrays repeat an element, undefined is left out. */
export type XmlValue = string | number | boolean | Date | undefined | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue;
}

/** Dates as the Query protocol writes timestamps (ISO 8601, UTC, milliseconds). */
function normalise(value: XmlValue): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) if (inner !== undefined) out[key] = normalise(inner);
    return out;
  }
  return value;
}

export function newRequestId(): string {
  return randomUUID();
}

/** `<{Action}Response xmlns=…><{Action}Result>…</{Action}Result><ResponseMetadata>…` */
export function queryResult(
  action: string,
  xmlns: string,
  result: XmlObject | undefined,
  requestId = newRequestId(),
): ServiceResponse {
  const response: Record<string, unknown> = { '@_xmlns': xmlns };
  if (result !== undefined) response[`${action}Result`] = normalise(result);
  response.ResponseMetadata = { RequestId: requestId };
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: builder.build({ [`${action}Response`]: response }),
  };
}

/** `<ErrorResponse><Error><Type>…<Code>…<Message>…</Error><RequestId>…` with the fault's HTTP status. */
export function queryError(fault: AwsFault, xmlns: string, requestId = newRequestId()): ServiceResponse {
  return {
    status: fault.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: builder.build({
      ErrorResponse: {
        '@_xmlns': xmlns,
        Error: { Type: fault.type, Code: fault.code, Message: fault.message },
        RequestId: requestId,
      },
    }),
  };
}

/** An unexpected exception becomes an InternalFailure response, never a crash. */
export function asFault(error: unknown): AwsFault {
  if (error instanceof AwsFault) return error;
  return commonFaults.internal(error instanceof Error ? error.message : String(error));
}

/** One action: its parameters in, its result element's content out (undefined: no Result element). */
export type QueryAction = (params: QueryParams) => Promise<XmlObject | undefined> | XmlObject | undefined;

/** A Query service on the control plane: parses, dispatches by Action, renders the result or the fault. */
export function queryService(xmlns: string, actions: Record<string, QueryAction>): ServiceHandler {
  return async (request) => {
    const requestId = newRequestId();
    try {
      const params = QueryParams.parse(request.body, String(request.headers['content-type'] ?? ''));
      const name = params.action;
      if (name === undefined) throw commonFaults.missingAction();
      const action = Object.hasOwn(actions, name) ? actions[name] : undefined;
      if (!action) throw commonFaults.invalidAction(name);
      return queryResult(name, xmlns, await action(params), requestId);
    } catch (error) {
      return queryError(asFault(error), xmlns, requestId);
    }
  };
}
