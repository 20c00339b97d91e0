/**
 * Every command's flags and help, and nothing heavy: each action imports its command's code only when
 * it runs, so that `--help` and `--version` print without loading the AWS SDK, ioredis or the local cloud.
 */
import { Command } from 'commander';
import { CLIENT_PRESETS } from '../functions/core/measure/clients/presets.js';
import { collect, number, positiveSeconds, wholeNumber } from './args.js';
import type { EmulatorFlags } from './emulator.js';
import type { GateFlags } from './gate.js';
import type { HistoryFlags } from './history.js';
import type { LocalFlags } from './local.js';
import { withGlobalOptions, withLocalGroupOptions } from './local-group.js';

const CLIENT_HELP = `a client profile beside the probe (repeatable): ${Object.keys(CLIENT_PRESETS).join(', ')}, or a JSON file { name, library, options }`;

export function localCommand(): Command {
  return withGlobalOptions(
    withLocalGroupOptions(
      new Command('local')
        .description(
          'Start a local replication group of real redis-server processes and run a whole drill through the ' +
            'real state machine and handlers. Exit 0 pass, 1 threshold exceeded, 2 refused or error.',
        )
        .option(
          '--input <file>',
          'the execution input (JSON), validated exactly as in AWS; with `targets`, a fleet input (the fleet state machine)',
        )
        .option(
          '--dry-run',
          'judge every guardrail and report the plan (target, failover budget left, expected writes); touch nothing',
        )
        .option(
          '--fire-alarm <name>',
          'create this stop-condition alarm and set it to ALARM --fire-after-ms into the drill',
        )
        .option(
          '--fire-after-ms <n>',
          'when --fire-alarm fires: ms after the writer starts (default 0)',
          wholeNumber,
        )
        .option('--json <file>', 'write the report JSON here, on every outcome')
        .option('--report-dir <dir>', 'where JSON and HTML reports go, per run', 'drill-reports')
        .option('--verbose', "show the Lambdas' log lines and metrics")
        .option('--client <preset|file>', CLIENT_HELP, collect),
    ),
  )
    .option(
      '--fail-back',
      'with --global: fail back to the original region afterwards and measure that failover too',
    )
    .hook('preAction', (command) => {
      if (command.opts<LocalFlags>().failBack && !command.opts<LocalFlags>().global)
        command.error('error: --fail-back needs --global (it fails a Global Datastore back)');
    })
    .action(async (flags: LocalFlags) => {
      // Validated before the drill's modules load: a refusal exits without starting them.
      if (await (await import('./local-refusal.js')).refusedEarly(flags)) return;
      await (await import('./local.js')).runLocal(flags);
    });
}

export function measureCommand(): Command {
  return new Command('measure')
    .description(
      'Observe only: write sequenced keys until a disruption caused by something else has come and settled, verify, report.',
    )
    .option(
      '--endpoint [url]',
      'redis://HOST:PORT or rediss://HOST:PORT (TLS) of the primary (or a cluster node)',
    )
    .option('--cluster', 'cluster mode: keys pinned to one slot, fail-fast ioredis Cluster')
    .option('--json [file]', 'write the JSON report here (on every outcome)')
    .option('--max-duration [s]', 'hard cap on writing, seconds (default 300)')
    .option('--settle [s]', 'continuous success after the disruption before stopping, seconds (default 5)')
    .option('--baseline [s]', 'disruptions are not looked for before this, seconds (default 0)')
    .option('--rate [n]', 'writes per second (default 1000: 1 ms resolution; 0 = as fast as possible)')
    .option('--concurrency [n]', 'writes in flight at most (default 16)')
    .option('--keep-keys', 'do not delete the written keys (they expire after --ttl)')
    .option('--ttl [s]', 'expiry of every written key, seconds (default 3600)')
    .option('--run-id [id]', 'names the keys: <prefix>:<run-id>:<seq> (default measure-<timestamp>)')
    .option('--prefix [p]', 'key prefix (default failover-drill)')
    .option('--user [name]', 'ACL user name')
    .option('--password-env [name]', 'read the password from this environment variable')
    .option('--password-file [file]', 'read the password from this file')
    .option('--tls-ca [file]', 'PEM of the CA to trust for rediss://')
    .option('--command-timeout [ms]', 'client command timeout (default 1000)')
    .option('--max-downtime-ms [n]', 'threshold: longest acceptable downtime')
    .option('--max-lost-writes [n]', 'threshold: acknowledged writes that may be lost (default 0)')
    .option('--max-data-loss-window-ms [n]', 'threshold: longest acceptable data-loss window')
    .option('--max-unexpected-writes [n]', 'threshold: unexplained keys (default 0)')
    .option('--max-time-to-promote-ms [n]', 'threshold: longest acceptable time to a new primary')
    .option('--require-disruption', 'fail when no disruption was observed')
    .option(
      '--durability [mode]',
      "declare a durable group's mode, sync or async: its promise is judged (a broken one fails the run)",
    )
    .option('--durability-buffer-ms [n]', "the async promise's data-loss window, ms (default 10000, AWS's)")
    .option('--client <preset|file>', CLIENT_HELP, collect)
    .option('--client-max-downtime-ms [n]', 'threshold for every profile: longest wait for an ok')
    .option('--client-max-non-ok-writes [n]', 'threshold for every profile: failed + indeterminate writes')
    .option('--client-max-lost-writes [n]', 'threshold for every profile: acknowledged writes lost')
    .option('--client-max-duplicated-writes [n]', 'threshold for every profile: writes applied twice')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(
      async (raw: Record<string, string | boolean | undefined> & { client?: string[] }, command: Command) =>
        (await import('./measure.js')).runMeasure(raw, command.args),
    );
}

export function emulatorCommand(): Command {
  return withGlobalOptions(
    withLocalGroupOptions(
      new Command('emulator')
        .description(
          'Serve the local cloud until SIGINT/SIGTERM: a replication group of real redis-server processes and ' +
            'an ElastiCache + SNS + Step Functions (the drill state machine) control plane on 127.0.0.1 for the AWS SDK (AWS_ENDPOINT_URL_*). Prints one ' +
            'ready line of JSON on stdout.',
        )
        .option('--port <n>', 'control plane port (default: a free one)', wholeNumber),
    ),
  )
    .option('--group-id <id>', 'replication group id (default drill-demo)')
    .option('--sns-log <file>', 'append published SNS messages to this JSONL file')
    .option(
      '--report-dir <dir>',
      'where drills started through the local Step Functions store reports',
      'drill-reports',
    )
    .option('--verbose', "show the drill Lambdas' log lines")
    .action(async (flags: EmulatorFlags) => (await import('./emulator.js')).serve(flags));
}

export function gateCommand(): Command {
  return (
    new Command('gate')
      .description(
        'Start one execution of the drill state machine, follow it with progress on stderr, print the report ' +
          'and exit 0 pass, 1 threshold exceeded, 2 refused or error. The endpoint and credentials are the ' +
          "SDK's own (AWS_ENDPOINT_URL_SFN, AWS_REGION, …).",
      )
      .requiredOption('--state-machine-arn <arn>', 'the drill state machine')
      .option(
        '--replication-group <id>',
        'the replication group to drill (replicationGroupId); required unless --fleet',
      )
      .option(
        '--fleet',
        'the state machine is the fleet: --input is a fleet input (targets); a JUnit suite per target',
      )
      .option('--node-group <id>', 'the node group to fail over (default: the first with a replica)')
      .option('--max-downtime-ms <n>', 'threshold: longest acceptable write downtime', number)
      .option('--max-lost-writes <n>', 'threshold: acknowledged writes that may be lost (default 0)', number)
      .option('--max-data-loss-window-ms <n>', 'threshold: longest acceptable data-loss window', number)
      .option('--input <file>', 'the execution input (JSON); the flags above override its fields')
      .option(
        '--dry-run',
        'the execution judges every guardrail and reports the plan, then ends: no key, no lock, no fault',
      )
      .option('--junit <file>', 'write a JUnit XML report here, on every outcome')
      .option('--json <file>', 'write the report JSON here, on every outcome')
      .option('--poll-interval <s>', 'seconds between polls of the execution', positiveSeconds, 2)
      .option('--timeout <s>', 'seconds to follow the execution at most', positiveSeconds, 3600)
      .option('--name <name>', 'the execution name, also the run id (default: drill-<time>-<random>)')
      // Required for a drill; a fleet names its targets in --input (a usage error, exit 2, as commander's own).
      .hook('preAction', (command) => {
        const flags = command.opts<GateFlags>();
        if (!flags.fleet && flags.replicationGroup === undefined)
          command.error("error: required option '--replication-group <id>' not specified (or --fleet)");
      })
      .action(async (flags: GateFlags) => (await import('./gate.js')).gate(flags))
  );
}

export function historyCommand(): Command {
  return new Command('history')
    .description('List the past drills of a replication group from the report store, oldest first.')
    .requiredOption('--replication-group <id>', 'the replication group')
    .option('--node-group <id>', 'only this node group')
    .option('--report-dir <dir>', 'a local report store (default drill-reports)')
    .option('--bucket <name>', 'the S3 report bucket (ReportsBucket of the stack)')
    .option('--json <file>', 'write the list as JSON here')
    .option('--limit <n>', 'the newest N drills at most', wholeNumber, 100)
    .action(async (flags: HistoryFlags) => (await import('./history.js')).runHistory(flags));
}
