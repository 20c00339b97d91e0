import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { AwsFault, QueryParams, queryError, queryResult, queryService } from './query.js';

const NS = 'http://example.test/doc/2015-02-02/';
const parse = (xml: string) => new XMLParser({ ignoreAttributes: false }).parse(xml);

function request(body: string, contentType = 'application/x-www-form-urlencoded; charset=utf-8') {
  return { method: 'POST', url: '/', headers: { 'content-type': contentType }, body: Buffer.from(body) };
}

describe('QueryParams', () => {
  it('reads scalars, lists and lists of structures in index order', () => {
    // Prepare
    const body =
      'Action=AddTagsToResource&Tags.Tag.2.Key=b&Tags.Tag.2.Value=2&Tags.Tag.1.Key=a&Tags.Tag.1.Value=1' +
      '&TagKeys.member.2=y&TagKeys.member.1=x&MaxRecords=20&Flag=true&When=2026-11-23T05%3A24%3A06.940Z';

    // Act
    const p = QueryParams.parse(body);

    // Assess
    expect(p.action).toBe('AddTagsToResource');
    expect(p.list('Tags', ['Key', 'Value'] as const)).toEqual([
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: '2' },
    ]);
    expect(p.list('TagKeys')).toEqual(['x', 'y']);
    expect(p.integer('MaxRecords', { min: 20, max: 100 })).toBe(20);
    expect(p.boolean('Flag')).toBe(true);
    expect(p.timestamp('When')?.toISOString()).toBe('2026-11-23T05:24:06.940Z');
    expect(p.integer('Absent')).toBeUndefined();
  });

  it('refuses values of the wrong type with InvalidParameterValue and a missing one with MissingParameter', () => {
    // Prepare
    const p = QueryParams.parse('MaxRecords=5&N=1.5&B=yes&T=yesterday&Empty=');

    // Act
    const reads = [
      () => p.integer('MaxRecords', { min: 20, max: 100 }),
      () => p.integer('N'),
      () => p.boolean('B'),
      () => p.timestamp('T'),
      () => p.required('Empty'),
      () => p.required('Absent'),
    ];

    // Assess
    const codes = [
      'InvalidParameterValue',
      'InvalidParameterValue',
      'InvalidParameterValue',
      'InvalidParameterValue',
      'MissingParameter',
      'MissingParameter',
    ];
    for (const [i, read] of reads.entries())
      expect(read).toThrow(expect.objectContaining({ code: codes[i] }));
  });

  it('refuses a body that is not a form, or not UTF-8', () => {
    // Prepare
    const notForm = () => QueryParams.parse('{"Action":"X"}', 'application/json');
    const notUtf8 = () => QueryParams.parse('Action=%FF%FE');

    // Act
    // Assess
    expect(notForm).toThrow(expect.objectContaining({ code: 'MalformedQueryString', status: 404 }));
    expect(notUtf8).toThrow(expect.objectContaining({ code: 'MalformedQueryString' }));
  });
});

describe('XML responses', () => {
  it('wraps a result in <XResponse><XResult> with the namespace and a request id', () => {
    // Prepare
    const result = { Items: { Item: [{ Id: 'a', At: new Date(0) }, { Id: 'b<&' }] }, Skipped: undefined };

    // Act
    const response = queryResult('DescribeThings', NS, result, 'req-1');

    // Assess
    expect(response.status).toBe(200);
    const doc = parse(response.body);
    expect(doc.DescribeThingsResponse['@_xmlns']).toBe(NS);
    expect(doc.DescribeThingsResponse.DescribeThingsResult.Items.Item).toEqual([
      { Id: 'a', At: '1970-01-01T00:00:00.000Z' },
      { Id: 'b<&' },
    ]);
    expect(doc.DescribeThingsResponse.DescribeThingsResult.Skipped).toBeUndefined();
    expect(doc.DescribeThingsResponse.ResponseMetadata.RequestId).toBe('req-1');
  });

  it('renders a fault as <ErrorResponse> with its status', () => {
    // Prepare
    const fault = new AwsFault('ReplicationGroupNotFoundFault', 404, 'Replication group x not found.');

    // Act
    const response = queryError(fault, NS, 'req-2');

    // Assess
    expect(response.status).toBe(404);
    expect(parse(response.body).ErrorResponse).toMatchObject({
      Error: {
        Type: 'Sender',
        Code: 'ReplicationGroupNotFoundFault',
        Message: 'Replication group x not found.',
      },
      RequestId: 'req-2',
    });
  });
});

describe('queryService', () => {
  const service = queryService(NS, {
    Echo: (p) => ({ Value: p.required('Value') }),
    Crash: () => {
      throw new Error('boom');
    },
  });

  it('dispatches by Action and answers every malformed request with a typed error', async () => {
    // Prepare
    const cases = [
      request('Action=Echo&Value=hi'),
      request('Version=1'),
      request('Action=Nope'),
      request('Action=Echo'),
      request('Action=Crash'),
      request('garbage', 'text/plain'),
      request('Action=toString'),
    ];

    // Act
    const responses = await Promise.all(cases.map((c) => service(c)));

    // Assess
    expect(responses.map((r) => r.status)).toEqual([200, 400, 400, 400, 500, 404, 400]);
    const codes = responses.slice(1).map((r) => parse(r.body).ErrorResponse.Error.Code);
    expect(codes).toEqual([
      'MissingAction',
      'InvalidAction',
      'MissingParameter',
      'InternalFailure',
      'MalformedQueryString',
      'InvalidAction',
    ]);
    expect(parse(responses[0]!.body).EchoResponse.EchoResult.Value).toBe('hi');
  });
});
