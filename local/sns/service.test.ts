import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTopicCommand, PublishCommand } from '@aws-sdk/client-sns';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snsClient } from '../../test/support/local-cloud.js';
import { ControlPlane } from '../control-plane.js';
import { SNS_VERSION, SnsService } from './service.js';

const account = { region: 'us-east-1', accountId: '000000000000' };
let dir: string;
let plane: ControlPlane;
let sns: SnsService;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'failover-drill-sns-'));
  sns = new SnsService({ ...account, logFile: join(dir, 'sns.jsonl'), clock: () => new Date(0) });
  plane = await ControlPlane.start();
  plane.mount('sns', sns.handler, { queryVersion: SNS_VERSION });
  plane.open();
});

afterEach(async () => {
  await plane.close();
  await rm(dir, { recursive: true, force: true });
});

const client = () =>
  snsClient({
    endpoint: plane.endpoint,
    region: account.region,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });

describe('SNS recorder', () => {
  it('records what is published, in memory and as JSON lines', async () => {
    // Prepare
    const { TopicArn } = await client().send(new CreateTopicCommand({ Name: 'reports' }));

    // Act
    const out = await client().send(
      new PublishCommand({
        TopicArn,
        Subject: 'drill pass',
        Message: '{"verdict":"pass"}',
        MessageAttributes: { verdict: { DataType: 'String', StringValue: 'pass' } },
      }),
    );

    // Assess
    expect(TopicArn).toBe('arn:aws:sns:us-east-1:000000000000:reports');
    const expected = {
      messageId: out.MessageId,
      topicArn: TopicArn,
      subject: 'drill pass',
      message: '{"verdict":"pass"}',
      messageAttributes: { verdict: { DataType: 'String', StringValue: 'pass' } },
      timestamp: '1970-01-01T00:00:00.000Z',
    };
    expect(sns.published()).toEqual([expect.objectContaining(expected)]);
    const lines = (await readFile(join(dir, 'sns.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([expect.objectContaining(expected)]);
  });

  it('refuses an unknown topic and a malformed ARN with the SNS faults', async () => {
    // Prepare
    const publish = (TopicArn: string) =>
      client()
        .send(new PublishCommand({ TopicArn, Message: 'x' }))
        .catch((e: { name: string; $metadata: { httpStatusCode?: number } }) => [
          e.name,
          e.$metadata.httpStatusCode,
        ]);

    // Act
    const unknown = await publish('arn:aws:sns:us-east-1:000000000000:nobody');
    const malformed = await publish('reports');

    // Assess
    expect(unknown).toEqual(['NotFoundException', 404]);
    expect(malformed).toEqual(['InvalidParameterException', 400]);
    expect(sns.published()).toEqual([]);
  });
});
