import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samBuild } from '../../scripts/sam-build.js';
import { runCli } from '../support/run-cli.js';

// The artifacts that deploy are the ones the drill exercises: every function built as `sam build`
// builds it, and a whole local drill run through those bundles instead of the TypeScript sources.
let buildDir = '';

beforeAll(async () => {
  buildDir = await mkdtemp(join(tmpdir(), 'sam-build-'));
  await samBuild(buildDir);
});
afterAll(async () => {
  if (buildDir) await rm(buildDir, { recursive: true, force: true });
});

describe('failover-drill local --bundles', () => {
  it('passes a whole drill through the built Lambda artifacts', async () => {
    // Act
    const run = await runCli(['local', '--bundles', buildDir], {}, { reportDir: join(buildDir, 'reports') });

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`handlers: the built artifacts in ${buildDir}`);
    expect(run.json).toMatchObject({
      verdict: 'pass',
      failoverTriggered: true,
      writes: { lost: 0, failedButPresent: 0 },
      cleanup: { lockReleased: true, errors: [] },
    });
    // How many writes a loaded machine acknowledges varies; that they are all accounted for does not.
    expect(run.json.writes.acknowledged).toBeGreaterThan(0);
    expect(run.json.failover.from).not.toBe(run.json.failover.to);
    expect(run.json.cleanup.deleted).toBe(run.json.writes.acknowledged + run.json.writes.recovered);
    expect(run.stderr).toMatch(/SNS: \[failover-drill\] PASS drill-demo\/0001/);
    // The Report bundle drew its charts (vega's modular packages alone, vega-lite's `vega` aliased).
    const html = await readFile(run.json.files!.html!, 'utf8');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html.match(/<path [^>]*fill="#2da44e"/g)?.length).toBeGreaterThan(20);
  });

  it('refuses a directory without the artifacts, as Lambda names it, before starting anything', async () => {
    // Prepare
    const empty = await mkdtemp(join(tmpdir(), 'no-build-'));

    try {
      // Act: the drill's path and the fleet's (--groups), at once (each a refusal before anything starts)
      const [run, fleet] = await Promise.all([
        runCli(['local', '--bundles', empty]),
        runCli(['local', '--groups', '2', '--bundles', empty]),
      ]);

      // Assess
      expect(run.code).toBe(2);
      expect(run.json).toMatchObject({
        verdict: 'error',
        failoverTriggered: false,
        error: { name: 'Runtime.ImportModuleError' },
      });
      expect(run.stderr).not.toMatch(/local cloud up/);
      // The fleet's path carries the flag too, and refuses alike.
      expect(fleet.code).toBe(2);
      expect(fleet.json).toMatchObject({ verdict: 'error', error: { name: 'Runtime.ImportModuleError' } });
      expect(fleet.stderr).not.toMatch(/local cloud up/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
