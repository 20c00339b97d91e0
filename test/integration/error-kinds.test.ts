/**
 * Error kinds with names: each library (ioredis, node-redis, valkey-glide) driven through a connection
 * reset, a timeout, a blackhole and a READONLY reply on real redis-server and the fault proxy; every error
 * it meets gets a kind named by the library's own class or code (never bare `Error`), the outcome the
 * measurement model gives that kind, and a sample message.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ProfileClient } from '../../functions/core/measure/clients/client.js';
import { type Library, resolveClientProfiles } from '../../functions/core/measure/clients/profile.js';
import { OPENERS } from '../../functions/core/measure/clients/run.js';
import type { ErrorOutcome } from '../../functions/core/measure/outcomes.js';
import { FaultProxy } from '../../local/redis/proxy.js';
import { RedisServer } from '../../local/redis/server.js';
import { testTracker } from '../support/measure-kit.js';

/** Each library with bounded timeouts, so that a silent server ends every write within the test. */
const PROFILES = {
  ioredis: { commandTimeout: 300, maxRetriesPerRequest: 0 },
  'node-redis': { socket: { socketTimeout: 300 } },
  'valkey-glide': { requestTimeout: 300 },
} as const satisfies Record<Library, unknown>;

type Scenario = 'reset' | 'timeout' | 'blackhole' | 'readonly';

/** The kind (and its outcome) each library must name in each scenario, from its own error class or code. */
const EXPECTED: Record<Library, Record<Scenario, ErrorOutcome>> = {
  ioredis: {
    reset: { outcome: 'info', kind: 'MAX_RETRIES' },
    timeout: { outcome: 'info', kind: 'TIMEOUT' },
    blackhole: { outcome: 'info', kind: 'TIMEOUT' },
    readonly: { outcome: 'fail', kind: 'READONLY' },
  },
  'node-redis': {
    reset: { outcome: 'info', kind: 'ECONNRESET' },
    timeout: { outcome: 'info', kind: 'SOCKET_TIMEOUT' },
    // Its own writes keep the socket busy, so socketTimeout never fires: the writes wait for the reset.
    blackhole: { outcome: 'info', kind: 'ECONNRESET' },
    readonly: { outcome: 'fail', kind: 'READONLY' },
  },
  'valkey-glide': {
    reset: { outcome: 'info', kind: 'CONNECTION_LOST' },
    timeout: { outcome: 'info', kind: 'TIMEOUT' },
    blackhole: { outcome: 'info', kind: 'TIMEOUT' },
    readonly: { outcome: 'fail', kind: 'READONLY' },
  },
};

/** Every kind any library may name in these scenarios, and its outcome in the measurement model. */
const OUTCOME_OF: Record<string, ErrorOutcome['outcome']> = {
  MAX_RETRIES: 'info',
  TIMEOUT: 'info',
  ECONNRESET: 'info',
  EPIPE: 'info',
  SOCKET_TIMEOUT: 'info',
  CONNECTION_CLOSED: 'info',
  CONNECTION_LOST: 'info',
  NOT_CONNECTED: 'fail',
  READONLY: 'fail',
};

/** The fault, applied once writes flow through `proxy` to `server`; it lasts 600 ms. */
const FAULTS: Record<
  Scenario,
  (proxy: FaultProxy, server: RedisServer, primary: RedisServer) => Promise<void>
> = {
  // Replies held back, then both sides of the connection reset with writes in flight.
  reset: async (proxy) => {
    proxy.delay(2000, 'toClient');
    await sleep(100);
    proxy.delay(0, 'toClient'); // for the connection made after the reset
    proxy.cut();
    await sleep(500);
  },
  // The server answers, too late.
  timeout: async (proxy) => {
    proxy.delay(2000, 'toClient');
    await sleep(600);
  },
  // Nothing passes either way; healing resets what lived through it.
  blackhole: async (proxy) => {
    proxy.blackhole();
    await sleep(600);
  },
  // The server becomes a replica under a live connection, as an old primary does after a failover.
  readonly: async (_proxy, server, primary) => {
    await server.call('REPLICAOF', primary.endpoint.host, String(primary.endpoint.port));
    await sleep(600);
  },
};

/** Writes every 20 ms through the fault; resolves with each error's classification. */
async function through(
  track: ReturnType<typeof testTracker>,
  library: Library,
  scenario: Scenario,
  primary: RedisServer,
): Promise<ErrorOutcome[]> {
  const server = track(await RedisServer.start({ name: `kinds-${library}-${scenario}` }));
  const proxy = track(await FaultProxy.start({ target: server.endpoint }));
  const [profile] = resolveClientProfiles([{ name: 'kinds', library, options: PROFILES[library] }]);
  const client: ProfileClient = await OPENERS[library](
    profile!,
    { endpoint: `redis://${proxy.host}:${proxy.port}`, cluster: false },
    10_000,
  );
  track({ close: () => client.close() });
  const writes: Promise<ErrorOutcome | 'ok'>[] = [];
  let n = 0;
  const write = () =>
    writes.push(
      client.write(`kinds:${library}:${scenario}:${n++}`, 60).then(
        () => 'ok' as const,
        (error: unknown) => client.classify(error),
      ),
    );
  const timer = setInterval(write, 20);
  await sleep(200); // writes flow
  await FAULTS[scenario](proxy, server, primary);
  clearInterval(timer);
  proxy.heal();
  // Every write has ended by now: each library's timeout (or the reset) is well under this.
  const settled = await Promise.race([Promise.all(writes), sleep(5000).then(() => null)]);
  expect(settled, 'every write settled').not.toBeNull();
  return settled!.filter((result): result is ErrorOutcome => result !== 'ok');
}

const SCENARIOS = Object.keys(FAULTS) as Scenario[];
const casesOf = (libraries: Library[]) =>
  libraries.flatMap((library) => SCENARIOS.map((scenario) => [library, scenario] as const));

/** One case: the library through the fault, every error it met named and given its outcome. */
async function namesEachError(
  [library, scenario]: readonly [Library, Scenario],
  { onTestFinished }: { onTestFinished: (fn: () => Promise<void>) => void },
): Promise<void> {
  // Prepare: a primary for the READONLY scenario's server to follow
  const track = testTracker(onTestFinished);
  const primary = track(await RedisServer.start({ name: `kinds-primary-${library}-${scenario}` }));
  // Act
  const errors = await through(track, library, scenario, primary);
  // Assess
  const kinds = [...new Map(errors.map((e) => [e.kind, e])).values()];
  console.log(
    `${library} ${scenario}: ${kinds.map((e) => `${e.kind} (${e.outcome}): ${e.message}`).join('; ')}`,
  );
  expect(kinds.map(({ outcome, kind }) => ({ outcome, kind }))).toContainEqual(EXPECTED[library][scenario]);
  for (const error of errors) {
    expect(error.kind).not.toMatch(/^(Error|UNKNOWN)$/);
    expect(OUTCOME_OF[error.kind], `${error.kind}: ${error.message}`).toBe(error.outcome);
    expect(error.message, error.kind).toBeTruthy();
  }
}

const NAME = '%s through a %s names each error by its class or code';

// Each case has its own servers, proxy and client and waits on its fault's timers: the cases run concurrently.
describe.concurrent('error kinds with names', () => {
  it.for(casesOf(['ioredis', 'valkey-glide']))(NAME, namesEachError);
});

// node-redis's socketTimeout is an idle timer on this event loop: the other cases' work beside it (a client's
// start, a native module's load) can hold the loop past 300 ms and fire it. Its cases run alone, after them.
describe('error kinds with names: node-redis, alone', () => {
  it.for(casesOf(['node-redis']))(NAME, namesEachError);
});
