/** Redirection kinds from messages and error kinds, counted with their first and last times. */
import { describe, expect, it } from 'vitest';
import {
  RedirectionCounter,
  redirectionOfMessage,
  redirectionsOfErrors,
  shiftRedirections,
} from './redirections.js';

describe('redirections', () => {
  it('names the kind of what a library met, and nothing else', () => {
    // Prepare
    const messages = [
      'MOVED 3999 127.0.0.1:7001',
      'ASK 3999 127.0.0.1:7002',
      'TRYAGAIN Multiple keys request during rehashing of slot',
      'CLUSTERDOWN The cluster is down',
      "READONLY You can't write against a read only replica.",
      'Connection is closed.',
      'ERR unknown command',
      'NOSCRIPT No matching script',
    ];

    // Act
    const kinds = messages.map(redirectionOfMessage);

    // Assess
    expect(kinds).toEqual([
      'MOVED',
      'ASK',
      'TRYAGAIN',
      'CLUSTERDOWN',
      'READONLY',
      'CONNECTION_CLOSED',
      null,
      null,
    ]);
  });

  it('counts each kind with its first and last time, and folds closed connections into one', () => {
    // Prepare
    const counter = new RedirectionCounter();
    const errors = {
      MOVED: { count: 2, firstMs: 10, lastMs: 30 },
      CONNECTION_LOST: { count: 1, firstMs: 50, lastMs: 50 },
      ECONNRESET: { count: 3, firstMs: 40, lastMs: 45 },
      TIMEOUT: { count: 9, firstMs: 1, lastMs: 99 },
    };

    // Act
    counter.note('ASK', 5);
    counter.note('ASK', 7.126);
    const counted = counter.result();
    const surfaced = shiftRedirections(redirectionsOfErrors(errors), -100);

    // Assess
    expect(counted).toEqual({ ASK: { count: 2, firstMs: 5, lastMs: 7.13 } });
    expect(surfaced).toEqual({
      MOVED: { count: 2, firstMs: -90, lastMs: -70 },
      CONNECTION_CLOSED: { count: 4, firstMs: -60, lastMs: -50 },
    });
  });
});
