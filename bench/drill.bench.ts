/**
 * The default local drill (`failover-drill local`, as `npm run drill` runs it): wall time, where it
 * goes (per state), state transitions, and what the same drill costs on AWS at list price.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIST_PRICES } from '../functions/core/drill/cost.js';
import { runLocalDrill } from '../local/drill.js';
import type { EventLog } from '../local/stepfunctions/runner.js';
import { functionSpecs, loadTemplate } from '../local/template.js';
import { fmt } from './bench-kit.js';

// us-east-1 list prices, kept once beside the drill's cost model.
const {
  perTransition: PRICE_PER_TRANSITION,
  perGbSecond: PRICE_PER_GB_SECOND,
  perRequest: PRICE_PER_REQUEST,
} = LIST_PRICES;

export default async function (): Promise<void> {
  const reportDir = await mkdtemp(join(tmpdir(), 'drill-bench-'));
  const entered = new Map<string, number>();
  const took = new Map<string, number>();
  const invocations = new Map<string, number>();
  const onEvent = (event: EventLog) => {
    const name = (event as { state?: { name: string; type?: string } }).state?.name;
    if (!name) return;
    if (event.type === 'StateEntered') entered.set(name, event.timestamp);
    if (event.type === 'StateExited')
      took.set(name, (took.get(name) ?? 0) + event.timestamp - (entered.get(name) ?? event.timestamp));
    if (event.type === 'StateExited') invocations.set(name, (invocations.get(name) ?? 0) + 1);
  };
  try {
    const result = await runLocalDrill({ reportDir, onEvent });
    if (!result.report)
      throw new Error(`the drill ended without a report: ${result.outcome.error} ${result.outcome.cause}`);
    const report = result.report as { verdict: string; writes: { acknowledged: number; lost: number } };
    const specs = functionSpecs(loadTemplate());
    process.stdout.write(
      `Default local drill: verdict ${report.verdict}, ${fmt(report.writes.acknowledged)} acknowledged, ${report.writes.lost} lost.\n\n` +
        `| | figure |\n| --- | ---: |\n| wall time (start of the local cloud → processes stopped) | ${fmt(result.wallMs)} ms |\n` +
        `| execution (state machine start → end) | ${fmt(result.outcome.stoppedAt - result.outcome.startedAt)} ms |\n` +
        `| state transitions | ${result.outcome.transitions} |\n\n`,
    );
    process.stdout.write('| state | time (ms) |\n| --- | ---: |\n');
    for (const [name, ms] of took) process.stdout.write(`| ${name} | ${fmt(ms)} |\n`);

    // Cost on AWS: the local run's transitions, and each Task's Lambda time at the template's memory.
    // TestFailover on AWS takes minutes, not a second: the AwaitRecovery loop adds two transitions and
    // one invocation per extra poll window (60 s), and the writer runs through the real failover.
    let lambdaCost = 0;
    let requests = 0;
    for (const [state, ms] of took) {
      const spec = specs[`${state}Function`]; // each Task state is named after its function
      if (!spec) continue;
      requests += invocations.get(state) ?? 1;
      lambdaCost += (spec.memoryMb / 1024) * (ms / 1000) * PRICE_PER_GB_SECOND;
    }
    const local =
      result.outcome.transitions * PRICE_PER_TRANSITION + lambdaCost + requests * PRICE_PER_REQUEST;
    // A typical AWS test failover: ~5 min to "Finished recovery", writer ~90 s through the disruption.
    const awsTransitions = result.outcome.transitions + 2 * 4;
    const awsLambda = (1024 / 1024) * 100 * PRICE_PER_GB_SECOND + (256 / 1024) * 300 * PRICE_PER_GB_SECOND;
    const aws = awsTransitions * PRICE_PER_TRANSITION + awsLambda + (requests + 4) * PRICE_PER_REQUEST;
    process.stdout.write(
      `\n| cost per drill (USD, list price) | transitions | total |\n| --- | ---: | ---: |\n` +
        `| with the local run's timings | ${result.outcome.transitions} | ${local.toFixed(6)} |\n` +
        `| typical AWS failover (5 min to full recovery, writer 100 s at 1 GB, AwaitRecovery 300 s at 256 MB) | ${awsTransitions} | ${aws.toFixed(6)} |\n`,
    );
  } finally {
    await rm(reportDir, { recursive: true, force: true });
  }
}
