import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { glideReplyCode } from './clients/glide.js';
import { classifyByName, classifyError, NOT_SENT, sampled, scrubMessage } from './outcomes.js';

const maxRetries = (): Error => {
  const error = new Error(
    'Reached the max retries per request limit (which is 0). Refer to "maxRetriesPerRequest".',
  );
  error.name = 'MaxRetriesPerRequestError';
  return error;
};

describe('classifyError', () => {
  it('classifies server refusals as fail, by their error code', () => {
    // Prepare
    const replies = ['READONLY You can not write against a read only replica.', 'MOVED 3999 127.0.0.1:7002'];
    replies.push(
      'CLUSTERDOWN The cluster is down',
      'LOADING Redis is loading',
      'NOAUTH Authentication required.',
    );
    // Act
    const outcomes = replies.map((text) => classifyError(new ReplyError(text)));
    // Assess
    expect(outcomes).toEqual([
      { outcome: 'fail', kind: 'READONLY' },
      { outcome: 'fail', kind: 'MOVED' },
      { outcome: 'fail', kind: 'CLUSTERDOWN' },
      { outcome: 'fail', kind: 'LOADING' },
      { outcome: 'fail', kind: 'NOAUTH' },
    ]);
  });

  it('classifies refusals before sending as fail and lost replies as info', () => {
    // Prepare
    const errors = [
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      new Error('Connection is closed.'),
      new Error(NOT_SENT),
      new Error('Command timed out'),
      maxRetries(),
      new Error('something nobody planned for'),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    ];
    // Act
    const outcomes = errors.map((error) => classifyError(error));
    // Assess
    expect(outcomes).toEqual([
      { outcome: 'fail', kind: NOT_SENT },
      { outcome: 'fail', kind: NOT_SENT },
      { outcome: 'fail', kind: NOT_SENT },
      { outcome: 'info', kind: 'TIMEOUT' },
      { outcome: 'info', kind: 'CONNECTION_LOST' },
      { outcome: 'info', kind: 'UNKNOWN' },
      { outcome: 'info', kind: 'ECONNRESET' },
    ]);
  });

  it('unwraps the cluster client text around the first error', () => {
    // Prepare
    const wrap = (inner: Error) => new Error(`Too many Cluster redirections. Last error: ${inner}`);
    // Act
    const moved = classifyError(wrap(new ReplyError('MOVED 12 127.0.0.1:7000')));
    const closed = classifyError(wrap(new Error('Connection is closed.')));
    const lost = classifyError(wrap(maxRetries()));
    const timeout = classifyError(wrap(new Error('Command timed out')));
    // Assess
    expect([moved, closed, lost, timeout]).toEqual([
      { outcome: 'fail', kind: 'MOVED' },
      { outcome: 'fail', kind: NOT_SENT },
      { outcome: 'info', kind: 'CONNECTION_LOST' },
      { outcome: 'info', kind: 'TIMEOUT' },
    ]);
  });
});

describe('classifyByName', () => {
  it('names an unknown error by its system code, else its class, never bare Error', () => {
    // Prepare
    class ReconnectStrategyError extends Error {}
    const errors = [
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }),
      new ReconnectStrategyError('gave up'),
      new Error('no class, no code'),
    ];
    // Act
    const outcomes = errors.map((error) => classifyByName(error));
    // Assess: a refused connection sent nothing; the rest may have been applied
    expect(outcomes).toEqual([
      { outcome: 'info', kind: 'ECONNRESET' },
      { outcome: 'fail', kind: 'ECONNREFUSED' },
      { outcome: 'info', kind: 'ReconnectStrategyError' },
      { outcome: 'info', kind: 'UNKNOWN' },
    ]);
  });
});

describe('sample messages', () => {
  it('keeps one message, the password and what may carry a secret masked, bounded', () => {
    // Prepare
    const error = new Error('WRONGPASS for s3cr3t-pw at rediss://app:s3cr3t-pw@host:6379 (AUTH app hunter2)');
    // Act
    const outcome = sampled({ outcome: 'fail', kind: 'WRONGPASS' }, error, ['s3cr3t-pw']);
    const long = scrubMessage(`password=abc ${'x'.repeat(500)}`);
    // Assess
    expect(outcome).toEqual({
      outcome: 'fail',
      kind: 'WRONGPASS',
      message: 'WRONGPASS for *** at rediss://***@host:6379 (AUTH ***)',
    });
    expect(long.startsWith('password=*** x')).toBe(true);
    expect(long.length).toBeLessThanOrEqual(200);
  });
});

describe('glideReplyCode', () => {
  it("reads the server's error code from GLIDE's wording, null for a client condition", () => {
    // Prepare
    const texts = [
      "An error was signalled by the server: - ReadOnly: You can't write against a read only replica.",
      'An error was signalled by the server: - TryAgain: Multiple keys request during rehashing of slot',
      'An error was signalled by the server: - BusyLoadingError: Redis is loading the dataset in memory',
      'MOVED 3999 127.0.0.1:6381',
      'Received connection error `Connection reset by peer (os error 104)`. Will attempt to reconnect',
    ];
    // Act
    const codes = texts.map(glideReplyCode);
    // Assess
    expect(codes).toEqual(['READONLY', 'TRYAGAIN', 'LOADING', 'MOVED', null]);
  });
});
