import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { parseInfo } from '../../functions/shared/redis-info.js';
import { register } from './registry.js';
import type { TlsFiles } from './tls.js';

export class RedisServerMissingError extends Error {
  constructor() {
    super(
      'redis-server was not found on PATH. Install it: `apt-get install redis-server` (Debian/Ubuntu) or `brew install redis` (macOS).',
    );
    this.name = 'RedisServerMissingError';
  }
}

export class RedisServerStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisServerStartError';
  }
}

export interface Endpoint {
  host: string;
  port: number;
}

export interface RedisServerOptions {
  /** Shown in the process's directory name and in errors. */
  name?: string;
  /** A fixed port (restarts keep theirs); default a free one. */
  port?: number;
  replicaOf?: Endpoint;
  /** Wait for the replication link to come up before returning (default true with replicaOf). */
  waitForSync?: boolean;
  cluster?: { nodeTimeoutMs?: number };
  /** requirepass and masterauth. */
  password?: string;
  /** ACL users, as `user` directives without the leading keyword, e.g. `app on >secret ~* +@all`. */
  aclUsers?: string[];
  /** Serve TLS only (the port speaks TLS; replication and the cluster bus too). */
  tls?: TlsFiles;
  /** Further redis.conf directives. */
  config?: Record<string, string>;
  /** Reuse a directory (restart); default a fresh temp dir. */
  dir?: string;
}

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 10_000;

/** A free TCP port on the loopback interface (the kernel picks it; a bind race is retried by the caller). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, HOST);
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function configText(port: number, dir: string, o: RedisServerOptions): string {
  const lines: string[] = [
    `bind ${HOST}`,
    'protected-mode no',
    'daemonize no',
    `dir ${dir}`,
    'logfile redis.log',
    'save ""',
    'appendonly no',
    'repl-diskless-sync yes',
    'repl-diskless-sync-delay 0',
    'repl-ping-replica-period 1',
    'repl-timeout 5',
  ];
  if (o.tls) {
    lines.push(
      'port 0',
      `tls-port ${port}`,
      `tls-cert-file ${o.tls.certFile}`,
      `tls-key-file ${o.tls.keyFile}`,
      `tls-ca-cert-file ${o.tls.caFile}`,
      'tls-auth-clients no',
      'tls-replication yes',
    );
    if (o.cluster) lines.push('tls-cluster yes');
  } else {
    lines.push(`port ${port}`);
  }
  if (o.password) lines.push(`requirepass "${o.password}"`, `masterauth "${o.password}"`);
  for (const user of o.aclUsers ?? []) lines.push(`user ${user}`);
  if (o.cluster) {
    lines.push(
      'cluster-enabled yes',
      'cluster-config-file nodes.conf',
      `cluster-node-timeout ${o.cluster.nodeTimeoutMs ?? 1000}`,
      'cluster-allow-replica-migration no',
      'cluster-replica-validity-factor 0',
    );
  }
  if (o.replicaOf) lines.push(`replicaof ${o.replicaOf.host} ${o.replicaOf.port}`);
  for (const [key, value] of Object.entries(o.config ?? {})) lines.push(`${key} ${value}`);
  return `${lines.join('\n')}\n`;
}

/** One real redis-server process on the loopback interface, in its own directory. */
export class RedisServer {
  readonly host = HOST;
  private child: ChildProcess | undefined;
  private admin: Redis | undefined;
  private removed = false;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private options: RedisServerOptions,
  ) {}

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), `failover-drill-${options.name ?? 'redis'}-`)));
    for (let attempt = 0; ; attempt++) {
      const port = options.port ?? (await freePort());
      const server = new RedisServer(port, dir, options);
      try {
        await server.launch();
        return server;
      } catch (error) {
        const portTaken =
          error instanceof RedisServerStartError && /Address already in use/.test(error.message);
        if (!portTaken || options.port !== undefined || attempt >= 4) {
          if (options.dir === undefined) await rm(dir, { recursive: true, force: true });
          throw error;
        }
      }
    }
  }

  get name(): string {
    return this.options.name ?? `redis-${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get endpoint(): Endpoint {
    return { host: this.host, port: this.port };
  }

  get url(): string {
    return `${this.options.tls ? 'rediss' : 'redis'}://${this.host}:${this.port}`;
  }

  /** A new client for this server, or for `to` with this server's password and TLS (the caller quits it). */
  client(to: Endpoint = this.endpoint): Redis {
    const client = new Redis({
      host: to.host,
      port: to.port,
      password: this.options.password,
      tls: this.options.tls ? { ca: this.options.tls.ca } : undefined,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: true,
      connectTimeout: 2000,
      retryStrategy: () => null,
    });
    // Failures surface through the commands' rejections; without a listener ioredis prints them too.
    client.on('error', () => {});
    return client;
  }

  /** Runs one command on a cached admin connection. */
  async call(command: string, ...args: (string | number)[]): Promise<unknown> {
    if (!this.admin || this.admin.status === 'end') this.admin = this.client();
    return this.admin.call(command, ...args);
  }

  async info(section?: string): Promise<Record<string, string>> {
    const text = (await (section ? this.call('INFO', section) : this.call('INFO'))) as string;
    return parseInfo(text);
  }

  /** Sets redis.conf directives now (CONFIG SET) and for every restart (they join the options' config). */
  async configure(changes: Record<string, string>): Promise<void> {
    this.options = { ...this.options, config: { ...this.options.config, ...changes } };
    for (const [key, value] of Object.entries(changes)) await this.call('CONFIG', 'SET', key, value);
  }

  /** Crash: SIGKILL now, keep the directory so that restart() can bring the node back. */
  async kill(): Promise<void> {
    this.closeAdmin();
    const child = this.child;
    if (!child || !this.running) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  /** Starts the process again on the same port and directory, with changed options (e.g. replicaOf). */
  async restart(changes: Partial<RedisServerOptions> = {}): Promise<void> {
    await this.kill();
    this.options = { ...this.options, ...changes };
    if (changes.replicaOf === undefined && 'replicaOf' in changes) delete this.options.replicaOf;
    await this.launch();
  }

  /** Stops the process and removes its directory. Idempotent. */
  async stop(): Promise<void> {
    await this.kill();
    if (!this.removed && this.options.dir === undefined) {
      this.removed = true;
      await rm(this.dir, { recursive: true, force: true });
    }
  }

  /** Waits until this replica's link to its primary is up and the primary's stream reaches it. */
  async waitForSync(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const linked = async () => {
      const info = await this.info('replication');
      const up =
        info.role === 'slave' && info.master_link_status === 'up' && info.master_sync_in_progress === '0';
      return up ? info : undefined;
    };
    let info = await linked();
    for (; !info; info = await linked()) await this.pauseUntil(deadline, 'replication link not up');
    if (this.options.cluster) return; // a cluster node's PUBLISH goes over the bus, not the stream
    // After a diskless sync the primary streams only once the replica's REPLCONF ACK finds it online; an
    // ACK that came earlier is ignored, and the next comes a second later. A link "up" until then carries
    // nothing: a PUBLISH (propagated, no key) marks an offset the replica must reach.
    const primary = this.client({ host: info.master_host!, port: Number(info.master_port) });
    try {
      await primary.publish('failover-drill:sync', this.name);
      const target = Number(parseInfo((await primary.info('replication')) as string).master_repl_offset);
      while (Number((await this.info('replication')).slave_repl_offset) < target)
        await this.pauseUntil(deadline, 'replication stream not flowing');
    } finally {
      primary.disconnect();
    }
  }

  private async pauseUntil(deadline: number, what: string): Promise<void> {
    if (Date.now() > deadline) throw new RedisServerStartError(`${this.name}: ${what} by the deadline`);
    await sleep(20);
  }

  private closeAdmin(): void {
    // An admin connection that already ended (refused while the server starts) has no socket left to close,
    // but ioredis's disconnect() would still arm its 2 s disconnectTimeout on it: a timer that holds a CLI
    // process alive that long after its command has finished.
    if (this.admin?.status !== 'end') this.admin?.disconnect();
    this.admin = undefined;
  }

  private async launch(): Promise<void> {
    await writeFile(join(this.dir, 'redis.conf'), configText(this.port, this.dir, this.options));
    const child = spawn('redis-server', [join(this.dir, 'redis.conf')], { stdio: 'ignore', cwd: this.dir });
    try {
      await once(child, 'spawn'); // rejects with the spawn error, e.g. ENOENT
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new RedisServerMissingError();
      throw error;
    }
    this.child = child;
    register(child);
    await this.waitUntilAnswering();
    if (this.options.replicaOf && this.options.waitForSync !== false) await this.waitForSync();
  }

  private async waitUntilAnswering(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (!this.running) {
        const log = await readFile(join(this.dir, 'redis.log'), 'utf8').catch(() => '');
        throw new RedisServerStartError(
          `${this.name} exited while starting on port ${this.port}:\n${log.split('\n').slice(-8).join('\n')}`,
        );
      }
      try {
        // Ours, not a neighbour's: two tests can be handed the same free port, and while our process is
        // still failing to bind it, the other test's server answers there (and would take our commands).
        const info = parseInfo((await this.call('INFO', 'server')) as string);
        if (Number(info.process_id) === this.child?.pid) return;
      } catch {
        this.closeAdmin();
      }
      if (Date.now() > deadline) {
        await this.kill();
        throw new RedisServerStartError(
          `${this.name} did not answer on port ${this.port} within ${READY_TIMEOUT_MS} ms`,
        );
      }
      await sleep(10);
    }
  }
}
