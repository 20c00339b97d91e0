import { Command } from 'commander';

export function emulatorCommand(): Command {
  return new Command('emulator').description('not built yet').action(() => {
    process.stderr.write('failover-drill emulator: not built yet\n');
    process.exitCode = 2;
  });
}
