/**
 * One walker that holds a response against an operation's output shape in AWS's service model: member names,
 * required members, enum values, scalar types, timestamps that are real times; errors against the operation's
 * listed errors (or AWS's common errors) with their HTTP status. JSON protocol: the parsed body. Query
 * protocol: the XML as AWS writes it (`<OpResponse><OpResult>…`, lists as `<member>` or the list's
 * locationName, maps as `<entry><key/><value/>`). Every problem is a line naming its path.
 */
import { XMLParser } from 'fast-xml-parser';
import type { Operation, ServiceModel, Shape } from './aws-models.js';

/** AWS's common errors (any operation may return them), with their HTTP status. */
export const COMMON_ERRORS: Record<string, number> = {
  AccessDeniedException: 400,
  IncompleteSignature: 400,
  InternalFailure: 500,
  InvalidAction: 400,
  InvalidClientTokenId: 403,
  InvalidParameterCombination: 400,
  InvalidParameterValue: 400,
  InvalidQueryParameter: 400,
  MalformedQueryString: 404,
  MissingAction: 400,
  MissingAuthenticationToken: 403,
  MissingParameter: 400,
  NotAuthorized: 400,
  OptInRequired: 403,
  RequestExpired: 400,
  ServiceUnavailable: 503,
  ThrottlingException: 400,
  ValidationError: 400,
  // JSON protocol
  SerializationException: 400,
  UnknownOperationException: 400,
};

/** A real time: not the epoch, not far in the future. */
const EARLIEST = Date.UTC(2010, 0, 1);
const realTime = (ms: number) => Number.isFinite(ms) && ms >= EARLIEST && ms <= Date.now() + 86_400_000;

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

function element(node: Ordered): XmlElement | undefined {
  const name = Object.keys(node).find((k) => k !== ':@');
  if (!name || name === '#text') return undefined;
  const content = node[name] as Ordered[];
  const attributes = Object.fromEntries(
    Object.entries(node[':@'] ?? {}).map(([k, v]) => [k.replace(/^@_/, ''), String(v)]),
  );
  return {
    name,
    attributes,
    children: content.map(element).filter((e): e is XmlElement => e !== undefined),
    text: content.map((c) => (c['#text'] === undefined ? '' : String(c['#text']))).join(''),
  };
}

/** The document's root element, order and text kept exactly (no number or entity guessing). */
export function parseXml(text: string): XmlElement {
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
  });
  const nodes = (parser.parse(text) as Ordered[]).map(element).filter((e) => e !== undefined);
  if (nodes.length !== 1) throw new Error(`expected one root element, found ${nodes.length}`);
  return nodes[0]!;
}

type Protocol = 'json' | 'rest-json' | 'query';

class Walker {
  readonly problems: string[] = [];

  constructor(
    private readonly model: ServiceModel,
    private readonly protocol: Protocol,
  ) {}

  private shape(name: string): Shape {
    const shape = this.model.shapes[name];
    if (!shape) throw new Error(`the model has no shape ${name}`);
    return shape;
  }

  private problem(path: string, what: string): undefined {
    this.problems.push(`${path}: ${what}`);
  }

  /** A scalar given as JSON (typed) or as XML text. */
  private scalar(shape: Shape, value: unknown, path: string): undefined {
    const xml = this.protocol === 'query';
    const text = String(value);
    switch (shape.type) {
      case 'string':
        if (typeof value !== 'string')
          return this.problem(path, `expected a string, got ${JSON.stringify(value)}`);
        if (shape.enum && !shape.enum.includes(value))
          this.problem(path, `${JSON.stringify(value)} is not one of ${shape.enum.join(' | ')}`);
        return;
      case 'integer':
      case 'long': {
        const ok = xml ? /^-?\d+$/.test(text) : Number.isInteger(value);
        if (!ok) return this.problem(path, `expected an integer, got ${JSON.stringify(value)}`);
        const n = Number(value);
        if (shape.min !== undefined && n < shape.min)
          this.problem(path, `${n} is below the minimum ${shape.min}`);
        if (shape.max !== undefined && n > shape.max)
          this.problem(path, `${n} is above the maximum ${shape.max}`);
        return;
      }
      case 'float':
      case 'double':
        if (xml ? !Number.isFinite(Number(text)) || text.trim() === '' : typeof value !== 'number')
          this.problem(path, `expected a number, got ${JSON.stringify(value)}`);
        return;
      case 'boolean':
        if (xml ? text !== 'true' && text !== 'false' : typeof value !== 'boolean')
          this.problem(path, `expected a boolean, got ${JSON.stringify(value)}`);
        return;
      case 'timestamp': {
        // JSON: epoch seconds (a number); Query: ISO 8601.
        const ms =
          typeof value === 'number' && !xml
            ? value * 1000
            : xml && /^\d{4}-\d\d-\d\dT/.test(text)
              ? Date.parse(text)
              : Number.NaN;
        if (!realTime(ms)) this.problem(path, `expected a real time, got ${JSON.stringify(value)}`);
        return;
      }
      case 'blob':
        if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value))
          this.problem(path, `expected base64, got ${JSON.stringify(value)}`);
        return;
      default:
        this.problem(path, `unknown shape type ${shape.type}`);
    }
  }

  json(shapeName: string, value: unknown, path: string): undefined {
    const shape = this.shape(shapeName);
    if (value === null) return this.problem(path, 'null (AWS omits a member instead)');
    switch (shape.type) {
      case 'structure': {
        if (typeof value !== 'object' || Array.isArray(value))
          return this.problem(path, 'expected an object');
        const record = value as Record<string, unknown>;
        for (const name of shape.required ?? [])
          if (record[name] === undefined) this.problem(path, `required member ${name} is missing`);
        for (const [name, member] of Object.entries(record)) {
          const ref = shape.members?.[name];
          if (!ref) this.problem(`${path}.${name}`, `not a member of ${shapeName}`);
          else this.json(ref.shape, member, `${path}.${name}`);
        }
        return;
      }
      case 'list':
        if (!Array.isArray(value)) return this.problem(path, 'expected a list');
        for (const [i, item] of value.entries()) this.json(shape.member!.shape, item, `${path}[${i}]`);
        return;
      case 'map':
        if (typeof value !== 'object' || Array.isArray(value)) return this.problem(path, 'expected a map');
        for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
          this.scalar(this.shape(shape.key!.shape), key, `${path}{key}`);
          this.json(shape.value!.shape, item, `${path}.${key}`);
        }
        return;
      default:
        this.scalar(shape, value, path);
    }
  }

  /** `node` is the XML element that carries one value of `shapeName`. */
  xml(shapeName: string, node: XmlElement, path: string): undefined {
    const shape = this.shape(shapeName);
    switch (shape.type) {
      case 'structure': {
        const refs = Object.entries(shape.members ?? {});
        const byElement = new Map(
          refs.map(([name, ref]) => [ref.locationName ?? name, [name, ref] as const]),
        );
        const seen = new Map<string, XmlElement[]>();
        for (const child of node.children) {
          const entry = byElement.get(child.name);
          if (!entry) {
            this.problem(`${path}/${child.name}`, `not a member of ${shapeName}`);
            continue;
          }
          seen.set(child.name, [...(seen.get(child.name) ?? []), child]);
        }
        for (const name of shape.required ?? []) {
          const ref = shape.members![name]!;
          if (!seen.has(ref.locationName ?? name)) this.problem(path, `required member ${name} is missing`);
        }
        for (const [elementName, elements] of seen) {
          const [, ref] = byElement.get(elementName)!;
          const memberShape = this.shape(ref.shape);
          if (memberShape.type === 'list' && (ref.flattened || memberShape.flattened)) {
            for (const [i, e] of elements.entries())
              this.xml(memberShape.member!.shape, e, `${path}/${elementName}[${i}]`);
            continue;
          }
          if (elements.length > 1) this.problem(`${path}/${elementName}`, `appears ${elements.length} times`);
          this.xml(ref.shape, elements[0]!, `${path}/${elementName}`);
        }
        return;
      }
      case 'list': {
        const itemName = shape.member!.locationName ?? 'member';
        node.children.forEach((child, i) => {
          if (child.name !== itemName)
            this.problem(`${path}/${child.name}`, `a list item must be <${itemName}>`);
          else this.xml(shape.member!.shape, child, `${path}/${itemName}[${i}]`);
        });
        return;
      }
      case 'map': {
        const keyName = shape.key!.locationName ?? 'key';
        const valueName = shape.value!.locationName ?? 'value';
        node.children.forEach((entry, i) => {
          const key = entry.children.find((c) => c.name === keyName);
          const value = entry.children.find((c) => c.name === valueName);
          if (entry.name !== 'entry' || !key || !value)
            this.problem(
              `${path}/${entry.name}[${i}]`,
              `a map entry must be <entry><${keyName}/><${valueName}/></entry>`,
            );
          else this.xml(shape.value!.shape, value, `${path}/entry[${i}]/${valueName}`);
        });
        return;
      }
      default:
        if (node.children.length > 0) this.problem(path, `a ${shape.type} has child elements`);
        this.scalar(shape, node.text, path);
    }
  }
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The error code a response carries, if it is an error. */
function errorCode(protocol: Protocol, response: WireResponse): string | undefined {
  if (response.status < 300) return undefined;
  // REST-JSON names the error shape in a header (`Name:uri` in some services: the name before the colon).
  if (protocol === 'rest-json') return response.headers['x-amzn-errortype']?.split(':')[0];
  if (protocol === 'json')
    return String((JSON.parse(response.body) as { __type?: string }).__type ?? '')
      .split('#')
      .pop();
  return parseXml(response.body)
    .children.find((c) => c.name === 'Error')
    ?.children.find((c) => c.name === 'Code')?.text;
}

/** The operation's own errors by wire code → HTTP status (the JSON protocol names errors by shape). */
function listedErrors(model: ServiceModel, operation: Operation): Map<string, number> {
  const listed = new Map<string, number>();
  for (const { shape } of operation.errors ?? []) {
    const error = model.shapes[shape]?.error;
    listed.set(
      model.metadata.protocol === 'query' ? (error?.code ?? shape) : shape,
      error?.httpStatusCode ?? 400,
    );
  }
  return listed;
}

/** Every way `response` departs from what `model` says `operation` returns. */
export function checkResponse(model: ServiceModel, operationName: string, response: WireResponse): string[] {
  const operation = model.operations[operationName];
  if (!operation) return [`${operationName}: not an operation of the model`];
  const protocol = model.metadata.protocol as Protocol;
  const walker = new Walker(model, protocol);
  const problems = walker.problems;
  const code = errorCode(protocol, response);
  if (code !== undefined) {
    const status = listedErrors(model, operation).get(code) ?? COMMON_ERRORS[code];
    if (status === undefined) problems.push(`${operationName}: error ${code} is not among its errors`);
    else if (status !== response.status)
      problems.push(`${operationName}: error ${code} with HTTP ${response.status}, the model says ${status}`);
    if (protocol === 'query') {
      const error = parseXml(response.body).children.find((c) => c.name === 'Error')!;
      const type = error.children.find((c) => c.name === 'Type')?.text;
      if (type !== 'Sender' && type !== 'Receiver') problems.push(`${operationName}: error Type ${type}`);
    }
    return problems;
  }
  if (response.status !== 200) problems.push(`${operationName}: HTTP ${response.status}`);
  if (protocol === 'rest-json') {
    if (response.headers['content-type'] !== 'application/json')
      problems.push(`${operationName}: content-type ${response.headers['content-type']}`);
    if (operation.output) walker.json(operation.output.shape, JSON.parse(response.body), operationName);
    return problems;
  }
  if (protocol === 'json') {
    if (!/^application\/x-amz-json-1\.[01]$/.test(response.headers['content-type'] ?? ''))
      problems.push(`${operationName}: content-type ${response.headers['content-type']}`);
    if (operation.output) walker.json(operation.output.shape, JSON.parse(response.body), operationName);
    return problems;
  }
  const root = parseXml(response.body);
  const where = `${operationName}Response`;
  if (root.name !== where) problems.push(`root element <${root.name}>, expected <${where}>`);
  if (root.attributes.xmlns !== model.metadata.xmlNamespace)
    problems.push(`${where}: xmlns ${root.attributes.xmlns}, expected ${model.metadata.xmlNamespace}`);
  const expected = new Set([
    'ResponseMetadata',
    ...(operation.output?.resultWrapper ? [operation.output.resultWrapper] : []),
  ]);
  for (const child of root.children)
    if (!expected.has(child.name)) problems.push(`${where}/${child.name}: unexpected`);
  const requestId = root.children
    .find((c) => c.name === 'ResponseMetadata')
    ?.children.find((c) => c.name === 'RequestId');
  if (!requestId?.text) problems.push(`${where}: no ResponseMetadata/RequestId`);
  if (operation.output?.resultWrapper) {
    const result = root.children.find((c) => c.name === operation.output!.resultWrapper);
    if (!result) problems.push(`${where}: no <${operation.output.resultWrapper}>`);
    else walker.xml(operation.output.shape, result, `${where}/${result.name}`);
  }
  return problems;
}

/** Every problem of a run of recorded exchanges (the control plane's answers, each with its operation). */
export function exchangeProblems(
  model: ServiceModel,
  exchanges: readonly {
    operation: string;
    response: { status: number; headers?: Record<string, string>; body: string };
  }[],
): string[] {
  return exchanges.flatMap(({ operation, response }) =>
    checkResponse(model, operation, {
      status: response.status,
      headers: response.headers ?? {},
      body: response.body,
    }),
  );
}
