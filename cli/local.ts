import { Command } from 'commander';

export function localCommand(): Command {
  return new Command('local').description('not built yet').action(() => {
    process.stderr.write('failover-drill local: not built yet\n');
    process.exitCode = 2;
  });
}
