/**
 * SNS as a recorder (Query protocol, API 2010-03-31): CreateTopic, and Publish that keeps each message
 * in memory and appends it to a JSONL file, so that a local drill shows what subscribers would receive.
 */
import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import type { Account } from '../account.js';
import type { ServiceHandler } from '../control-plane.js';
import { AwsFault, type QueryParams, queryService, type XmlObject } from '../protocols/query.js';

export const SNS_XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
export const SNS_VERSION = '2010-03-31';

/** SNS's own codes (the SDK: InvalidParameterException, NotFoundException). */
const snsFaults = {
  invalidParameter: (message: string) =>
    new AwsFault('InvalidParameter', 400, `Invalid parameter: ${message}`),
  notFound: (message: string) => new AwsFault('NotFound', 404, message),
};

export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
  messageStructure?: string;
  messageAttributes: Record<string, MessageAttribute>;
  messageGroupId?: string;
  timestamp: string;
}

export interface SnsServiceOptions extends Account {
  /** Each published message is appended here as one JSON line. */
  logFile?: string;
  clock?: () => Date;
}

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const MESSAGE_LIMIT_BYTES = 256 * 1024;
const ATTRIBUTE_LIMIT = 10;

export class SnsService {
  readonly handler: ServiceHandler;
  /** The operations served, by their API names. */
  readonly operations: string[];
  private readonly topics = new Set<string>();
  private readonly messages: PublishedMessage[] = [];

  constructor(private readonly options: SnsServiceOptions) {
    const actions = {
      CreateTopic: (p: QueryParams) => ({ TopicArn: this.createTopic(p.required('Name')) }),
      Publish: (p: QueryParams) => this.publish(p),
    };
    this.operations = Object.keys(actions);
    this.handler = queryService(SNS_XMLNS, actions);
  }

  /** Creates the topic (idempotent) and returns its ARN. */
  createTopic(name: string): string {
    if (!TOPIC_NAME.test(name)) throw snsFaults.invalidParameter(`Topic Name ${name}`);
    const arn = `arn:aws:sns:${this.options.region}:${this.options.accountId}:${name}`;
    this.topics.add(arn);
    return arn;
  }

  /** Every message published so far, oldest first. */
  published(): PublishedMessage[] {
    return [...this.messages];
  }

  private async publish(p: QueryParams): Promise<XmlObject> {
    const topicArn = p.string('TopicArn') ?? p.string('TargetArn');
    if (!topicArn) throw snsFaults.invalidParameter('TopicArn or TargetArn is required');
    if (!/^arn:aws:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/.test(topicArn)) {
      throw snsFaults.invalidParameter(`TopicArn ${topicArn}`);
    }
    if (!this.topics.has(topicArn)) throw snsFaults.notFound('Topic does not exist');
    const message = p.required('Message');
    if (Buffer.byteLength(message) > MESSAGE_LIMIT_BYTES) {
      throw snsFaults.invalidParameter('Message too long');
    }
    const messageAttributes: Record<string, MessageAttribute> = {};
    // A map is serialized as `MessageAttributes.entry.N.Name` / `.Value.*`, N counting from 1.
    for (let n = 1; p.string(`MessageAttributes.entry.${n}.Name`) !== undefined; n++) {
      if (n > ATTRIBUTE_LIMIT)
        throw snsFaults.invalidParameter(`more than ${ATTRIBUTE_LIMIT} MessageAttributes`);
      const prefix = `MessageAttributes.entry.${n}`;
      const dataType = p.string(`${prefix}.Value.DataType`);
      if (!dataType) throw snsFaults.invalidParameter(`MessageAttributes entry ${n} has no DataType`);
      messageAttributes[p.string(`${prefix}.Name`)!] = {
        DataType: dataType,
        StringValue: p.string(`${prefix}.Value.StringValue`),
        BinaryValue: p.string(`${prefix}.Value.BinaryValue`),
      };
    }
    const record: PublishedMessage = {
      messageId: randomUUID(),
      topicArn,
      subject: p.string('Subject'),
      message,
      messageStructure: p.string('MessageStructure'),
      messageAttributes,
      messageGroupId: p.string('MessageGroupId'),
      timestamp: (this.options.clock?.() ?? new Date()).toISOString(),
    };
    this.messages.push(record);
    if (this.options.logFile) await appendFile(this.options.logFile, `${JSON.stringify(record)}\n`);
    return { MessageId: record.messageId };
  }
}
