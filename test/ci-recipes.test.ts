/**
 * The README's CI recipes, as a user copies them: each YAML block parses, has what its CI requires, the
 * GitHub workflow passes the published workflow schema (@action-validator/core), and the gate command in
 * it is accepted by the gate's own flag definitions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import actionValidator from '@action-validator/core';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { gateCommand } from '../cli/commands.js';
import { PROJECT_ROOT } from '../local/template.js';

const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  version: string;
};

/** The ```yaml blocks whose first line names the file they are, by that name. */
const recipes = new Map(
  [...readme.matchAll(/```yaml\n# (\S+)\n([\s\S]*?)```/g)].map(([, file, body]) => [file!, body!]),
);

function recipe(file: string): { text: string; doc: Record<string, unknown> } {
  const text = recipes.get(file);
  if (!text) throw new Error(`README has no yaml block for ${file}`);
  return { text, doc: parse(text) as Record<string, unknown> };
}

/** Words of a shell command: double quotes kept together (and dropped), as the shell would pass them. */
const words = (command: string) =>
  [...command.matchAll(/"([^"]*)"|(\S+)/g)].map(([, quoted, bare]) => quoted ?? bare!);

/** The gate's own flag parser over the command's arguments: throws on an unknown or malformed flag. */
function gateAccepts(command: string): Record<string, unknown> {
  const args = words(command);
  expect(args.slice(0, 4)).toEqual(['npx', '--yes', `failover-drill@${version}`, 'gate']);
  let parsed: Record<string, unknown> = {};
  const gate: Command = gateCommand()
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .action((flags: Record<string, unknown>) => {
      parsed = flags;
    });
  gate.parse(args.slice(4), { from: 'user' });
  return parsed;
}

describe('the README CI recipes', () => {
  it('has all three', () => {
    expect([...recipes.keys()]).toEqual([
      '.github/workflows/failover-drill.yml',
      '.gitlab-ci.yml',
      'buildspec.yml',
    ]);
  });

  it('GitHub Actions: a valid workflow whose step runs the gate', () => {
    // Prepare
    const { text, doc } = recipe('.github/workflows/failover-drill.yml');

    // Act
    const validation = actionValidator.validateWorkflow(text);

    // Assess
    expect(validation.errors).toEqual([]);
    const jobs = doc.jobs as Record<string, { 'runs-on': string; steps: { run?: string }[] }>;
    const run = Object.values(jobs).flatMap((job) => job.steps.map((step) => step.run).filter(Boolean))[0]!;
    expect(gateAccepts(run)).toMatchObject({
      replicationGroup: 'orders-cache',
      junit: 'drill.xml',
      maxLostWrites: 0,
    });
  });

  it('GitLab CI: a job with an image, the gate in its script, the JUnit report kept', () => {
    // Prepare
    const { doc } = recipe('.gitlab-ci.yml');

    // Assess
    const job = doc['failover-gate'] as {
      image: string;
      script: string[];
      artifacts: Record<string, unknown>;
    };
    expect(job.image).toBe('node:22');
    expect(job.artifacts).toMatchObject({ when: 'always', reports: { junit: 'drill.xml' } });
    expect(gateAccepts(job.script[0]!)).toMatchObject({ junit: 'drill.xml', json: 'drill.json' });
  });

  it('AWS CodeBuild: buildspec 0.2 with Node 22, the gate as the build, the JUnit report group', () => {
    // Prepare
    const { doc } = recipe('buildspec.yml');

    // Assess
    expect(doc.version).toBe(0.2);
    const phases = doc.phases as { install: unknown; build: { commands: string[] } };
    expect(phases.install).toEqual({ 'runtime-versions': { nodejs: 22 } });
    expect(doc.reports).toEqual({ 'failover-drill': { files: ['drill.xml'], 'file-format': 'JUNITXML' } });
    expect(gateAccepts(phases.build.commands[0]!)).toMatchObject({ junit: 'drill.xml' });
  });

  it('refuses a flag the gate does not have (the check is real)', () => {
    expect(() =>
      gateAccepts(
        `npx --yes failover-drill@${version} gate --state-machine-arn x --replication-group y --max-lost 0`,
      ),
    ).toThrow(/unknown option '--max-lost'/);
  });
});
