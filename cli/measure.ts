import { Command } from 'commander';

export function measureCommand(): Command {
  return new Command('measure').description('not built yet').action(() => {
    process.stderr.write('failover-drill measure: not built yet\n');
    process.exitCode = 2;
  });
}
