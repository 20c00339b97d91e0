/**
 * Hostile input at the control plane's doors, property-based (fast-check): every request parser of the
 * local cloud — the Query services (ElastiCache, SNS), the JSON services (CloudWatch, Step Functions) and
 * the router in front of them — answers any body and any headers with a typed error in the service's own
 * protocol: never a crash, never a hang, never an internal failure.
 */
import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../account.js';
import { CLOUDWATCH_TARGET_PREFIX, CloudWatchService } from '../cloudwatch/service.js';
import { ControlPlane, type ServiceRequest, type ServiceResponse } from '../control-plane.js';
import { ELASTICACHE_VERSION, ElastiCacheService } from '../elasticache/service.js';
import { SNS_VERSION, SnsService } from '../sns/service.js';
import { LocalStepFunctions, SFN_TARGET_PREFIX } from '../stepfunctions/service.js';

const account = { region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID };
const elastiCache = new ElastiCacheService(account);
const sns = new SnsService(account);
const cloudWatch = new CloudWatchService(account);
cloudWatch.putMetricAlarm('known', {}, 'OK');
// No state machine: StartExecution can never start anything, whatever the fuzzer sends.
const stepFunctions = new LocalStepFunctions();

/** An answer within this bound, or the property fails as a hang. */
const HANG_MS = 2000;
const RUNS = 300;

async function answer(handler: (r: ServiceRequest) => Promise<ServiceResponse>, request: ServiceRequest) {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${HANG_MS} ms`)), HANG_MS);
  });
  try {
    return await Promise.race([handler(request), hang]);
  } finally {
    clearTimeout(timer);
  }
}

const xml = new XMLParser();

/** A Query answer: a result, or `<ErrorResponse><Error><Code>` with a 4xx status. */
function expectQueryAnswer(response: ServiceResponse) {
  expect(response.status).toBeGreaterThanOrEqual(200);
  expect(response.status).toBeLessThan(500);
  const parsed = xml.parse(response.body) as Record<string, { Error?: { Code?: unknown } }>;
  if (response.status >= 400) expect(typeof parsed.ErrorResponse?.Error?.Code).toBe('string');
}

/** A JSON answer: an object, or `{ __type, message }` with a 4xx status. */
function expectJsonAnswer(response: ServiceResponse) {
  expect(response.status).toBeGreaterThanOrEqual(200);
  expect(response.status).toBeLessThan(500);
  const parsed = JSON.parse(response.body) as { __type?: unknown };
  expect(typeof parsed).toBe('object');
  if (response.status >= 400) expect(parsed.__type).toMatch(/^([\w.]+#)?\w+$/); // the SDK reads both forms
}

/** Values a hostile client might put in a member: odd types, huge numbers, control characters, nesting. */
const hostileValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string(), fc.integer())),
  fc.dictionary(fc.string(), fc.string()),
  fc.constantFrom('', ' ', '-1', '1e309', 'NaN', '0'.repeat(400), '\u0000', '../../etc', '%00', '<x/>'),
);

function formBody(params: Record<string, string>): Buffer {
  return Buffer.from(new URLSearchParams(params).toString());
}

const queryServices = [
  { name: 'ElastiCache', service: elastiCache, version: ELASTICACHE_VERSION },
  { name: 'SNS', service: sns, version: SNS_VERSION },
];

describe.each(queryServices)('the Query protocol: $name', ({ service, version }) => {
  it('answers any form with a result or a typed Query error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...service.operations, 'Bogus', ''),
        fc.dictionary(
          fc.oneof(
            fc.string(),
            fc.constantFrom(
              'ReplicationGroupId',
              'NodeGroupId',
              'MaxRecords',
              'Marker',
              'Duration',
              'StartTime',
            ),
            fc.constantFrom(
              'ResourceName',
              'Tags.Tag.1.Key',
              'Tags.Tag.1.Value',
              'TagKeys.member.1',
              'TopicArn',
            ),
            fc.constantFrom('Message', 'Name', 'MessageAttributes.entry.1.Name', 'SourceType', 'EndTime'),
          ),
          fc.oneof(fc.string(), fc.constantFrom('', '-1', '99999999999999999999', 'nope', '2026-13-45')),
        ),
        async (action, params) => {
          const response = await answer(service.handler, {
            method: 'POST',
            url: '/',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: formBody({ ...params, Action: action, Version: version }),
          });
          expectQueryAnswer(response);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('answers any bytes and content type with a typed Query error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2048 }),
        fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain', ''),
        async (bytes, contentType) => {
          const response = await answer(service.handler, {
            method: 'POST',
            url: '/',
            headers: { 'content-type': contentType },
            body: Buffer.from(bytes),
          });
          expectQueryAnswer(response);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

const jsonServices = [
  {
    name: 'CloudWatch',
    handler: cloudWatch.handler,
    prefix: CLOUDWATCH_TARGET_PREFIX,
    operations: ['DescribeAlarms', 'SetAlarmState', 'PutMetricAlarm'],
    members: [
      'AlarmName',
      'AlarmNames',
      'StateValue',
      'StateReason',
      'StateReasonData',
      'MaxRecords',
      'NextToken',
    ],
    version: '1.0',
  },
  {
    name: 'Step Functions',
    handler: stepFunctions.handle,
    prefix: SFN_TARGET_PREFIX,
    operations: stepFunctions.operations,
    members: ['stateMachineArn', 'executionArn', 'name', 'input', 'maxResults', 'nextToken', 'statusFilter'],
    version: '1.0',
  },
];

describe.each(jsonServices)(
  'the JSON protocol: $name',
  ({ handler, prefix, operations, members, version }) => {
    it('answers any object with a result or a typed JSON error', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...operations, 'Bogus', ''),
          fc.dictionary(fc.oneof(fc.constantFrom(...members), fc.string()), hostileValue),
          async (action, body) => {
            const response = await answer(handler, {
              method: 'POST',
              url: '/',
              headers: {
                'x-amz-target': `${prefix}.${action}`,
                'content-type': `application/x-amz-json-${version}`,
              },
              body: Buffer.from(JSON.stringify(body)),
            });
            expectJsonAnswer(response);
          },
        ),
        {
          numRuns: RUNS,
          // Found by a seed (-926968243): an ARN given as an object whose toString is not callable.
          examples: [['StopExecution', { executionArn: { toString: '' } }]],
        },
      );
    });

    it('answers any bytes, any target, any JSON value with a typed JSON error', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.string(), fc.constantFrom(...operations.map((o) => `${prefix}.${o}`))),
          fc.oneof(
            fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
            fc.json().map((j) => Buffer.from(j)),
            fc.constant(Buffer.from('{"a":'.repeat(5000))),
          ),
          async (target, body) => {
            const response = await answer(handler, {
              method: 'POST',
              url: '/',
              headers: { 'x-amz-target': target, 'content-type': `application/x-amz-json-${version}` },
              body,
            });
            expectJsonAnswer(response);
          },
        ),
        { numRuns: RUNS },
      );
    });
  },
);

describe('the router in front of every service', () => {
  it('routes or refuses any headers and body, answering in the protocol of the service it reached', async () => {
    // Prepare
    const plane = await ControlPlane.start();
    plane.mount('elasticache', elastiCache.handler, { queryVersion: ELASTICACHE_VERSION });
    plane.mount('sns', sns.handler, { queryVersion: SNS_VERSION });
    plane.mount('monitoring', cloudWatch.handler, { targetPrefix: CLOUDWATCH_TARGET_PREFIX });
    plane.mount('states', stepFunctions.handle, { targetPrefix: SFN_TARGET_PREFIX });
    plane.open();
    try {
      // Act + Assess
      await fc.assert(
        fc.asyncProperty(
          fc.option(fc.string(), { nil: undefined }),
          fc.option(
            fc.oneof(
              fc.string(),
              fc
                .constantFrom('elasticache', 'sns', 'monitoring', 'states', 'lambda')
                .map(
                  (s) => `AWS4-HMAC-SHA256 Credential=AKID/20261201/us-east-1/${s}/aws4_request, Signature=x`,
                ),
            ),
            { nil: undefined },
          ),
          fc.uint8Array({ maxLength: 512 }),
          async (target, authorization, bytes) => {
            const headers: Record<string, string> = {};
            if (target !== undefined) headers['x-amz-target'] = target;
            if (authorization !== undefined) headers.authorization = authorization;
            const response = await answer((r) => plane.dispatch(r), {
              method: 'POST',
              url: '/',
              headers,
              body: Buffer.from(bytes),
            });
            // The service's own protocol: a Query service answers XML even to a stray X-Amz-Target.
            if (response.headers?.['content-type']?.includes('json')) expectJsonAnswer(response);
            else expectQueryAnswer(response);
          },
        ),
        { numRuns: RUNS },
      );
    } finally {
      await plane.close();
    }
  });
});
