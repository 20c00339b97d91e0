import { afterEach, describe, expect, it } from 'vitest';
import { ControlPlane, type ServiceHandler, signingService } from './control-plane.js';

const planes: ControlPlane[] = [];
afterEach(async () => {
  await Promise.all(planes.splice(0).map((p) => p.close()));
});

const named =
  (name: string): ServiceHandler =>
  async () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: name });

const auth = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=test/20261123/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`;

describe('signingService', () => {
  it('reads the service from the credential scope', () => {
    // Prepare
    const header = auth('elasticache');

    // Act
    const service = signingService(header);

    // Assess
    expect(service).toBe('elasticache');
    expect(signingService(undefined)).toBeUndefined();
    expect(signingService('Bearer x')).toBeUndefined();
  });
});

describe('ControlPlane', () => {
  it('routes by signing service, then X-Amz-Target, then Query Version; mounted services answer', async () => {
    // Prepare
    const plane = await ControlPlane.start();
    planes.push(plane);
    plane.mount('elasticache', named('elasticache'), { queryVersion: '2015-02-02' });
    plane.mount('sns', named('sns'), { queryVersion: '2010-03-31' });
    plane.mount('states', named('states'), { targetPrefix: 'AWSStepFunctions' });
    plane.open();
    const post = (headers: Record<string, string>, body = '') =>
      fetch(plane.endpoint, { method: 'POST', headers, body }).then(async (r) => [r.status, await r.text()]);

    // Act
    const answers = await Promise.all([
      post({ authorization: auth('sns') }, 'Action=Publish&Version=2015-02-02'),
      post({ 'x-amz-target': 'AWSStepFunctions.StartExecution' }, '{}'),
      post(
        { 'content-type': 'application/x-www-form-urlencoded' },
        'Action=DescribeEvents&Version=2015-02-02',
      ),
      post({ authorization: auth('monitoring') }, 'Action=PutMetricData'),
      post({ 'x-amz-target': 'Unknown.Op' }, '{}'),
    ]);

    // Assess
    expect(answers.slice(0, 3)).toEqual([
      [200, 'sns'],
      [200, 'states'],
      [200, 'elasticache'],
    ]);
    expect(answers[3]![0]).toBe(400);
    expect(answers[3]![1]).toContain('<Code>UnknownService</Code>');
    expect(answers[4]![0]).toBe(400);
    expect(JSON.parse(String(answers[4]![1]))).toMatchObject({ __type: 'UnknownService' });
    expect(plane.mounted()).toEqual(['elasticache', 'sns', 'states']);
  });

  it('holds requests made during start-up until every service is mounted, then answers them', async () => {
    // Prepare
    const plane = await ControlPlane.start();
    planes.push(plane);
    const early = fetch(plane.endpoint, { method: 'POST', headers: { authorization: auth('states') } });
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Act
    plane.mount('elasticache', named('elasticache'));
    plane.mount('states', named('states'));
    plane.open();
    const response = await early;

    // Assess
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('states');
  });

  it('turns a failing handler into a 500 and keeps serving', async () => {
    // Prepare
    const plane = await ControlPlane.start();
    planes.push(plane);
    plane.mount('sns', async () => {
      throw new Error('boom');
    });
    plane.open();
    const post = () => fetch(plane.endpoint, { method: 'POST', headers: { authorization: auth('sns') } });

    // Act
    const first = await post();
    const second = await post();

    // Assess
    expect(first.status).toBe(500);
    expect(await first.text()).toContain('<Code>InternalFailure</Code>');
    expect(second.status).toBe(500);
  });

  it('refuses a body over the limit without reading it all into memory', async () => {
    // Prepare
    const plane = await ControlPlane.start();
    planes.push(plane);
    plane.mount('sns', named('sns'));
    plane.open();

    // Act
    const response = await fetch(plane.endpoint, {
      method: 'POST',
      headers: { authorization: auth('sns') },
      body: 'x'.repeat(3 * 1024 * 1024),
    });

    // Assess
    expect(response.status).toBe(413);
    expect(await response.text()).toContain('RequestEntityTooLarge');
  });
});
