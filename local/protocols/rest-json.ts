/**
 * AWS's REST-JSON protocol (FIS) as the SDK and the AWS CLI speak it: the operation is the method and
 * the path (`POST /experiments`, `GET /experiments/{id}`), a JSON body in and out, and a fault named by
 * the `x-amzn-errortype` header with `{ message }` in the body.
 */
import { randomUUID } from 'node:crypto';
import type { ServiceHandler, ServiceRequest, ServiceResponse } from '../control-plane.js';

/** A fault as REST-JSON carries it: `type` is the error shape's name (the SDK's exception name). */
export class RestJsonFault extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RestJsonFault';
  }
}

export interface Route {
  operation: string;
  method: string;
  /** The path with `{name}` labels, e.g. `/experiments/{id}`. */
  path: string;
  handle: (
    labels: Record<string, string>,
    body: Record<string, unknown>,
    query: Record<string, string>,
  ) => unknown;
}

function reply(status: number, body: unknown, extra: Record<string, string> = {}): ServiceResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID(), ...extra },
    body: JSON.stringify(body),
  };
}

function match(route: Route, method: string, path: string): Record<string, string> | undefined {
  if (route.method !== method) return undefined;
  const want = route.path.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const labels: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const label = part.match(/^\{(\w+)\}$/)?.[1];
    if (label) labels[label] = decodeURIComponent(got[i]!);
    else if (part !== got[i]) return undefined;
  }
  return labels;
}

/** The operation a request names, by its method and path (the conformance suite reads exchanges by it). */
export function restJsonOperation(routes: Route[], request: Pick<ServiceRequest, 'method' | 'url'>): string {
  const path = new URL(request.url, 'http://local').pathname;
  return routes.find((r) => match(r, request.method, path))?.operation ?? '';
}

export function restJsonService(
  routes: Route[],
  validation: (message: string) => RestJsonFault,
): ServiceHandler {
  return async (request) => {
    const url = new URL(request.url, 'http://local');
    const path = url.pathname;
    const fault = (f: RestJsonFault) =>
      reply(f.status, { message: f.message }, { 'x-amzn-errortype': f.type });
    for (const route of routes) {
      const labels = match(route, request.method, path);
      if (!labels) continue;
      try {
        const text = request.body.toString('utf8').trim();
        let body: unknown = {};
        try {
          body = text === '' ? {} : JSON.parse(text);
        } catch {
          throw validation('the request body is not JSON');
        }
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          throw validation('the request body must be a JSON object');
        const query = Object.fromEntries(url.searchParams);
        return reply(200, await route.handle(labels, body as Record<string, unknown>, query));
      } catch (error) {
        if (error instanceof RestJsonFault) return fault(error);
        throw error;
      }
    }
    return fault(
      new RestJsonFault('ResourceNotFoundException', 404, `No operation at ${request.method} ${path}`),
    );
  };
}
