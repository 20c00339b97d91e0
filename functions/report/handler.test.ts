import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeEventsCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../local/lambda/context.js';
import { planFixture } from '../../test/support/plan-fixture.js';
import { handler } from './handler.js';

const sns = mockClient(SNSClient);
// Unit files share a worker (isolate: false): the stubbed client's prototype must not outlive this file.
afterAll(() => sns.restore());
const elastiCache = mockClient(ElastiCacheClient);
// Unit files share a worker (isolate: false): the stubbed client's prototype must not outlive this file.
afterAll(() => elastiCache.restore());
let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'report-'));
  process.env.REPORTS_DIR = dir;
  process.env.TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:reports';
});
afterEach(async () => {
  sns.reset();
  elastiCache.reset();
  delete process.env.REPORTS_DIR;
  delete process.env.TOPIC_ARN;
  await rm(dir, { recursive: true, force: true });
});

describe('Report', () => {
  it('stores JSON and HTML, and publishes the verdict with the reports linked', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const state = {
      request: { replicationGroupId: 'grp' },
      execution: 'exec-1',
      error: { Error: 'GuardrailError', Cause: 'drill refused — stop-alarm: checkout-errors is in ALARM' },
    };

    // Act
    const report = (await handler(state, lambdaContext('ReportFunction', 60_000))) as {
      verdict: string;
      files: { json: string; html: string };
    };

    // Assess
    expect(report.verdict).toBe('error');
    expect(JSON.parse(await readFile(report.files.json, 'utf8'))).toMatchObject({
      verdict: 'error',
      runId: 'exec-1',
    });
    expect(await readFile(report.files.html, 'utf8')).toContain('GuardrailError');
    const published = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(published.Subject).toBe(
      '[failover-drill] ERROR grp: GuardrailError: drill refused - stop-alarm: checkout-errors is in ALARM',
    );
    expect(published.Subject!.length).toBeLessThanOrEqual(100);
    expect(published.MessageAttributes?.verdict?.StringValue).toBe('error');
    expect(published.Message).toContain(report.files.json);
  });

  it('fails under its own name when SNS refuses, so the state machine ends in ReportFailed', async () => {
    // Prepare
    sns.on(PublishCommand).rejects(Object.assign(new Error('no such topic'), { name: 'NotFoundException' }));

    // Act
    const error = await handler(
      { request: {}, execution: 'e' },
      lambdaContext('ReportFunction', 60_000),
    ).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'NotFoundException' });
  });

  it('says failoverTriggered when the writer failed after TestFailover (the fault branch output was lost)', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const acceptedAt = Date.parse('2026-12-01T10:00:00Z');
    elastiCache.on(DescribeEventsCommand).resolves({
      Events: [
        {
          SourceIdentifier: 'grp',
          Message: 'Test Failover API called for node group 0002',
          Date: new Date(acceptedAt + 3000),
        },
        {
          SourceIdentifier: 'grp',
          Message: 'Test Failover API called for node group 0001',
          Date: new Date(acceptedAt + 5000),
        },
      ],
    });
    const plan = planFixture({ nodeGroupId: '0001' }, { acceptedAt });
    const state = {
      request: { replicationGroupId: 'grp' },
      execution: 'run-1',
      plan,
      error: { Error: 'DataPlaneError', Cause: 'the writer lost its connection for good' },
    };

    // Act
    const report = (await handler(state, lambdaContext('ReportFunction', 60_000))) as {
      failoverTriggered: boolean;
      failover: { events: { kind: string; atEpochMs: number }[] };
    };

    // Assess
    expect(report.failoverTriggered).toBe(true);
    expect(report.failover.events).toEqual([
      expect.objectContaining({ kind: 'requested', atEpochMs: acceptedAt + 5000 }),
    ]);
    const asked = elastiCache.commandCalls(DescribeEventsCommand)[0]!.args[0].input;
    expect(asked).toMatchObject({ SourceType: 'replication-group', SourceIdentifier: 'grp' });
    expect(asked.StartTime!.getTime()).toBeLessThanOrEqual(acceptedAt);
  });

  it('says failoverTriggered false when the control plane shows no TestFailover for the node group', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    elastiCache.on(DescribeEventsCommand).resolves({ Events: [] });
    const state = {
      request: { replicationGroupId: 'grp' },
      execution: 'run-1',
      plan: planFixture(),
      error: { Error: 'DataPlaneError', Cause: 'the writer could not connect' },
    };

    // Act
    const report = (await handler(state, lambdaContext('ReportFunction', 60_000))) as {
      failoverTriggered: boolean;
    };

    // Assess
    expect(report.failoverTriggered).toBe(false);
  });
});
