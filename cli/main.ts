import { type Command, type CommanderError, Command as Program } from 'commander';
import { buildReport } from '../functions/core/report/report.js';
import { DrillInputError } from '../functions/shared/errors.js';
import { emulatorCommand } from './emulator.js';
import { gateCommand } from './gate.js';
import { historyCommand } from './history.js';
import { localCommand } from './local.js';
import { measureCommand } from './measure.js';
import { EXIT_CODES, writeJsonReport } from './report-output.js';

/** The --json FILE of this invocation, if any (read raw: commander has refused the rest). */
function jsonFile(argv: string[]): string | undefined {
  const at = argv.findIndex((arg) => arg === '--json' || arg.startsWith('--json='));
  if (at < 0) return undefined;
  const arg = argv[at]!;
  return arg.includes('=') ? arg.slice('--json='.length) : argv[at + 1];
}

/**
 * A usage error (unknown flag, missing or bad value) is a refusal like any other: exit 2, and the
 * error report in --json when one was asked for. Help and version exit 0.
 */
function refuseUsageErrors(command: Command): Command {
  return command.exitOverride((error: CommanderError) => {
    if (error.exitCode === 0) process.exit(0);
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
  });
}

const program = refuseUsageErrors(
  new Program('failover-drill').description(
    'Measures what an ElastiCache (Redis OSS / Valkey) primary failover costs: downtime and lost writes.',
  ),
);
for (const command of [
  localCommand(),
  measureCommand(),
  emulatorCommand(),
  gateCommand(),
  historyCommand(),
]) {
  program.addCommand(refuseUsageErrors(command));
}

await program.parseAsync(process.argv);
