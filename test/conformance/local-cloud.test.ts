/**
 * Every answer of the local cloud held against AWS's service models (botocore's data, pinned): each service
 * of SERVICES drives every operation it serves through the real SDK client, the control plane records each
 * exchange, and each answer is checked against its operation's output shape or listed errors.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../local/cloud.js';
import type { ServiceResponse } from '../../local/control-plane.js';
import { handlerEnvironment } from '../../local/drill.js';
import { serviceModel } from '../support/aws-models.js';
import { SERVICES } from '../support/conformance-services.js';
import { exchangeProblems } from '../support/shape-check.js';

interface Exchange {
  operation: string;
  response: ServiceResponse;
}

const exchanges = new Map<string, Exchange[]>();
let cloud: LocalCloud;
let reportDir: string;
const saved = { ...process.env };

/** The operation a request names: Query's Action, or the JSON protocol's X-Amz-Target. */
function operationOf(headers: Record<string, unknown>, body: Buffer): string {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? '';
  return new URLSearchParams(body.toString('utf8')).get('Action') ?? '';
}

beforeAll(async () => {
  reportDir = await mkdtemp(join(tmpdir(), 'conformance-'));
  cloud = await startLocalCloud({ replicas: 1, detectionDelayMs: 50 });
  Object.assign(process.env, handlerEnvironment(cloud, reportDir, false));
  cloud.controlPlane.observe((service, request, response) => {
    const list = exchanges.get(service ?? '?') ?? [];
    const operation =
      service === 'fis' ? cloud.fis.operationOf(request) : operationOf(request.headers, request.body);
    list.push({ operation, response });
    exchanges.set(service ?? '?', list);
  });
  const onTheGroup = (async () => {
    for (const service of SERVICES) await service.drive?.(cloud);
  })();
  await Promise.all([onTheGroup, ...SERVICES.map((service) => service.aside?.(cloud))]);
  for (const service of SERVICES) await service.alone?.(cloud);
}, 240_000);

afterAll(async () => {
  await cloud?.stop();
  process.env = saved;
  await rm(reportDir, { recursive: true, force: true });
});

describe.each(SERVICES)('$signingName against botocore $model', (service) => {
  it('answers every operation it serves, each answer and fault as the model says', () => {
    // Prepare
    const model = serviceModel(...service.model);
    const seen = exchanges.get(service.signingName) ?? [];

    // Act
    const problems = exchangeProblems(model, seen);

    // Assess
    expect(problems).toEqual([]);
    const answered = new Set(seen.filter((e) => e.response.status === 200).map((e) => e.operation));
    expect([...service.operations(cloud)].sort()).toEqual([...answered].sort());
    expect(seen.some((e) => e.response.status >= 400)).toBe(true);
  });
});

describe('the local Step Functions history', () => {
  it('writes, across the drives, the event types AWS writes for this ASL — all of them in the model’s enum', async () => {
    // Prepare
    const { shapes } = serviceModel('stepfunctions', '2016-11-23');
    const types = new Set(
      (exchanges.get('states') ?? [])
        .filter((e) => e.operation === 'GetExecutionHistory' && e.response.status === 200)
        .flatMap((e) =>
          (JSON.parse(e.response.body) as { events: { type: string }[] }).events.map((ev) => ev.type),
        ),
    );

    // Act
    const outside = [...types].filter((t) => !shapes.HistoryEventType!.enum!.includes(t));

    // Assess
    expect(outside).toEqual([]);
    for (const type of [
      'LambdaFunctionScheduled',
      'LambdaFunctionFailed',
      'TaskScheduled',
      'TaskSubmitted',
      'TaskSucceeded',
      'MapStateStarted',
      'MapIterationStarted',
      'MapIterationSucceeded',
      'MapStateSucceeded',
      'FailStateEntered',
      'ExecutionAborted',
    ])
      expect(types, type).toContain(type);
  });
});
