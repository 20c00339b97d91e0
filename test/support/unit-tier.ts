/**
 * The unit tier's guard: a setup file of the `unit` project (vitest.config.ts). A unit test that starts
 * redis-server, a browser or the CLI (the emulator, a drill) fails at once, by name, instead of quietly
 * making the quick tier slow. Such a test belongs under test/integration, test/e2e, test/conformance or
 * test/bundles (test/README.md says which).
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { promisify } from 'node:util';
import { afterAll } from 'vitest';

export class UnitTierError extends Error {
  override name = 'UnitTierError';
}

/** What the unit tier never starts, matched on the command line a child process would run. */
const REFUSED: { what: string; pattern: RegExp }[] = [
  { what: 'redis-server', pattern: /\bredis-server\b/ },
  { what: 'browser', pattern: /chrom(e|ium)/i },
  { what: 'CLI process (the emulator, a drill)', pattern: /bin\/failover-drill\.js|cli\/main\.ts/ },
];

/**
 * Kept on globalThis: with `isolate: false` this setup file runs again for every test file in the same
 * worker, and the launchers must be guarded once, recording into one list.
 */
const shared = globalThis as { __unitTierRefusals?: string[] };
shared.__unitTierRefusals ??= [];
const refusals = shared.__unitTierRefusals;

function refuse(file: unknown, args: unknown): void {
  const line = [file, ...(Array.isArray(args) ? args : [])].map(String).join(' ');
  const hit = REFUSED.find((r) => r.pattern.test(line));
  if (!hit) return;
  const message = `the unit tier starts no ${hit.what}; this test ran "${line.slice(0, 200)}": move it to test/integration or test/e2e (test/README.md)`;
  refusals.push(message);
  throw new UnitTierError(message);
}

type Launcher = (file: unknown, args?: unknown, ...rest: unknown[]) => unknown;
const launchers = ['spawn', 'spawnSync', 'execFile', 'execFileSync', 'exec', 'execSync', 'fork'] as const;
const module = childProcess as unknown as Record<(typeof launchers)[number], Launcher>;
const guard = (original: Launcher): Launcher =>
  function guarded(this: unknown, file, args, ...rest) {
    refuse(file, args);
    return original.call(this, file, args, ...rest);
  };
const GUARDED = Symbol.for('failover-drill.unit-tier.guarded');
for (const name of launchers) {
  if ((module[name] as Launcher & { [GUARDED]?: true })[GUARDED]) continue;
  const original = module[name] as Launcher & { [promisify.custom]?: Launcher };
  const guarded: Launcher & { [promisify.custom]?: Launcher } = guard(original);
  // exec and execFile promisify to { stdout, stderr } through their own custom function: guarded as well.
  const custom = original[promisify.custom];
  if (custom) guarded[promisify.custom] = guard(custom);
  (guarded as Launcher & { [GUARDED]?: true })[GUARDED] = true;
  module[name] = guarded;
}
// The named exports (`import { spawn } from 'node:child_process'`) follow the patched module object.
syncBuiltinESMExports();

/** The refusals so far, forgotten: for the guard's own test, which provokes them on purpose. */
export function takeRefusals(): string[] {
  return refusals.splice(0);
}

// A refusal the code under test caught and wrapped still fails the file, with the refusal's own words.
afterAll(() => {
  const refused = refusals.splice(0); // this file's only: the next file in the worker starts clean
  if (refused.length > 0) throw new UnitTierError(refused.join('\n'));
});
