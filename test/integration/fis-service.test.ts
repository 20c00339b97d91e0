/**
 * The local cloud's FIS, driven by the AWS CLI v1 against a whole local cloud (real redis-server nodes):
 * a zone's power cut and restored, StopExperiment, and the refusals by AWS names.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIsoDuration } from '../../functions/core/drill/faults/fis-az-power.js';
import { type LocalCloud, startLocalCloud } from '../../local/cloud.js';
import { awsCli } from '../support/aws-cli.js';
import { fisTemplateArgs } from '../support/fis.js';
import { roleAt } from '../support/local-cloud.js';

interface Experiment {
  id: string;
  state: { status: string; reason?: string };
}

let cloud: LocalCloud;
const cli = (args: string[]) => awsCli(cloud.endpoint, ['fis', ...args]);

async function status(id: string): Promise<string> {
  return ((await cli(['get-experiment', '--id', id])).json as { experiment: Experiment }).experiment.state
    .status;
}

/**
 * The experiment's status through the CLI once the service holds one of `wanted` (or the deadline passed).
 * Watched in-process meanwhile: each CLI call starts a Python interpreter (half a CPU-second or more on this
 * machine), and a poll by CLI spent most of the file's CPU.
 */
async function until(id: string, wanted: string[], timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const held = () => cloud.fis.list().find((e) => e.id === id)?.status ?? '';
  while (!wanted.includes(held()) && Date.now() <= deadline) await sleep(20);
  return status(id);
}

async function start(zone: string, duration: string): Promise<{ templateId: string; id: string }> {
  const created = await cli(fisTemplateArgs(cloud, { zone, duration }));
  expect(created.code, created.stderr).toBe(0);
  const templateId = (created.json as { experimentTemplate: { id: string } }).experimentTemplate.id;
  const started = await cli(['start-experiment', '--experiment-template-id', templateId]);
  expect(started.code, started.stderr).toBe(0);
  return { templateId, id: (started.json as { experiment: Experiment }).experiment.id };
}

const roleOf = (nodeId: string) => {
  const node = cloud.group.nodeGroups[0]!.nodes.find((n) => n.id === nodeId)!;
  return roleAt(node).then(
    (r) => r.role,
    () => 'down',
  );
};

beforeAll(async () => {
  cloud = await startLocalCloud({ replicas: 2, detectionDelayMs: 50 });
}, 60_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('local FIS, driven by the AWS CLI v1', () => {
  // The refusals change nothing of the group: they run beside the first experiment.
  it('refuses what it does not serve by AWS names: another action, a bad duration, an unknown id', {
    concurrent: true,
    timeout: 60_000,
  }, async () => {
    // Act
    const badDuration = await cli(fisTemplateArgs(cloud, { zone: `${cloud.region}a`, duration: '10m' }));
    const unknown = await cli(['get-experiment', '--id', 'EXPnothere']);

    // Assess
    expect(badDuration.code).not.toBe(0);
    expect(badDuration.stderr).toContain('ValidationException');
    expect(unknown.stderr).toContain('ResourceNotFoundException');
    expect(parseIsoDuration('PT1H30M')).toBe(5_400_000);
    expect(parseIsoDuration('PT')).toBeUndefined();
  });

  it('powers off the zone of the primary for the duration: a replica elsewhere is promoted, the node comes back as a replica', {
    concurrent: true,
    timeout: 60_000,
  }, async () => {
    // Prepare: members are placed a, b, c in order; 001 (zone a) is the primary.
    expect(cloud.group.nodeGroups[0]!.nodes[0]!.role).toBe('primary');

    // Act
    const { id, templateId } = await start(`${cloud.region}a`, 'PT5S');
    // Watched in-process, not through the CLI: on a loaded machine a few CLI calls outlast the action.
    let [running, during] = ['', ''];
    for (const deadline = Date.now() + 5_000; Date.now() < deadline && during !== 'down'; await sleep(50)) {
      const status = cloud.fis.list().find((e) => e.id === id)?.status ?? '';
      if (status === 'running') running = status;
      if (running) during = await roleOf('drill-demo-001');
    }
    const promoted = await (async () => {
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        const p = cloud.group.nodeGroups[0]!.nodes.find((n) => n.role === 'primary')!.id;
        if (p !== 'drill-demo-001') return p;
        await sleep(50);
      }
      return 'drill-demo-001';
    })();
    const ended = await until(id, ['completed', 'failed', 'stopped']);
    await cloud.idle();

    // Assess
    expect(running).toBe('running');
    expect(during).toBe('down');
    expect(['drill-demo-002', 'drill-demo-003']).toContain(promoted);
    expect(await roleOf(promoted)).toBe('master');
    expect(ended).toBe('completed');
    expect(await roleOf('drill-demo-001')).toBe('slave');
    expect(cloud.fis.list().find((e) => e.id === id)?.members).toEqual(['drill-demo-001']);
    expect((await cli(['delete-experiment-template', '--id', templateId])).code).toBe(0);
  });

  it('StopExperiment restores power before the duration: stopping, then stopped, the node back as a replica', async () => {
    // Prepare
    const nodes = cloud.group.nodeGroups[0]!.nodes;
    const replica = nodes.find((n) => n.role === 'replica')!;
    const zone = `${cloud.region}${'abc'[nodes.indexOf(replica)]}`;
    const { id } = await start(zone, 'PT10M');
    expect(await until(id, ['running'])).toBe('running');
    // The action is running as soon as the experiment is: the node dies a moment later.
    const deadline = Date.now() + 10_000;
    while ((await roleOf(replica.id)) !== 'down' && Date.now() < deadline) await sleep(50);
    expect({
      members: cloud.fis.list().find((e) => e.id === id)?.members,
      role: await roleOf(replica.id),
    }).toEqual({ members: [replica.id], role: 'down' });

    // Act
    const stopped = await cli(['stop-experiment', '--id', id]);
    const ended = await until(id, ['stopped', 'failed', 'completed']);
    await cloud.idle();

    // Assess
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(['stopping', 'stopped']).toContain(
      (stopped.json as { experiment: Experiment }).experiment.state.status,
    );
    expect(ended).toBe('stopped');
    expect(await roleOf(replica.id)).toBe('slave');
  }, 60_000);
});
