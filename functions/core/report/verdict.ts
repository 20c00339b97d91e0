/**
 * The verdict checker: whether the figures can be judged at all (the report's error), then pass, fail or
 * error. Pure: an error, what the run left and its violations in; the error and the verdict out.
 */
import { ClassificationError, errorInfo } from '../../shared/errors.js';
import type { ReadBackCounts } from '../measure/counts.js';
import type { Violation } from './violations.js';

export type Verdict = 'pass' | 'fail' | 'error';

export interface ReportError {
  name: string;
  message: string;
}

/**
 * Why the figures cannot be judged, first reason first: the drill's own error (`thrown`, undefined for
 * none); a run written but not read back; a write classified as failed that is present.
 */
export function reportErrorOf(
  thrown: unknown,
  written: boolean,
  verification: Pick<ReadBackCounts, 'failedButPresent'> | undefined,
): ReportError | undefined {
  if (thrown !== undefined) return errorInfo(thrown);
  if (written && !verification) return { name: 'DataPlaneError', message: 'the run was not verified' };
  const failedButPresent = verification?.failedButPresent ?? 0;
  if (failedButPresent > 0)
    return errorInfo(
      new ClassificationError(
        `${failedButPresent} writes classified as failed are present: the failure classification is wrong`,
      ),
    );
  return undefined;
}

/** An error wins; then any violation fails the run. */
export function verdictOf(error: ReportError | undefined, violations: readonly Violation[]): Verdict {
  return error ? 'error' : violations.length > 0 ? 'fail' : 'pass';
}
