import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../local/template.js';

// cfn-lint is Python (no PyPI here): skipped on a machine without it, never in CI (.ci/run sets CI and
// refuses to start without cfn-lint; here a missing cfn-lint fails the test).
const present = spawnSync('cfn-lint', ['--version']).status === 0;
const required = Boolean(process.env.CI);

interface Finding {
  Rule: { Id: string };
  Message: string;
  Location: { Start: { LineNumber: number } };
}

describe('template.yaml held against cfn-lint', () => {
  it.skipIf(!present && !required)(
    'has no finding, informational rules included (.cfnlintrc.yaml)',
    async () => {
      expect(present, 'cfn-lint is not on PATH (pip install cfn-lint)').toBe(true);

      // Act: cfn-lint with no arguments reads .cfnlintrc.yaml (template.yaml, include_checks I).
      const { stdout } = await promisify(execFile)('cfn-lint', ['--format', 'json'], {
        cwd: PROJECT_ROOT,
      }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));

      // Assess
      const findings = JSON.parse(stdout) as Finding[];
      expect(findings.map((f) => `${f.Rule.Id} line ${f.Location.Start.LineNumber}: ${f.Message}`)).toEqual(
        [],
      );
    },
  );
});
