/**
 * One HTTP endpoint on 127.0.0.1 for every service of the local cloud, the way `AWS_ENDPOINT_URL`
 * points every SDK client at one place. A request goes to the service it was signed for (the credential
 * scope of its Authorization header), else to the one its `X-Amz-Target` prefix or Query `Version`
 * names. Signatures are not verified. The port is taken at start (so a port in use fails before any
 * process starts), but requests are held until `open()`, once every service is mounted.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServiceRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface ServiceResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export type ServiceHandler = (request: ServiceRequest) => Promise<ServiceResponse>;

export interface MountOptions {
  /** Query protocol: the API version that identifies the service when the request is unsigned. */
  queryVersion?: string;
  /** JSON protocol: the `X-Amz-Target` prefix before the dot, e.g. `AWSStepFunctions`. */
  targetPrefix?: string;
}

interface Mounted extends MountOptions {
  handler: ServiceHandler;
}

/** Large enough for any message SNS accepts (256 KB) with its encoding. */
const BODY_LIMIT_BYTES = 2 * 1024 * 1024;

/** `Credential=AKID/20261123/us-east-1/elasticache/aws4_request` → `elasticache`. */
export function signingService(authorization: string | undefined): string | undefined {
  return authorization?.match(/Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/)?.[1];
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function errorResponse(
  request: ServiceRequest,
  status: number,
  code: string,
  message: string,
): ServiceResponse {
  if (header(request.headers, 'x-amz-target') !== undefined) {
    return {
      status,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ __type: code, message }),
    };
  }
  const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error></ErrorResponse>`,
  };
}

/** Sees every exchange the control plane answers (conformance tests hold each answer against AWS's models). */
export type Observer = (
  service: string | undefined,
  request: ServiceRequest,
  response: ServiceResponse,
) => void;

export class ControlPlane {
  private readonly services = new Map<string, Mounted>();
  private readonly observers: Observer[] = [];
  private closing: Promise<void> | undefined;
  private opened!: () => void;
  /** Requests wait here until every service is mounted: none is told UnknownService during start-up. */
  private readonly ready = new Promise<void>((resolve) => {
    this.opened = resolve;
  });

  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(options: { port?: number } = {}): Promise<ControlPlane> {
    const server = createServer();
    server.listen(options.port ?? 0, '127.0.0.1');
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([error]) => Promise.reject(error)),
    ]);
    const address = server.address() as AddressInfo;
    const plane = new ControlPlane(server, address.address, address.port);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > BODY_LIMIT_BYTES) tooLarge = true;
        else chunks.push(chunk);
      });
      req.on('error', () => res.destroy());
      req.on('end', () => {
        const request: ServiceRequest = {
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          headers: req.headers,
          body: Buffer.concat(chunks),
        };
        const answer = tooLarge
          ? Promise.resolve(
              errorResponse(request, 413, 'RequestEntityTooLarge', 'The request body is too large.'),
            )
          : plane.dispatch(request);
        void answer.then((response) => {
          res.writeHead(response.status, {
            ...response.headers,
            'content-length': Buffer.byteLength(response.body),
          });
          res.end(response.body);
        });
      });
    });
    return plane;
  }

  /** http://127.0.0.1:PORT, the value for AWS_ENDPOINT_URL and its per-service variants. */
  get endpoint(): string {
    return `http://${this.host}:${this.port}`;
  }

  /** Starts answering: call once every service is mounted. Requests that came earlier are answered now. */
  open(): void {
    this.opened();
  }

  /** Tells `observer` of every request answered from now on, with its answer. */
  observe(observer: Observer): void {
    this.observers.push(observer);
  }

  /** Serves `service` (the SigV4 signing name: elasticache, sns, states, …) with `handler`. */
  mount(service: string, handler: ServiceHandler, options: MountOptions = {}): void {
    this.services.set(service, { handler, ...options });
  }

  /** The signing names of the mounted services. */
  mounted(): string[] {
    return [...this.services.keys()];
  }

  /** Which mounted service a request is for, if any. */
  route(request: Pick<ServiceRequest, 'headers' | 'body'>): string | undefined {
    const signed = signingService(header(request.headers, 'authorization'));
    if (signed !== undefined) return this.services.has(signed) ? signed : undefined;
    const target = header(request.headers, 'x-amz-target')?.split('.')[0];
    if (target !== undefined) {
      return [...this.services].find(([, s]) => s.targetPrefix === target)?.[0];
    }
    const version = new URLSearchParams(request.body.toString('utf8')).get('Version');
    return [...this.services].find(
      ([, s]) => s.queryVersion !== undefined && s.queryVersion === version,
    )?.[0];
  }

  /** Answers one request; never throws (a failing handler is a 500 in the service's protocol). */
  async dispatch(request: ServiceRequest): Promise<ServiceResponse> {
    await this.ready;
    const service = this.route(request);
    const response = await this.answer(service, request);
    for (const observer of this.observers) observer(service, request, response);
    return response;
  }

  private async answer(service: string | undefined, request: ServiceRequest): Promise<ServiceResponse> {
    const mounted = service === undefined ? undefined : this.services.get(service);
    if (!mounted) {
      return errorResponse(request, 400, 'UnknownService', 'No local service serves this request.');
    }
    try {
      return await mounted.handler(request);
    } catch (error) {
      return errorResponse(
        request,
        500,
        'InternalFailure',
        error instanceof Error ? error.message : String(error),
      );
    }
  }

  /** Stops listening and drops open connections. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }
}
