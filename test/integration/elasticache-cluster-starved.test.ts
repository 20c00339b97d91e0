/**
 * The flake of issue 10: on a loaded machine a failover's recovery never finished ("… in sync with …: not
 * reached within 20000 ms"). Two causes, both ending with the old primary, just back, holding its slots
 * again: a node starved of CPU past the cluster's node timeout voted out by its replica (injected here with
 * SIGSTOP at the worst moment, so the cause is tested, not waited for), and an epoch tie that TAKEOVER
 * left (seen in the nodes' logs; the old primary now comes back as a replica by its own record).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterGroup } from '../../local/elasticache/cluster-group.js';
import { roleAt } from '../support/local-cloud.js';

let group: ClusterGroup;
beforeAll(async () => {
  group = await ClusterGroup.start({
    id: 'starved',
    shards: 3,
    replicas: 1,
    detectionDelayMs: 0,
    graceful: false,
  });
});
afterAll(async () => {
  await group?.stop();
});

describe('a cluster failover on a starved machine', () => {
  it('recovers when the new primary stalls for 3 s just as the old one comes back: the old one rejoins as its replica', async () => {
    // Prepare
    const [from, to] = group.view().nodeGroups[1]!.members;
    const events: string[] = [];
    let stall: Promise<void> = Promise.resolve();

    // Act
    await group.failover('0002', (_type, _source, message) => {
      events.push(message);
      if (!message.startsWith('Recovering')) return;
      // The old primary is restarted right after this event; the new one gets no CPU for 3 s.
      const pid = group.pid(to!.id)!;
      process.kill(pid, 'SIGSTOP');
      stall = sleep(3000).then(() => {
        process.kill(pid, 'SIGCONT');
      });
    });
    await stall;
    const view = group.view().nodeGroups[1]!.members;

    // Assess
    expect(events.at(-1)).toBe('Finished recovery for cache nodes 0001');
    expect(view.map((m) => [m.id, m.role])).toEqual([
      [from!.id, 'replica'],
      [to!.id, 'primary'],
    ]);
    expect(await roleAt(from!.endpoint)).toEqual({
      role: 'slave',
      primaryPort: to!.endpoint.port,
      linkState: 'connected',
    });
  });
});
