import { DescribeReplicationGroupsCommand, TestFailoverCommand } from '@aws-sdk/client-elasticache';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../local/cloud.js';
import { elastiCacheClient, redisClient, roleAt, waitForEvent } from '../support/local-cloud.js';

let cloud: LocalCloud;
beforeAll(async () => {
  cloud = await startLocalCloud({ tls: true, auth: true, replicas: 1, detectionDelayMs: 100 });
});
afterAll(async () => {
  await cloud?.stop();
});

describe('TLS and AUTH', () => {
  it('serves TLS with an AUTH token and an ACL user, and refuses clients without them', async () => {
    // Prepare
    const { auth, tls, primaryEndpoint, readerEndpoint } = cloud.group;
    const withToken = redisClient(primaryEndpoint!, { password: auth!.token, tls });
    const asUser = redisClient(readerEndpoint!, { username: auth!.username, password: auth!.password, tls });
    const noPassword = redisClient(primaryEndpoint!, { tls });
    const refusals: string[] = [];
    noPassword.on('error', (e: Error) => refusals.push(e.message)); // the server's refusal of HELLO
    const plainText = redisClient(primaryEndpoint!, { password: auth!.token });

    // Act
    await withToken.connect();
    await withToken.set('secret', 'v');
    await withToken.call('WAIT', 1, 2000);
    await asUser.connect();
    const whoami = await asUser.call('ACL', 'WHOAMI');
    const replicated = await asUser.get('secret');
    const served = await noPassword
      .connect()
      .then(() => noPassword.get('secret'))
      .then(
        () => true,
        () => false,
      );
    const plain = await plainText.connect().then(
      () => plainText.ping(),
      (e: Error) => e.message,
    );
    for (const c of [withToken, asUser, noPassword, plainText]) c.disconnect();
    const described = await elastiCacheClient(cloud).send(new DescribeReplicationGroupsCommand({}));

    // Assess
    expect(whoami).toBe(auth!.username);
    expect(replicated).toBe('v');
    expect(served).toBe(false);
    expect(refusals.join('\n')).toMatch(/NOAUTH/);
    expect(plain).not.toBe('PONG');
    expect(described.ReplicationGroups![0]).toMatchObject({
      AuthTokenEnabled: true,
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
    });
  });

  it('fails over with TLS replication links', async () => {
    // Prepare
    const ec = elastiCacheClient(cloud);
    const { auth, tls } = cloud.group;
    const [oldPrimary, replica] = cloud.group.nodeGroups[0]!.nodes;

    // Act
    await ec.send(new TestFailoverCommand({ ReplicationGroupId: 'drill-demo', NodeGroupId: '0001' }));
    await waitForEvent(ec, /^Finished recovery/);

    // Assess
    const access = { password: auth!.token, tls };
    expect(await roleAt(replica!, access)).toEqual({ role: 'master' });
    expect(await roleAt(oldPrimary!, access)).toMatchObject({ role: 'slave', linkState: 'connected' });
  });
});
