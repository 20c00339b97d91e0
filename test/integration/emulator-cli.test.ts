import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import {
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  TestFailoverCommand,
} from '@aws-sdk/client-elasticache';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../local/redis/server.js';
import { cliCommand } from '../support/cli-command.js';
import { faultOf, waitForEvent } from '../support/local-cloud.js';
import { alive, redisChildren } from '../support/process.js';

const run = promisify(execFile);
const cwd = new URL('../..', import.meta.url).pathname;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function emulator(args: string[]): ChildProcess {
  const child = spawn(process.execPath, [...cliCommand(), 'emulator', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

interface Ready {
  endpoint: string;
  region: string;
  groupId: string;
  primaryEndpoint: { host: string; port: number };
  nodeGroups: { id: string; nodes: { id: string; role: string; host: string; port: number }[] }[];
  env: Record<string, string>;
}

async function readyLine(child: ChildProcess): Promise<Ready> {
  const lines = createInterface({ input: child.stdout! });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    for await (const line of lines) return JSON.parse(line) as Ready;
  } finally {
    clearTimeout(timer);
  }
  throw new Error('the emulator exited without a ready line');
}

/** ROLE as redis-cli prints it: the first line is master or slave. */
async function redisCliRole(port: number): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ROLE']);
  return stdout.split('\n')[0]!;
}

describe('failover-drill emulator', () => {
  it('serves a group to the AWS SDK and redis-cli, fails it over, and leaves nothing behind after SIGTERM', async () => {
    // Prepare
    const port = await freePort();
    const child = emulator(['--port', String(port), '--replicas', '1', '--detection-delay-ms', '100']);
    const ready = await readyLine(child);
    const previous = process.env.AWS_ENDPOINT_URL_ELASTICACHE;
    process.env.AWS_ENDPOINT_URL_ELASTICACHE = ready.env.AWS_ENDPOINT_URL_ELASTICACHE;
    const ec = new ElastiCacheClient({
      region: ready.region,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const [primary, replica] = ready.nodeGroups[0]!.nodes;

    // Act
    const described = await ec.send(
      new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'drill-demo' }),
    );
    await ec.send(new TestFailoverCommand({ ReplicationGroupId: 'drill-demo', NodeGroupId: '0001' }));
    const overlapping = await faultOf(
      ec.send(new TestFailoverCommand({ ReplicationGroupId: 'drill-demo', NodeGroupId: '0001' })),
    );
    const unknownGroup = await faultOf(
      ec.send(new TestFailoverCommand({ ReplicationGroupId: 'nope', NodeGroupId: '0001' })),
    );
    const unknownNodeGroup = await faultOf(
      ec.send(new TestFailoverCommand({ ReplicationGroupId: 'drill-demo', NodeGroupId: '0002' })),
    );
    const events = await waitForEvent(ec, /^Finished recovery/);
    const roles = [await redisCliRole(primary!.port), await redisCliRole(replica!.port)];
    const pids = redisChildren(child.pid!);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    process.env.AWS_ENDPOINT_URL_ELASTICACHE = previous;

    // Assess
    expect(ready.endpoint).toBe(`http://127.0.0.1:${port}`);
    expect(described.ReplicationGroups![0]!.NodeGroups![0]!.PrimaryEndpoint!.Port).toBe(
      ready.primaryEndpoint.port,
    );
    expect(overlapping).toEqual(['InvalidReplicationGroupStateFault', 400]);
    expect(unknownGroup).toEqual(['ReplicationGroupNotFoundFault', 404]);
    expect(unknownNodeGroup).toEqual(['NodeGroupNotFoundFault', 404]);
    expect(events.map((e) => e.Message)).toEqual([
      'Test Failover API called for node group 0001',
      `Failover from primary node ${primary!.id} to replica node ${replica!.id} completed`,
      `Failover from primary node ${primary!.id} to replica node ${replica!.id} completed`,
      'Recovering cache nodes 0001',
      'Finished recovery for cache nodes 0001',
    ]);
    expect(roles).toEqual(['slave', 'master']);
    expect(pids).toHaveLength(2);
    expect(code).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
  });

  it('refuses bad flags with exit code 2 and a message', async () => {
    // Prepare
    const cases = [['--shards', '0', '--cluster-mode', 'enabled'], ['--port', 'abc'], ['--bogus']];

    // Act
    const results = await Promise.all(
      cases.map(async (args) => {
        const child = emulator(args);
        let stderr = '';
        child.stderr!.on('data', (chunk) => {
          stderr += chunk;
        });
        const [code] = await once(child, 'exit');
        return { code, stderr };
      }),
    );

    // Assess
    expect(results.map((r) => r.code)).toEqual([2, 2, 2]);
    expect(results[0]!.stderr).toContain('shards must be an integer from 1 to 64');
    expect(results[1]!.stderr).toContain("option '--port <n>' argument 'abc' is invalid");
    expect(results[2]!.stderr).toContain("unknown option '--bogus'");
  });
});
