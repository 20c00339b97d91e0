import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULT_INPUT } from '../../local/drill.js';
import { cliCommand } from '../support/cli-command.js';
import { runCli } from '../support/run-cli.js';

/**
 * The demo's input with the schema's shortest settle and a fifth of the rate: the trend compares
 * the second drill's figures with the first's, whatever they are.
 */
const SHORT = {
  ...LOCAL_DEFAULT_INPUT,
  writer: { ...LOCAL_DEFAULT_INPUT.writer, rate: 100, settleSeconds: 1 },
};

// Two drills of one target with one report store: the second compares itself with the first.
describe('the trend over the report store', () => {
  let root: string | undefined;
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("the second drill's trend counts the first; history lists both", async () => {
    // Prepare
    root = await mkdtemp(join(tmpdir(), 'failover-drill-trend-'));
    // Beside the report store, not in it: the store holds reports alone.
    const reportDir = join(root, 'reports');
    const input = join(root, 'input.json');
    await writeFile(input, JSON.stringify(SHORT));
    const first = await runCli(['local', '--input', input], {}, { reportDir });
    expect(first.code, first.stderr).toBe(0);

    // Act
    const second = await runCli(['local', '--input', input], {}, { reportDir });
    const history = spawnSync(
      process.execPath,
      [...cliCommand(), 'history', '--replication-group', 'drill-demo', '--report-dir', reportDir],
      { encoding: 'utf8' },
    );

    // Assess
    expect(second.code, second.stderr).toBe(0);
    expect(second.json.trend).toMatchObject({
      previous: 1,
      downtimeMedianMs: first.json.downtime.ms,
      lostMedian: 0,
      // One previous drill is too little to call a regression.
      regression: null,
    });
    expect(second.json.trend?.history.map((h) => h.runId)).toEqual([first.json.runId]);
    // The HTML report shows it in a section of its own.
    const html = await readFile(second.json.files!.html, 'utf8');
    expect(html).toContain('<h2>Trend</h2>');
    expect(html).toContain(first.json.runId!);
    expect(history.status, history.stderr).toBe(0);
    const lines = history.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(first.json.runId);
    expect(lines[1]).toContain(second.json.runId);
    expect(lines[1]).toMatch(/drill-demo\/0001\s+PASS/);
  });
});
