import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../local/lambda/context.js';
import { handler } from './handler.js';

const sns = mockClient(SNSClient);
let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'report-'));
  process.env.REPORTS_DIR = dir;
  process.env.TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:reports';
});
afterEach(async () => {
  sns.reset();
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
});
