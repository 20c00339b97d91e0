/**
 * `failover-drill emulator` as a pipeline starts it: a subprocess, known only by its ready line (endpoint,
 * ARNs, and an env with AWS_ENDPOINT_URL_* and the dummy credentials). Stopped with SIGTERM, as a user does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestContext } from 'vitest';
import type { Endpoint } from '../../local/elasticache/group.js';
import { cliCommand } from './cli-command.js';

const cwd = new URL('../..', import.meta.url).pathname;
const READY_TIMEOUT_MS = 30_000;

export interface Ready {
  endpoint: string;
  region: string;
  stateMachineArn: string;
  groupId: string;
  primaryEndpoint: Endpoint;
  env: Record<string, string>;
}

export interface Emulator {
  child: ChildProcess;
  ready: Ready;
  reportDir: string;
}

/** `failover-drill …` from the source; `env` added to this process's (an emulator's ready env, say). */
export const cli = (args: string[], env: Record<string, string> = {}) =>
  spawn(process.execPath, [...cliCommand(), ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });

/** Stops a child and waits for it: SIGTERM (the emulator stops its redis-servers), SIGKILL if it hangs. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  await exited;
  clearTimeout(timer);
}

export async function startEmulator(flags: string[] = []): Promise<Emulator> {
  const reportDir = await mkdtemp(join(tmpdir(), 'gate-e2e-'));
  const child = cli(['emulator', ...flags, '--report-dir', reportDir]);
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), READY_TIMEOUT_MS);
  try {
    for await (const line of createInterface({ input: child.stdout! }))
      return { child, reportDir, ready: JSON.parse(line) as Ready };
  } catch (error) {
    await stop(child);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`the emulator exited without a ready line: ${stderr}`);
}

export async function stopEmulator(emulator: Emulator | undefined): Promise<void> {
  if (!emulator) return;
  await stop(emulator.child);
  await rm(emulator.reportDir, { recursive: true, force: true });
}

/** An emulator for one case alone, stopped when that case finishes: cases that own theirs can run concurrently. */
export async function emulatorFor(
  onTestFinished: TestContext['onTestFinished'],
  flags: string[] = [],
): Promise<Emulator> {
  const emulator = await startEmulator(flags);
  onTestFinished(() => stopEmulator(emulator));
  return emulator;
}
