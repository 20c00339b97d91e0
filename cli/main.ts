import { Command } from 'commander';
import { emulatorCommand } from './emulator.js';
import { gateCommand } from './gate.js';
import { localCommand } from './local.js';
import { measureCommand } from './measure.js';

/** Exit code for refused or malformed invocations, as for every refusal (see the README). */
const USAGE_EXIT = 2;

const program = new Command('failover-drill')
  .description(
    'Measures what an ElastiCache (Redis OSS / Valkey) primary failover costs: downtime and lost writes.',
  )
  .exitOverride((error) => {
    process.exit(error.exitCode === 0 ? 0 : USAGE_EXIT);
  })
  .addCommand(localCommand())
  .addCommand(measureCommand())
  .addCommand(emulatorCommand())
  .addCommand(gateCommand());

await program.parseAsync(process.argv);
