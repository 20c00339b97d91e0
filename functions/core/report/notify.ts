import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { DrillReport } from './drill-report.js';

/** What a message is made of: a drill's report or a fleet's summary. */
type Notice = Pick<DrillReport, 'headline' | 'verdict' | 'files'> & { runId: string | null };

/** SNS subjects: at most 100 printable ASCII characters, no line breaks. */
function subject(report: Notice): string {
  const text = `[failover-drill] ${report.headline}`
    .replaceAll('—', '-')
    .replaceAll('→', '->')
    .replace(/[^\x20-\x7e]/g, '?');
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

/** Publishes the drill's outcome: the verdict in the subject, a readable body, the stored reports linked. */
export async function publishReport(sns: SNSClient, topicArn: string, report: Notice, body: string) {
  const links = report.files
    ? `\nJSON report: ${report.files.json}\nHTML report: ${report.files.html}\n`
    : '';
  await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: subject(report),
      Message: `${report.headline}\n\n${body}${links}`,
      MessageAttributes: {
        verdict: { DataType: 'String', StringValue: report.verdict },
        runId: { DataType: 'String', StringValue: report.runId ?? 'unknown' },
        ...(report.files ? { reportJson: { DataType: 'String', StringValue: report.files.json } } : {}),
      },
    }),
  );
}
