import { Command } from 'commander';

export function gateCommand(): Command {
  return new Command('gate').description('not built yet').action(() => {
    process.stderr.write('failover-drill gate: not built yet\n');
    process.exitCode = 2;
  });
}
