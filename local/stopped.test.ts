/**
 * keepWriterInvocation: the Write Task's invocation that a stopped execution left running, and what it
 * returns — or nothing, when it failed, was never made or does not return in time.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LocalStateMachine } from './stepfunctions/runner.js';
import { keepWriterInvocation } from './stopped.js';

const machineWith = (write: (event: unknown) => Promise<unknown>) =>
  ({ handlers: { Write: write, Verify: async () => null } }) as unknown as LocalStateMachine;

afterEach(() => {
  vi.useRealTimers();
});

describe('keepWriterInvocation', () => {
  it("gives the latest invocation's result, after the execution stopped waiting for it", async () => {
    // Prepare
    const machine = machineWith(async (event) => ({ attempted: (event as { n: number }).n }));
    const writer = keepWriterInvocation(machine);

    // Act
    const before = await writer();
    await machine.handlers.Write!({ n: 1 });
    void machine.handlers.Write!({ n: 2 });
    const after = await writer();

    // Assess
    expect(before).toBeUndefined();
    expect(after).toEqual({ attempted: 2 });
  });

  it('gives nothing for an invocation that failed, or that has not returned within 10 s', async () => {
    // Prepare
    vi.useFakeTimers();
    const failing = machineWith(async () => {
      throw Object.assign(new Error('stopped'), { name: 'DrillStoppedError' });
    });
    const hanging = machineWith(() => new Promise(() => {}));
    const failed = keepWriterInvocation(failing);
    const hung = keepWriterInvocation(hanging);
    void failing.handlers.Write!({}).catch(() => {});
    void hanging.handlers.Write!({});

    // Act
    const fromFailed = await failed();
    const waiting = hung();
    await vi.advanceTimersByTimeAsync(10_000);

    // Assess
    expect(fromFailed).toBeUndefined();
    expect(await waiting).toBeUndefined();
  });
});
