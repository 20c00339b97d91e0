import { readFileSync } from 'node:fs';
import { type Command, CommanderError, Command as Program } from 'commander';
import { emulatorCommand, gateCommand, historyCommand, localCommand, measureCommand } from './commands.js';

/** The --json FILE of this invocation, if any (read raw: commander has refused the rest). */
function jsonFile(argv: string[]): string | undefined {
  const at = argv.findIndex((arg) => arg === '--json' || arg.startsWith('--json='));
  if (at < 0) return undefined;
  const arg = argv[at]!;
  return arg.includes('=') ? arg.slice('--json='.length) : argv[at + 1];
}

/** The package's version: package.json is one level up from cli/ in a checkout, two from dist/cli/. */
function packageVersion(): string {
  for (const up of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'failover-drill' && pkg.version) return pkg.version;
    } catch {
      // not this level
    }
  }
  return 'unknown';
}

/**
 * A usage error (unknown flag, missing or bad value) is a refusal like any other: exit 2, and the
 * error report in --json when one was asked for. Help and version exit 0.
 */
async function refuse(error: CommanderError): Promise<never> {
  if (error.exitCode === 0) process.exit(0);
  const [{ buildReport }, { DrillInputError }, { EXIT_CODES, writeJsonReport }] = await Promise.all([
    import('../functions/core/report/report.js'),
    import('../functions/shared/errors.js'),
    import('./report-output.js'),
  ]);
  const file = jsonFile(process.argv);
  if (file && !file.startsWith('-')) {
    try {
      writeJsonReport(
        file,
        buildReport({ error: new DrillInputError(error.message.replace(/^error: /, '')) }),
      );
    } catch {
      // the refusal itself is what matters; commander has printed it
    }
  }
  process.exit(EXIT_CODES.error);
}

const throwUsageErrors = (command: Command): Command =>
  command.exitOverride((error) => {
    throw error;
  });

const program = throwUsageErrors(
  new Program('failover-drill')
    .description(
      'Measures what an ElastiCache (Redis OSS / Valkey) primary failover costs: downtime and lost writes.',
    )
    .version(packageVersion(), '-V, --version', 'print the version'),
);
for (const command of [
  localCommand(),
  measureCommand(),
  emulatorCommand(),
  gateCommand(),
  historyCommand(),
]) {
  program.addCommand(throwUsageErrors(command));
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  await refuse(error);
}

// The command has finished: its report is written and every process it started is stopped. The process
// then ends on its own as soon as nothing holds it. A holder we did not see coming (the one found: ioredis
// re-arming a disconnected Cluster's slot refresh, see disconnectForGood) must not keep a CI job waiting,
// so it gets a short grace and then the exit code the command set.
setTimeout(() => process.exit(), 2_000).unref();
