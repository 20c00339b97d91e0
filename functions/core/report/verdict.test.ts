/** The verdict checker alone: which error a report carries, first reason first, and pass / fail / error. */
import { describe, expect, it } from 'vitest';
import { DataPlaneError } from '../../shared/errors.js';
import { reportErrorOf, verdictOf } from './verdict.js';
import type { Violation } from './violations.js';

const violation: Violation = {
  threshold: 'maxLostWrites',
  limit: 0,
  actual: 3,
  message: 'lost writes 3 > 0',
};

describe('reportErrorOf', () => {
  it("puts the drill's own error first, whatever the run left", () => {
    // Act
    const named = reportErrorOf(new DataPlaneError('not ready'), true, { failedButPresent: 2 });
    const plain = reportErrorOf('a string', true, undefined);

    // Assess
    expect(named).toEqual({ name: 'DataPlaneError', message: 'not ready' });
    expect(plain).toEqual({ name: 'Error', message: 'a string' });
  });

  it('says a run that wrote but was not read back was not verified', () => {
    // Act
    const error = reportErrorOf(undefined, true, undefined);

    // Assess
    expect(error).toEqual({ name: 'DataPlaneError', message: 'the run was not verified' });
  });

  it('refuses figures where a write classified as failed is present', () => {
    // Act
    const error = reportErrorOf(undefined, true, { failedButPresent: 2 });

    // Assess
    expect(error).toEqual({
      name: 'ClassificationError',
      message: '2 writes classified as failed are present: the failure classification is wrong',
    });
  });

  it('has no error for a verified run, nor for one that never wrote', () => {
    // Act
    const verified = reportErrorOf(undefined, true, { failedButPresent: 0 });
    const nothing = reportErrorOf(undefined, false, undefined);

    // Assess
    expect(verified).toBeUndefined();
    expect(nothing).toBeUndefined();
  });
});

describe('verdictOf', () => {
  it('lets an error win, then fails on any violation, else passes', () => {
    // Prepare
    const error = { name: 'DataPlaneError', message: 'x' };

    // Act
    const verdicts = [
      verdictOf(error, [violation]),
      verdictOf(undefined, [violation]),
      verdictOf(undefined, []),
    ];

    // Assess
    expect(verdicts).toEqual(['error', 'fail', 'pass']);
  });
});
