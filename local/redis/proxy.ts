/**
 * A TCP fault proxy for the local cloud. It stands where the network would be: in front of Redis as an
 * endpoint that can move between servers, on a replication link as a delay line (what is in flight when
 * the primary dies is lost, as with asynchronous replication), and between a client and Redis to inject
 * outages of a known length. Bytes are never reordered, and only dropped where a fault says so.
 */
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { errorReplyCommand, isWrite, RespFramer } from './write-gate.js';

export interface ProxyTarget {
  host: string;
  port: number;
}

export interface FaultProxyOptions {
  target: ProxyTarget;
  /** Where clients connect; default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
}

export type Direction = 'both' | 'toServer' | 'toClient';

interface Chunk {
  data: Buffer;
  due: number;
}

/** One direction of one connection: a delay line that can be held. Chunks leave in arrival order. */
class Pipe {
  delayMs = 0;
  held = false;
  private queue: Chunk[] = [];
  private timer: NodeJS.Timeout | undefined;
  private drained: (() => void) | undefined;
  private readonly write: (data: Buffer) => void;

  constructor(write: (data: Buffer) => void) {
    this.write = write;
  }

  /** How long ago the oldest chunk still queued arrived (ms); 0 when none is. */
  oldestMs(): number {
    const head = this.queue[0];
    return head ? performance.now() - (head.due - this.delayMs) : 0;
  }

  /** Bytes still queued (in flight). */
  queuedBytes(): number {
    let bytes = 0;
    for (const chunk of this.queue) bytes += chunk.data.length;
    return bytes;
  }

  /** Nothing in flight and nothing would be: a close can pass without losing bytes. */
  get idle(): boolean {
    return this.queue.length === 0 && this.delayMs === 0 && !this.held;
  }

  push(data: Buffer): void {
    if (this.idle) {
      this.write(data); // pass-through costs no timer
      return;
    }
    this.queue.push({ data, due: performance.now() + this.delayMs });
    this.pump();
  }

  /**
   * Delivers what is queued, each chunk when it is due, then calls `done`. `dropTailMs` (a fault) first
   * discards the chunks that arrived within that many ms before now.
   */
  drainThen(done: () => void, dropTailMs = 0): void {
    this.dropTail(dropTailMs);
    this.drained = done;
    this.pump();
  }

  /** Discards the chunks that arrived within the last `ms` (none when 0). */
  dropTail(ms: number): void {
    if (ms <= 0) return;
    const cutoff = performance.now() + this.delayMs - ms;
    this.queue = this.queue.filter((chunk) => chunk.due <= cutoff);
  }

  setHeld(held: boolean): void {
    this.held = held;
    this.pump();
  }

  /** Forwards every chunk that is due, then sleeps until the next one is. */
  pump(): void {
    if (this.held || this.timer) return; // an armed timer is for the head, which must go first anyway
    const queue = this.queue;
    const now = performance.now();
    let sent = 0;
    while (sent < queue.length && queue[sent]!.due <= now) this.write(queue[sent++]!.data);
    queue.splice(0, sent);
    if (queue.length === 0 && this.drained) {
      const done = this.drained;
      this.drained = undefined;
      done();
    }
    const head = queue[0];
    if (head && queue === this.queue) {
      // Timers may fire up to 1 ms early (millisecond clock); pump() then simply re-arms: never forward early.
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          this.pump();
        },
        Math.max(1, Math.ceil(head.due - now)),
      );
    }
  }

  drop(): void {
    this.queue = [];
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** A client connection and its upstream (absent while stalled in a blackhole). */
class Link {
  readonly client: Socket;
  upstream: Socket | undefined;
  /** Where the upstream connects (the target when this link was accepted). */
  target: ProxyTarget | undefined;
  throughBlackhole = false;
  /** The server was killed (serverCrashed): what reaches the line from now on was in flight at the crash. */
  crashed = false;
  closed = false;
  readonly toServer = new Pipe((data) => forward(this.client, this.upstream, data));
  readonly toClient = new Pipe((data) => forward(this.upstream, this.client, data));

  constructor(client: Socket) {
    this.client = client;
  }

  reset(): void {
    if (this.closed) return;
    this.closed = true;
    this.toServer.drop();
    this.toClient.drop();
    reset(this.client);
    if (this.upstream) reset(this.upstream);
  }
}

/** Writes with backpressure: a slow reader pauses the sender instead of growing our buffers. */
function forward(from: Socket | undefined, to: Socket | undefined, data: Buffer): void {
  if (!to || to.destroyed || to.writableEnded) return;
  if (!to.write(data) && from && !from.isPaused()) {
    from.pause();
    to.once('drain', () => from.resume());
  }
}

/** RST, not FIN: the peer must see a broken connection, never a clean end of stream. */
function reset(socket: Socket): void {
  if (socket.destroyed) return;
  // resetAndDestroy() waits for a pending connect, and libuv refuses to reset after a shutdown (end()).
  if (socket.connecting || socket.writableEnded) socket.destroy();
  else socket.resetAndDestroy();
}

export class FaultProxy {
  readonly host: string;
  readonly port: number;
  #target: ProxyTarget;
  #delay = { toServer: 0, toClient: 0 };
  #held = false;
  /** The direction(s) a blackhole drops; none when undefined. */
  #blackholed: Direction | undefined;
  #closing: Promise<void> | undefined;
  /** Writes are framed (see `gateWrites`); while `rejection` is set, each is answered with it. */
  #gate: { rejection: Buffer | undefined; rejected: number } | undefined;
  /** A transactional log: what is in flight toward the client outlives the server (see `logged`). */
  #log: { dropTailMs: number } | undefined;
  readonly #links = new Set<Link>();
  readonly #server: Server;

  private constructor(server: Server, target: ProxyTarget) {
    const address = server.address() as AddressInfo;
    this.#server = server;
    this.#target = { ...target };
    this.host = address.address;
    this.port = address.port;
    server.on('connection', (client) => this.#accept(client));
    server.on('error', () => {}); // e.g. EMFILE on accept: the proxy keeps serving
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const server = createServer({ allowHalfOpen: true, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new FaultProxy(server, options.target);
  }

  get target(): ProxyTarget {
    return { ...this.#target };
  }

  /** Live client connections, stalled ones included. */
  get connections(): number {
    return this.#links.size;
  }

  /** Each chunk is forwarded `ms` after it arrived, in order; 0 removes the delay (for later chunks). */
  delay(ms: number, direction: Direction = 'both'): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`delay must be a finite number >= 0, got ${ms}`);
    if (direction !== 'toClient') this.#delay.toServer = ms;
    if (direction !== 'toServer') this.#delay.toClient = ms;
    for (const link of this.#links) this.#configure(link);
  }

  /**
   * Makes the line toward the client a log (a durable group's): when the server goes away, what is still
   * in flight is delivered on schedule, then the client's connection ends; nothing is dropped. `dropTailMs`
   * is a fault for tests: the log loses what arrived in its last that many ms.
   */
  logged(options: { dropTailMs?: number } = {}): void {
    this.#log = { dropTailMs: options.dropTailMs ?? 0 };
  }

  /** The link is a plain delay line again (a durable group switched from sync to async). */
  unlogged(): void {
    this.#log = undefined;
  }

  /**
   * Frames every client's commands from now on (new connections only), so that writes can be rejected in
   * order: `rejectWrites(message)` makes the server answer each write with the error `message` instead.
   */
  gateWrites(): void {
    this.#gate ??= { rejection: undefined, rejected: 0 };
  }

  /** Writes are answered with the error `message` (its first word the code); undefined lets them pass. */
  rejectWrites(message: string | undefined): void {
    if (!this.#gate) throw new Error('rejectWrites needs gateWrites() first');
    this.#gate.rejection = message === undefined ? undefined : errorReplyCommand(message);
  }

  /** Writes rejected so far. */
  get rejectedWrites(): number {
    return this.#gate?.rejected ?? 0;
  }

  /** Age (ms) of the oldest chunk still in flight toward the clients, on any connection; 0 when none. */
  oldestInFlightMs(): number {
    let oldest = 0;
    for (const link of this.#links) oldest = Math.max(oldest, link.toClient.oldestMs());
    return oldest;
  }

  /** Bytes still in flight toward the clients, over every connection; 0 when none. */
  inFlightBytes(): number {
    let bytes = 0;
    for (const link of this.#links) bytes += link.toClient.queuedBytes();
    return bytes;
  }

  /** Stops forwarding both ways; everything is buffered, nothing lost. */
  hold(): void {
    this.#held = true;
    for (const link of this.#links) this.#configure(link);
  }

  /** Forwards what hold() buffered, in order, then passes through. */
  release(): void {
    this.#held = false;
    for (const link of this.#links) this.#configure(link);
  }

  /**
   * Nothing passes: bytes are discarded both ways and new connections are accepted but stalled.
   * `toServer`: only what goes to the server is discarded, so that what it already sent (a reply, a
   * replication stream) still arrives, and a server that receives nothing sends nothing more.
   */
  blackhole(direction: Direction = 'both'): void {
    this.#blackholed = direction;
    for (const link of this.#links) {
      link.throughBlackhole = true;
      if (direction !== 'toClient') link.toServer.drop();
      if (direction !== 'toServer') link.toClient.drop();
    }
  }

  /**
   * Ends blackhole and hold. Connections that lived through a blackhole are reset, as TCP would after
   * its retransmission timeout, so that no client sees a stream with a hole in it. The delay stays.
   */
  heal(): void {
    this.#blackholed = undefined;
    for (const link of [...this.#links]) if (link.throughBlackhole) this.#reset(link);
    this.release();
  }

  /**
   * The server has just been killed: call it in the tick that sent SIGKILL. What is still in a delay line
   * toward the clients is lost now, and so is what reaches the line after (a log delivers both, less the
   * tail it drops, measured from now). The connections end at the server's FIN, as before. Losing at the
   * FIN instead let a FIN that came late (~290 ms once, under load) deliver most of what a crash loses.
   */
  serverCrashed(): void {
    for (const link of this.#links) {
      if (!link.upstream || link.throughBlackhole) continue;
      link.crashed = true;
      if (this.#log) link.toClient.dropTail(this.#log.dropTailMs);
      else link.toClient.drop();
    }
  }

  /** Resets every live connection (or only those to `to`), both sides, now; the proxy keeps accepting. */
  cut(to?: ProxyTarget): void {
    for (const link of [...this.#links]) {
      if (to && (link.target?.host !== to.host || link.target?.port !== to.port)) continue;
      this.#reset(link);
    }
  }

  /** New connections go to `target`; live ones are reset (unless `cut: false`) so that clients reconnect. */
  retarget(target: ProxyTarget, options: { cut?: boolean } = {}): void {
    this.#target = { ...target };
    if (options.cut ?? true) this.cut();
  }

  /** Stops listening and resets everything; resolves once every socket is closed. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      const sockets = [...this.#links].flatMap((link) =>
        link.upstream ? [link.client, link.upstream] : [link.client],
      );
      const closed = sockets
        .filter((socket) => !socket.closed)
        .map((socket) => new Promise((done) => socket.once('close', done)));
      this.#server.close(() => Promise.all(closed).then(() => resolve()));
      this.cut();
    });
    return this.#closing;
  }

  #accept(client: Socket): void {
    client.setNoDelay(true);
    const link = new Link(client);
    this.#links.add(link);
    client.on('error', () => this.#reset(link)); // ECONNRESET, EPIPE: never crash
    client.on('close', () => this.#links.delete(link));
    const framer = this.#gate ? new RespFramer() : undefined;
    client.on('data', (data) => {
      if (this.#drops('toServer')) return;
      if (!framer || !this.#gate) {
        link.toServer.push(data);
        return;
      }
      const gate = this.#gate;
      for (const command of framer.push(data)) {
        const rejected = gate.rejection !== undefined && isWrite(command.name);
        if (rejected) gate.rejected++;
        link.toServer.push(rejected ? gate.rejection! : command.bytes);
      }
    });
    // A client's FIN passes only when nothing would be lost; otherwise the link dies with what it carried.
    client.on('end', () => {
      if (link.upstream && link.toServer.idle) link.upstream.end();
      else this.#reset(link);
    });
    if (this.#blackholed) {
      link.throughBlackhole = true; // stalled: never connected upstream
      return;
    }
    this.#configure(link);

    const upstream = connect({ ...this.#target, noDelay: true, allowHalfOpen: true });
    upstream.setNoDelay(true);
    link.upstream = upstream;
    link.target = { ...this.#target };
    // Refused, reset: the client sees a reset too, but not while blackholed: nothing reaches it then
    // (heal() resets what lived through the blackhole).
    upstream.on('error', () => {
      if (link.throughBlackhole) return;
      // A log already draining (the server's FIN came first) lets a late error pass.
      if (this.#log) {
        if (link.upstream === upstream) this.#drainLog(link);
      } else this.#reset(link);
    });
    upstream.on('data', (data) => {
      if (this.#drops('toClient') || (link.crashed && this.#lostAfterCrash(link))) return;
      link.toClient.push(data);
    });
    // The server going away (a crashed primary) loses whatever was still in flight toward the client.
    upstream.on('end', () => {
      if (link.throughBlackhole) return;
      if (link.toClient.idle) client.end();
      else if (this.#log) this.#drainLog(link);
      else this.#reset(link);
    });
  }

  /** The server is gone: the log delivers what it holds, then the client's connection ends. */
  #drainLog(link: Link): void {
    link.upstream = undefined;
    link.toClient.drainThen(
      () => {
        if (!link.closed && !link.client.destroyed) link.client.end();
      },
      link.crashed ? 0 : this.#log?.dropTailMs, // serverCrashed() already dropped the tail at the crash
    );
  }

  /**
   * Bytes read after serverCrashed() were sent before the crash and had not reached the line yet. A delay
   * line loses them with the rest of what it carried; without delay (or hold) nothing was lost in flight,
   * and a log keeps them unless it drops its tail.
   */
  #lostAfterCrash(link: Link): boolean {
    if (this.#log) return this.#log.dropTailMs > 0;
    return !link.toClient.idle;
  }

  #drops(direction: Exclude<Direction, 'both'>): boolean {
    return this.#blackholed === 'both' || this.#blackholed === direction;
  }

  #configure(link: Link): void {
    link.toServer.delayMs = this.#delay.toServer;
    link.toClient.delayMs = this.#delay.toClient;
    link.toServer.setHeld(this.#held);
    link.toClient.setHeld(this.#held);
  }

  #reset(link: Link): void {
    this.#links.delete(link);
    link.reset();
  }
}
