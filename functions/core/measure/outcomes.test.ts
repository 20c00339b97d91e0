import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { classifyError, NOT_SENT } from './outcomes.js';

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
