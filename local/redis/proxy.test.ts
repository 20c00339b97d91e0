import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultProxy } from './proxy.js';

interface TestServer {
  port: number;
  /** Server-side sockets, in accept order. */
  sockets: Socket[];
  received(): string;
  close(): Promise<void>;
}

interface TestClient {
  socket: Socket;
  text(): string;
  /** Resolves once `length` characters have arrived. */
  read(length: number): Promise<string>;
  /** Resolves on 'close' with the error that closed the socket, if any. */
  closed: Promise<NodeJS.ErrnoException | undefined>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A server on 127.0.0.1 that records what it receives; echoes it back or runs `onConnection`. */
async function startServer(
  options: { echo?: boolean; onConnection?: (socket: Socket) => void } = {},
): Promise<TestServer> {
  const sockets: Socket[] = [];
  let received = '';
  const server = createServer({ noDelay: true }, (socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    socket.on('data', (data) => {
      received += data.toString();
      if (options.echo) socket.write(data);
    });
    options.onConnection?.(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  cleanups.push(close);
  return { port: (server.address() as AddressInfo).port, sockets, received: () => received, close };
}

/** A server that sends 1000 'a's, `gapMs` later 1000 'b's, and `crashAfterMs` after those dies (a crashed primary). */
function startCrashingServer(gapMs: number, crashAfterMs = 0): Promise<TestServer> {
  return startServer({
    onConnection: (socket) => {
      socket.write('a'.repeat(1000));
      setTimeout(() => {
        socket.write('b'.repeat(1000));
        if (crashAfterMs === 0) socket.destroy();
        else setTimeout(() => socket.destroy(), crashAfterMs);
      }, gapMs);
    },
  });
}

async function startProxy(port: number): Promise<FaultProxy> {
  const proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port } });
  cleanups.push(() => proxy.close());
  return proxy;
}

async function open(port: number): Promise<TestClient> {
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  let text = '';
  let error: NodeJS.ErrnoException | undefined;
  socket.on('data', (data) => {
    text += data.toString();
  });
  socket.on('error', (err) => {
    error = err;
  });
  const closed = new Promise<NodeJS.ErrnoException | undefined>((resolve) =>
    socket.once('close', () => resolve(error)),
  );
  cleanups.push(() => {
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const read = (length: number): Promise<string> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (text.length < length) return;
        socket.off('data', check);
        resolve(text);
      };
      socket.on('data', check);
      check();
    });
  return { socket, text: () => text, read, closed };
}

async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(2);
  }
}

/** A port nothing listens on. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Handles that would keep the event loop alive, by kind. */
function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind.startsWith('TCP') || kind === 'Timeout') counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

/**
 * Handles of a kind beyond the baseline: what this test left open. A handle of the baseline that
 * closed meanwhile (a timer of an earlier test or of the runner) is not a leak of this one.
 */
function beyond(after: Record<string, number>, baseline: Record<string, number>): Record<string, number> {
  const extra: Record<string, number> = {};
  for (const [kind, count] of Object.entries(after)) {
    const more = count - (baseline[kind] ?? 0);
    if (more > 0) extra[kind] = more;
  }
  return extra;
}

describe('FaultProxy', () => {
  it('passes bytes through both ways and propagates a clean close', async () => {
    // Prepare
    const server = await startServer({ echo: true });
    const proxy = await startProxy(server.port);
    const client = await open(proxy.port);

    // Act
    client.socket.write('hello');
    const echoed = await client.read(5);
    const live = proxy.connections;
    client.socket.end();
    const error = await client.closed;

    // Assess
    expect(echoed).toBe('hello');
    expect(server.received()).toBe('hello');
    expect(live).toBe(1);
    expect(error).toBeUndefined();
    await until(() => proxy.connections === 0);
  });

  it('delays each chunk by the set time in each direction', async () => {
    // Prepare
    const server = await startServer({ echo: true });
    const proxy = await startProxy(server.port);
    const client = await open(proxy.port);
    const roundTrip = async (message: string): Promise<number> => {
      const start = performance.now();
      client.socket.write(message);
      await client.read(client.text().length + message.length);
      return performance.now() - start;
    };

    // Act
    proxy.delay(40);
    const both = await roundTrip('a');
    proxy.delay(0, 'toClient');
    const toServerOnly = await roundTrip('b');
    proxy.delay(0);
    const none = await roundTrip('c');

    // Assess
    expect(both).toBeGreaterThanOrEqual(80);
    expect(both).toBeLessThan(1000);
    expect(toServerOnly).toBeGreaterThanOrEqual(40);
    expect(toServerOnly).toBeLessThan(1000);
    expect(none).toBeLessThan(40);
    expect(proxy.target).toEqual({ host: '127.0.0.1', port: server.port });
  });

  it('keeps order over many chunks, also when the delay changes mid-stream', async () => {
    // Prepare
    const server = await startServer({ echo: true });
    const proxy = await startProxy(server.port);
    const client = await open(proxy.port);
    proxy.delay(20);
    let sent = '';

    // Act
    for (let i = 0; i < 300; i++) {
      const message = `${i};`;
      sent += message;
      client.socket.write(message);
      if (i % 10 === 0) await sleep(1); // let separate chunks form
      if (i === 150) proxy.delay(0); // later chunks must still queue behind earlier ones
    }
    const echoed = await client.read(sent.length);

    // Assess
    expect(server.received()).toBe(sent);
    expect(echoed).toBe(sent);
  });

  it('drops what is in flight toward the client and resets it when the server goes away', async () => {
    // Prepare
    const server = await startCrashingServer(150);
    const proxy = await startProxy(server.port);
    proxy.delay(100, 'toClient');

    // Act
    const client = await open(proxy.port);
    const error = await client.closed;

    // Assess
    expect(client.text()).toBe('a'.repeat(1000)); // the 'b's were still in the delay line
    expect(error?.code).toBe('ECONNRESET');
    expect(proxy.connections).toBe(0);
  });

  it('as a log, delivers what is in flight toward the client after the server went away, then ends', async () => {
    // Prepare: the same crash as above, through a durable group's log
    const server = await startCrashingServer(150);
    const proxy = await startProxy(server.port);
    proxy.delay(100, 'toClient');
    proxy.logged();

    // Act
    const client = await open(proxy.port);
    const error = await client.closed;

    // Assess: nothing lost, and a clean end rather than a reset
    expect(client.text()).toBe(`${'a'.repeat(1000)}${'b'.repeat(1000)}`);
    expect(error).toBeUndefined();
  });

  it('as a log made to drop its tail, loses only what reached it within that tail', async () => {
    // Prepare: 'a' reaches the log 300 ms before the crash, 'b' just before it; the tail is 100 ms
    const server = await startCrashingServer(300, 10);
    const proxy = await startProxy(server.port);
    proxy.delay(500, 'toClient');
    proxy.logged({ dropTailMs: 100 });

    // Act
    const client = await open(proxy.port);
    await client.closed;

    // Assess
    expect(client.text()).toBe('a'.repeat(1000));
  });

  it('loses what is in a delay line at serverCrashed(), and what reaches it after, however late the FIN', async () => {
    // Prepare: 'a' delivered, 'b' in a 100 ms delay line
    const server = await startServer({ onConnection: (socket) => socket.write('a'.repeat(1000)) });
    const proxy = await startProxy(server.port);
    proxy.delay(100, 'toClient');
    const client = await open(proxy.port);
    await client.read(1000);
    server.sockets[0]!.write('b'.repeat(1000));
    await until(() => proxy.inFlightBytes() === 1000);

    // Act: the crash, then 'c' that was still in the server's socket, then a FIN 200 ms late
    proxy.serverCrashed();
    server.sockets[0]!.write('c'.repeat(1000));
    await sleep(50);
    const heldUntil = performance.now() + 200;
    while (performance.now() < heldUntil); // a loop held past the whole delay
    server.sockets[0]!.destroy();
    const error = await client.closed;

    // Assess
    expect(client.text()).toBe('a'.repeat(1000));
    expect(error?.code).toBe('ECONNRESET');
    expect(proxy.connections).toBe(0);
  });

  it('without a delay, loses nothing at serverCrashed(): what the server sent before it died arrives', async () => {
    // Prepare
    const server = await startServer({ onConnection: (socket) => socket.write('a'.repeat(1000)) });
    const proxy = await startProxy(server.port);
    const client = await open(proxy.port);
    await client.read(1000);

    // Act: 'b' still in the server's socket at the crash, then its FIN
    proxy.serverCrashed();
    server.sockets[0]!.end('b'.repeat(1000));
    const error = await client.closed;

    // Assess: a clean end, nothing lost
    expect(client.text()).toBe(`${'a'.repeat(1000)}${'b'.repeat(1000)}`);
    expect(error).toBeUndefined();
  });

  it('as a log, delivers at serverCrashed() what is in flight, and drops its tail from the crash', async () => {
    // Prepare: 'a' reaches the log 300 ms before the crash, 'b' just before it; the tail is 100 ms
    const server = await startServer({ onConnection: (socket) => socket.write('a'.repeat(1000)) });
    const proxy = await startProxy(server.port);
    proxy.delay(500, 'toClient');
    proxy.logged({ dropTailMs: 100 });
    const client = await open(proxy.port);
    await sleep(300);
    server.sockets[0]!.write('b'.repeat(1000));
    await until(() => proxy.inFlightBytes() === 2000);

    // Act: the crash, its FIN 300 ms late (past the tail and into the line's schedule)
    proxy.serverCrashed();
    await sleep(300);
    server.sockets[0]!.destroy();
    const error = await client.closed;

    // Assess: the tail at the crash is lost, the rest delivered, and a clean end
    expect(client.text()).toBe('a'.repeat(1000));
    expect(error).toBeUndefined();
  });

  it('drops what is in flight toward the server and resets it when the client goes away', async () => {
    // Prepare
    const server = await startServer();
    const proxy = await startProxy(server.port);
    const client = await open(proxy.port);
    await until(() => server.sockets.length === 1);
    const upstreamError = new Promise<NodeJS.ErrnoException>((resolve) =>
      server.sockets[0]!.once('error', resolve),
    );
    proxy.delay(100, 'toServer');

    // Act
    client.socket.end('never arrives');
    const error = await upstreamError;
    await sleep(150);

    // Assess
    expect(error.code).toBe('ECONNRESET');
    expect(server.received()).toBe('');
  });

  it('holds what the client sends and releases it in order', async () => {
    // Prepare
    const server = await startServer({ echo: true });
    const proxy = await startProxy(server.port);
    const client = await open(proxy.port);
    proxy.hold();

    // Act
    for (const word of ['one', 'two', 'three']) {
      client.socket.write(word);
      await sleep(5);
    }
    await sleep(50);
    const whileHeld = server.received();
    proxy.release();
    const echoed = await client.read('onetwothree'.length);

    // Assess
    expect(whileHeld).toBe('');
    expect(echoed).toBe('onetwothree');
  });

  it('holds what the server sends and releases it without a gap', async () => {
    // Prepare
    const server = await startServer({
      onConnection: (socket) => {
        let n = 0;
        const ticker = setInterval(() => socket.write(`${n++},`), 5);
        socket.on('close', () => clearInterval(ticker));
      },
    });
    const proxy = await startProxy(server.port);
    const client = await open(proxy.port);
    await until(() => client.text().length > 0);

    // Act
    proxy.hold();
    await sleep(10); // what was already on its way lands
    const before = client.text();
    await sleep(60);
    const whileHeld = client.text();
    proxy.release();
    await until(() => client.text().length > whileHeld.length + 20);

    // Assess
    expect(whileHeld).toBe(before);
    const ticks = client.text().split(',').slice(0, -1).map(Number);
    expect(ticks).toEqual(ticks.map((_, i) => i));
  });

  it('blackholes bytes both ways and stalls new connections', async () => {
    // Prepare
    const server = await startServer({ echo: true });
    const proxy = await startProxy(server.port);
    const old = await open(proxy.port);
    await until(() => server.sockets.length === 1);

    // Act
    proxy.blackhole();
    old.socket.write('lost');
    server.sockets[0]!.write('lost too');
    const stalled = await open(proxy.port); // accepted all the same
    stalled.socket.write('nowhere');
    await sleep(50);

    // Assess
    expect(server.received()).toBe('');
    expect(old.text()).toBe('');
    expect(stalled.text()).toBe('');
    expect(server.sockets).toHaveLength(1); // the stalled one never reached the server
    expect(proxy.connections).toBe(2);
  });

  it('blackholes only what goes to the server: what the server sends still arrives, new connections stall', async () => {
    // Prepare
    const server = await startServer();
    const proxy = await startProxy(server.port);
    const old = await open(proxy.port);
    await until(() => server.sockets.length === 1);

    // Act
    proxy.blackhole('toServer');
    old.socket.write('lost');
    server.sockets[0]!.write('sent before');
    const arrived = await old.read(11);
    (await open(proxy.port)).socket.write('stalled');
    await sleep(50);

    // Assess
    expect(arrived).toBe('sent before');
    expect(server.received()).toBe('');
    expect(server.sockets).toHaveLength(1);
    expect(proxy.connections).toBe(2);
  });

  it('heals: resets connections that lived through the blackhole, then new ones work', async () => {
    // Prepare
    const server = await startServer({ echo: true });
    const proxy = await startProxy(server.port);
    const old = await open(proxy.port);
    await until(() => server.sockets.length === 1);
    proxy.blackhole();
    const stalled = await open(proxy.port);
    await sleep(20);

    // Act
    proxy.heal();
    const [oldError, stalledError] = await Promise.all([old.closed, stalled.closed]);
    const fresh = await open(proxy.port);
    fresh.socket.write('after');
    const echoed = await fresh.read(5);

    // Assess
    expect(oldError?.code).toBe('ECONNRESET');
    expect(stalledError?.code).toBe('ECONNRESET');
    expect(echoed).toBe('after');
    expect(server.sockets).toHaveLength(2);
    expect(server.sockets[0]!.destroyed).toBe(true);
  });

  it('cuts live connections and keeps accepting', async () => {
    // Prepare
    const server = await startServer({ echo: true });
    const proxy = await startProxy(server.port);
    const old = await open(proxy.port);
    old.socket.write('x');
    await old.read(1);

    // Act
    proxy.cut();
    const left = proxy.connections;
    const error = await old.closed;
    const fresh = await open(proxy.port);
    fresh.socket.write('y');
    const echoed = await fresh.read(1);

    // Assess
    expect(left).toBe(0);
    expect(error?.code).toBe('ECONNRESET');
    expect(echoed).toBe('y');
    await until(() => server.sockets[0]!.destroyed);
  });

  it('retargets new connections to another server and resets the old ones', async () => {
    // Prepare
    const a = await startServer({ echo: true });
    const b = await startServer({ echo: true });
    const proxy = await startProxy(a.port);
    const old = await open(proxy.port);
    await until(() => a.sockets.length === 1);

    // Act
    proxy.retarget({ host: '127.0.0.1', port: b.port });
    const error = await old.closed;
    const fresh = await open(proxy.port);
    fresh.socket.write('to b');
    await fresh.read(4);

    // Assess
    expect(error?.code).toBe('ECONNRESET');
    expect(proxy.target.port).toBe(b.port);
    expect(a.received()).toBe('');
    expect(b.received()).toBe('to b');
  });

  it('retargets without cutting when asked', async () => {
    // Prepare
    const a = await startServer({ echo: true });
    const b = await startServer({ echo: true });
    const proxy = await startProxy(a.port);
    const old = await open(proxy.port);

    // Act
    proxy.retarget({ host: '127.0.0.1', port: b.port }, { cut: false });
    old.socket.write('still a');
    await old.read(7);
    const fresh = await open(proxy.port);
    fresh.socket.write('b');
    await fresh.read(1);

    // Assess
    expect(a.received()).toBe('still a');
    expect(b.received()).toBe('b');
    expect(proxy.connections).toBe(2);
  });

  it('resets the client when the server refuses the connection', async () => {
    // Prepare
    const proxy = await startProxy(await freePort());

    // Act
    const client = await open(proxy.port);
    const error = await client.closed;

    // Assess
    expect(error?.code).toBe('ECONNRESET');
    expect(proxy.connections).toBe(0);
  });

  it('closes idempotently, clearing delay timers and leaving no handles', async () => {
    // Prepare
    await sleep(10); // handles closed by the previous test are released a loop turn after their 'close'
    const baseline = handles();
    const server = await startServer({ echo: true });
    const proxy = await startProxy(server.port);
    proxy.delay(10_000); // a chunk waits in the delay line, with its timer
    const client = await open(proxy.port);
    client.socket.write('pending');
    await sleep(20);

    // Act
    await Promise.all([proxy.close(), proxy.close()]);
    await proxy.close();
    const error = await client.closed;
    const refused = await open(proxy.port).catch((err: NodeJS.ErrnoException) => err.code);
    await server.close();
    await sleep(10);

    // Assess
    expect(error?.code).toBe('ECONNRESET');
    expect(refused).toBe('ECONNREFUSED');
    expect(server.received()).toBe('');
    expect(beyond(handles(), baseline)).toEqual({});
  });
});
