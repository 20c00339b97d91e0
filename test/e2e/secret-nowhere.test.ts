/**
 * The data plane's secret reaches nothing a drill leaves behind. A TLS + AUTH local drill (real redis-server
 * with requirepass and an ACL user, over TLS) runs with the handlers' Powertools logging on, the handlers
 * reading the password from the local Secrets Manager; everything it writes is captured — every handler log
 * line (this process's stdout and stderr), the JSON and HTML reports, the SNS messages (in memory and the
 * --sns-log file), each execution's description and history with its data, and a failed drill's error — and
 * no password is found in any of it. Between the drills the password is rotated (the server's ACL and the
 * secret): the warm container's first connection is refused with WRONGPASS, the secret is read exactly once
 * more, and the drill passes. The CLI's own stdout/stderr are held to the same in test/e2e/local-drill.test.ts.
 */

import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../local/cloud.js';
import { handlerEnvironment, LOCAL_DEFAULT_INPUT } from '../../local/drill.js';
import { redisClient } from '../support/local-cloud.js';

/**
 * The demo's input with the schema's shortest settle and a fifth of the rate: what is asserted is
 * where the password goes and how often the secret is read, not how much or how long the writer wrote.
 */
const INPUT = {
  ...LOCAL_DEFAULT_INPUT,
  writer: { ...LOCAL_DEFAULT_INPUT.writer, rate: 100, settleSeconds: 1 },
};

let cloud: LocalCloud;
let dir: string;
let sfn: SFNClient;
const saved = { ...process.env };
const captured: string[] = [];
const writes = { stdout: process.stdout.write, stderr: process.stderr.write };

/**
 * Every write to this process's stdout and stderr (where Powertools writes the handlers' lines) is kept,
 * and not shown: the test output carries no handler line.
 */
function capture(): void {
  for (const name of ['stdout', 'stderr'] as const) {
    process[name].write = ((chunk: unknown, ...rest: unknown[]) => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof process.stdout.write;
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secret-nowhere-'));
  cloud = await startLocalCloud({
    tls: true,
    auth: true,
    replicas: 1,
    detectionDelayMs: 100,
    snsLogFile: join(dir, 'sns.jsonl'),
  });
  Object.assign(process.env, handlerEnvironment(cloud, join(dir, 'reports'), true));
  sfn = new SFNClient({ endpoint: cloud.endpoint, region: cloud.region, credentials: cloud.credentials });
  capture();
  // The functions' INIT with that environment, as `emulator` and `local` do: not in the first drill's baseline
  // (and after capture(), so that anything their import prints is searched for the password too).
  await cloud.lambda.init();
}, 60_000);

afterAll(async () => {
  process.stdout.write = writes.stdout;
  process.stderr.write = writes.stderr;
  sfn?.destroy();
  await cloud?.stop();
  process.env = saved;
  await rm(dir, { recursive: true, force: true });
});

/** Runs one drill execution to its end; returns its description and its whole history with data. */
async function drill(
  name: string,
  input: Record<string, unknown> = INPUT,
): Promise<{ status?: string; text: string; output?: Record<string, unknown> }> {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: cloud.stateMachineArn,
      name,
      input: JSON.stringify({ ...input, runId: name }),
    }),
  );
  await cloud.stepFunctions.drain();
  const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        includeExecutionData: true,
        maxResults: 1000,
        nextToken,
      }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return {
    status: described.status,
    text: JSON.stringify({ described, events }),
    output: described.output ? (JSON.parse(described.output) as Record<string, unknown>) : undefined,
  };
}

/** Every file under `root`, as text (the reports: JSON and HTML). */
async function filesUnder(root: string): Promise<{ path: string; text: string }[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return Promise.all(
    entries
      .filter((e) => e.isFile())
      .map(async (e) => {
        const path = join(e.parentPath, e.name);
        return { path, text: await readFile(path, 'utf8') };
      }),
  );
}

/** The ACL user's password changed on every node, the old one no longer accepted (a rotation). */
async function rotateServerPassword(from: string, to: string): Promise<void> {
  const { auth, tls } = cloud.group;
  for (const node of cloud.group.nodeGroups.flatMap((g) => g.nodes)) {
    const admin = redisClient(node, { password: auth!.token, tls });
    try {
      await admin.connect();
      await admin.call('ACL', 'SETUSER', auth!.username, `>${to}`, `<${from}`);
    } finally {
      admin.disconnect();
    }
  }
}

describe('a TLS + AUTH drill', () => {
  it('leaves the password in no log line, report, SNS message, execution history or error; a rotation costs one re-read', async () => {
    // Prepare
    const { auth } = cloud.group;
    const secretArn = auth!.secretArn;
    const passwords = [auth!.password, auth!.token];
    const histories: string[] = [];

    // Act
    const first = await drill('secret-first');
    histories.push(first.text);
    const readsAfterFirst = cloud.secretsManager.readCount(secretArn);
    const rotated = randomBytes(16).toString('hex');
    passwords.push(rotated);
    await rotateServerPassword(auth!.password, rotated);
    cloud.secretsManager.putSecretString(
      secretArn,
      JSON.stringify({ username: auth!.username, password: rotated }),
    );
    const second = await drill('secret-rotated');
    histories.push(second.text);
    const readsAfterRotation = cloud.secretsManager.readCount(secretArn);
    // A secret that no longer matches the server: refused, read once more, refused again — an errored drill.
    const wrong = `wrong-${randomBytes(16).toString('hex')}`;
    passwords.push(wrong);
    cloud.secretsManager.putSecretString(
      secretArn,
      JSON.stringify({ username: auth!.username, password: wrong }),
    );
    // The fault branch's waits bounded short: the refusal fails the drill, not the failover. The writer,
    // refused, runs to its cap: the schema's least (5 s), as no assertion depends on how long it wrote.
    const refused = await drill('secret-wrong', {
      ...INPUT,
      writer: { ...INPUT.writer, maxDurationSeconds: 5 },
      recovery: { ...INPUT.recovery, maxWaitSeconds: 10 },
    });
    histories.push(refused.text);
    const readsAfterWrong = cloud.secretsManager.readCount(secretArn);
    await cloud.delivered(); // the reaper, on the failed execution, logs too

    const reports = await filesUnder(join(dir, 'reports'));
    const sns = [JSON.stringify(cloud.published()), await readFile(join(dir, 'sns.jsonl'), 'utf8')];
    const logs = captured.join('');
    const everything: [string, string][] = [
      ['handler logs', logs],
      ...reports.map((r): [string, string] => [r.path, r.text]),
      ...sns.map((text, i): [string, string] => [`sns ${i}`, text]),
      ...histories.map((text, i): [string, string] => [`execution ${i}`, text]),
    ];

    // Assess
    expect(first.status, first.text.slice(0, 2000)).toBe('SUCCEEDED');
    expect(first.output).toMatchObject({ verdict: 'pass', writes: { lost: 0 } });
    expect(second.status, second.text.slice(0, 2000)).toBe('SUCCEEDED');
    expect(second.output).toMatchObject({ verdict: 'pass', writes: { lost: 0 } });
    expect(readsAfterFirst).toBe(1); // one container (the sources' module graph), one read
    expect(readsAfterRotation - readsAfterFirst).toBe(1); // WRONGPASS once, the rotated value read once
    expect(refused.status).toBe('FAILED');
    expect(refused.text.includes('RedisAuthError'), 'the refusal is named').toBe(true);
    expect(readsAfterWrong - readsAfterRotation).toBeGreaterThanOrEqual(1);
    expect(logs).toMatch(/"level":"INFO"/); // Powertools logging was on
    expect(logs).toMatch(/reading the Redis secret.*after a refusal/);
    // The writer's lines carry its own function's name, though Verify, AwaitRecovery… ran beside it.
    const writerLines = logs
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { message?: string; function_name?: string })
      .filter((line) => line.message === 'writer' || line.message === 'writer done');
    expect(writerLines.length).toBeGreaterThan(0);
    expect(new Set(writerLines.map((line) => line.function_name))).toEqual(new Set(['WriteFunction']));
    expect(reports.some((r) => r.path.endsWith('.html'))).toBe(true);
    expect(reports.some((r) => r.path.endsWith('.json'))).toBe(true);
    expect(sns[1]).not.toBe('');
    for (const [where, text] of everything)
      for (const password of passwords)
        expect(text.includes(password), `${where} holds a password`).toBe(false);
  }, 240_000);
});
