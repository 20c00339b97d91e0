import { describe, expect, it } from 'vitest';
import { serviceModel } from './aws-models.js';
import { checkResponse } from './shape-check.js';

const sfn = serviceModel('stepfunctions', '2016-11-23');
const ec = serviceModel('elasticache', '2015-02-02');
const JSON_HEADERS = { 'content-type': 'application/x-amz-json-1.0' };
const now = Date.now() / 1000;

const xmlResponse = (operation: string, result: string) =>
  `<${operation}Response xmlns="http://elasticache.amazonaws.com/doc/2015-02-02/"><${operation}Result>${result}</${operation}Result><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></${operation}Response>`;

describe('checkResponse', () => {
  it('finds what the local Step Functions once answered: epoch-zero dates, members and enums not in the model', () => {
    // Prepare
    const described = {
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m',
      name: 'm',
      status: 'ACTIVE',
      roleArn: 'arn:aws:iam::000000000000:role/r',
      type: 'STANDARD',
      creationDate: 0,
      colour: 'blue',
    };
    const history = {
      events: [{ id: 1, previousEventId: 0, timestamp: now, type: 'StateRetried' }],
    };

    // Act
    const problems = [
      ...checkResponse(sfn, 'DescribeStateMachine', {
        status: 200,
        headers: JSON_HEADERS,
        body: JSON.stringify(described),
      }),
      ...checkResponse(sfn, 'GetExecutionHistory', {
        status: 200,
        headers: JSON_HEADERS,
        body: JSON.stringify(history),
      }),
    ];

    // Assess
    expect(problems).toEqual([
      'DescribeStateMachine: required member definition is missing',
      'DescribeStateMachine.creationDate: expected a real time, got 0',
      'DescribeStateMachine.colour: not a member of DescribeStateMachineOutput',
      expect.stringMatching(/^GetExecutionHistory\.events\[0\]\.type: "StateRetried" is not one of /),
    ]);
  });

  it('reads Query XML by the model: list items by their locationName, integers, the result wrapper', () => {
    // Prepare
    const wrongItem = xmlResponse('DescribeEvents', '<Events><member><Message>m</Message></member></Events>');
    const badDate = xmlResponse(
      'DescribeEvents',
      '<Events><Event><Message>m</Message><Date>yesterday</Date><SourceType>replication-group</SourceType></Event></Events>',
    );
    const good = xmlResponse(
      'DescribeEvents',
      `<Events><Event><Message>m</Message><Date>${new Date().toISOString()}</Date><SourceType>replication-group</SourceType></Event></Events>`,
    );

    // Act
    const problems = [wrongItem, badDate, good].map((body) =>
      checkResponse(ec, 'DescribeEvents', { status: 200, headers: {}, body }),
    );

    // Assess
    expect(problems).toEqual([
      ['DescribeEventsResponse/DescribeEventsResult/Events/member: a list item must be <Event>'],
      [
        'DescribeEventsResponse/DescribeEventsResult/Events/Event[0]/Date: expected a real time, got "yesterday"',
      ],
      [],
    ]);
  });

  it('holds an error to the operation’s listed errors and their HTTP status', () => {
    // Prepare
    const error = (code: string) =>
      `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>m</Message></Error><RequestId>r</RequestId></ErrorResponse>`;

    // Act
    const problems = [
      checkResponse(ec, 'TestFailover', {
        status: 404,
        headers: {},
        body: error('ReplicationGroupNotFoundFault'),
      }),
      checkResponse(ec, 'TestFailover', {
        status: 400,
        headers: {},
        body: error('ReplicationGroupNotFoundFault'),
      }),
      checkResponse(ec, 'TestFailover', { status: 400, headers: {}, body: error('NoSuchThing') }),
      checkResponse(sfn, 'StopExecution', {
        status: 400,
        headers: JSON_HEADERS,
        body: JSON.stringify({ __type: 'com.amazonaws.states#InvalidToken', message: 'm' }),
      }),
    ];

    // Assess
    expect(problems).toEqual([
      [],
      ['TestFailover: error ReplicationGroupNotFoundFault with HTTP 400, the model says 404'],
      ['TestFailover: error NoSuchThing is not among its errors'],
      ['StopExecution: error InvalidToken is not among its errors'],
    ]);
  });
});
