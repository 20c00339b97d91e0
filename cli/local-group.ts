import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import type { LocalCloudOptions } from '../local/cloud.js';
import { wholeNumber } from './args.js';

/** The local replication group's flags, shared by `local` and `emulator`. */
export interface LocalGroupFlags {
  clusterMode?: 'enabled' | 'disabled';
  shards?: number;
  replicas?: number;
  replicationLagMs?: number;
  durability?: 'sync' | 'async';
  durabilityDropTailMs?: number;
  durabilityBufferMs?: number;
  optInTag: boolean;
  tls?: boolean;
  auth?: boolean;
  graceful?: boolean;
  detectionDelayMs?: number;
  failoverModel?: 'fast' | 'realistic';
  dnsTtlMs?: number;
  staleConnectionsMs?: number;
  /** A directory of built task roots (`--bundles` alone: `.aws-sam/build`). */
  bundles?: string;
  /** A fleet: N groups alike, `<group id>-1` … `<group id>-N`. */
  groups?: number;
  /** CloudWatch alarms created in OK (repeatable). */
  alarm?: string[];
}

export function withLocalGroupOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--cluster-mode <mode>', 'cluster mode of the group').choices(['enabled', 'disabled']),
    )
    .option('--shards <n>', 'node groups, cluster mode enabled (default 3)', wholeNumber)
    .option('--replicas <n>', 'replicas per node group (default 2, or 1 in cluster mode)', wholeNumber)
    .option(
      '--replication-lag-ms <n>',
      'a delay line on each replica link: acknowledged writes still in it when the primary dies are lost (cluster mode disabled)',
      wholeNumber,
    )
    .addOption(
      new Option(
        '--durability <mode>',
        'a durable group (Valkey 9.0): sync, the delay line is a log a promotion applies first; async, it stays lossy',
      ).choices(['sync', 'async']),
    )
    .option(
      '--durability-buffer-ms <n>',
      "async: writes are rejected while the log's oldest write is older than this (default 10000, AWS's)",
      wholeNumber,
    )
    .addOption(
      new Option('--durability-drop-tail-ms <n>', 'test-only fault: the sync log loses its last n ms')
        .argParser(wholeNumber)
        .hideHelp(),
    )
    .option(
      '--no-opt-in-tag',
      'create the group without the failover-drill:allowed=true tag (Preflight refuses)',
    )
    .option('--tls', 'serve Redis over TLS only')
    .option('--auth', 'require an AUTH token and add an ACL user')
    .option(
      '--graceful',
      'TestFailover hands over without loss instead of crashing the primary (a control run)',
    )
    .option(
      '--detection-delay-ms <n>',
      'TestFailover call to primary crash (default 500); realistic: to the promotion (default 1000)',
      wholeNumber,
    )
    .addOption(
      new Option(
        '--failover-model <model>',
        "fast: crash and move the endpoint at once; realistic: ElastiCache's phases, the primary stops answering, then cluster mode disabled: DNS lag, READONLY from the old node; enabled: the slot map moves, MOVED from the old node",
      ).choices(['fast', 'realistic']),
    )
    .option(
      '--dns-ttl-ms <n>',
      'realistic, cluster mode disabled: the primary endpoint still points at the old node this long (default 2000)',
      wholeNumber,
    )
    .option(
      '--stale-connections-ms <n>',
      'realistic: connections to the old node live on this long after the name moved (cluster mode: the promotion; default 2000)',
      wholeNumber,
    )
    .addOption(
      new Option(
        '--bundles [dir]',
        'run the Lambda artifacts `sam build` wrote (a task root per function) instead of the sources',
      ).preset('.aws-sam/build'),
    )
    .option(
      '--groups <n>',
      'a fleet: N groups alike (drill-demo-1 …); `local` drills them with the fleet state machine',
      wholeNumber,
    )
    .option(
      '--alarm <name>',
      'create a CloudWatch alarm in state OK, a stop condition (repeatable)',
      (name: string, names: string[] = []) => [...names, name],
    );
}

/** The second region's flags, shared by `local` and `emulator`. */
export interface GlobalFlags {
  global?: boolean;
  crossRegionLatencyMs?: number;
  crossRegionLagMs?: number;
  promotionDelayMs?: number;
}

export function withGlobalOptions(command: Command): Command {
  return command
    .option('--global', 'a second region (eu-west-1): a secondary group joined in a Global Datastore')
    .option(
      '--cross-region-latency-ms <n>',
      'with --global: one-way WAN link latency (default 70)',
      wholeNumber,
    )
    .option(
      '--cross-region-lag-ms <n>',
      'with --global: a delay line on the cross-region replication stream (what a promotion loses)',
      wholeNumber,
    )
    .option(
      '--promotion-delay-ms <n>',
      'with --global: FailoverGlobalReplicationGroup called → the secondary promoted (default 500)',
      wholeNumber,
    );
}

/** The startLocalCloud `global` option: undefined without --global. */
export function globalOptions(flags: GlobalFlags): LocalCloudOptions['global'] {
  return flags.global
    ? {
        crossRegionLatencyMs: flags.crossRegionLatencyMs,
        crossRegionLagMs: flags.crossRegionLagMs,
        promotionDelayMs: flags.promotionDelayMs,
      }
    : undefined;
}

/** The flags as startLocalCloud options (validated there, with the same messages as for library callers). */
export function localGroupOptions(flags: LocalGroupFlags): LocalCloudOptions {
  return {
    clusterMode: flags.clusterMode,
    shards: flags.shards,
    replicas: flags.replicas,
    replicationLagMs: flags.replicationLagMs,
    durability: flags.durability,
    durabilityDropTailMs: flags.durabilityDropTailMs,
    durabilityBufferMs: flags.durabilityBufferMs,
    optInTag: flags.optInTag,
    tls: flags.tls,
    auth: flags.auth,
    graceful: flags.graceful,
    detectionDelayMs: flags.detectionDelayMs,
    failoverModel: flags.failoverModel,
    dnsTtlMs: flags.dnsTtlMs,
    staleConnectionsMs: flags.staleConnectionsMs,
    bundles: flags.bundles === undefined ? undefined : resolve(flags.bundles),
    groups: flags.groups,
    alarms: flags.alarm,
  };
}
