import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Every process the kit starts is registered here, so that it is stopped on normal exit, on
 * SIGINT/SIGTERM, and (through a detached watchdog) when this process dies without warning.
 */
const live = new Map<number, ChildProcess>();
let watchdog: ChildProcess | undefined;
let hooked = false;

const watchdogPath = fileURLToPath(new URL('./watchdog.mjs', import.meta.url));

function tell(line: string): void {
  if (!watchdog?.stdin?.writable) return;
  watchdog.stdin.write(`${line}\n`);
}

function startWatchdog(): void {
  // process.execPath: the same Node that runs us, whatever PATH says.
  watchdog = spawn(process.execPath, [watchdogPath], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  watchdog.unref();
  const stdin = watchdog.stdin as unknown as { unref?: () => void } | null;
  stdin?.unref?.();
  watchdog.on('error', () => {
    watchdog = undefined;
  });
}

/** Kills every registered process now (synchronous: safe inside an 'exit' handler). */
export function killAll(): void {
  for (const [pid, child] of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
    live.delete(pid);
  }
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      // Someone else handles the signal (a command that cleans its run up first, through these very
      // processes): it stops them; the exit hook and the watchdog still kill whatever is left.
      if (process.listenerCount(signal) > 1) return;
      killAll();
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
}

export function register(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  hook();
  if (!watchdog) startWatchdog();
  live.set(pid, child);
  tell(`+${pid}`);
  child.once('exit', () => unregister(pid));
}

function unregister(pid: number): void {
  if (!live.delete(pid)) return;
  tell(`-${pid}`);
}
