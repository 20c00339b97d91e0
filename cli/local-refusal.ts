/**
 * `local --input FILE` refused before the local drill's module graph loads (the local cloud, the SDK
 * clients, the state machine): a refusal costs a parse, not a start-up of everything it will never use.
 */
import { parseDrillRequest } from '../functions/core/drill/request.js';
import { DrillInputError } from '../functions/shared/errors.js';
import { readInput } from './args.js';
import type { LocalFlags } from './local.js';
import { runReporting } from './report-output.js';

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * No flag adds to the input (dry run, alarms, clients, a second region, a fleet): the file is then
 * exactly what runLocalDrill parses, so that parsing it here refuses what the drill would refuse.
 */
function inputAsGiven(flags: LocalFlags): flags is LocalFlags & { input: string } {
  return (
    flags.input !== undefined &&
    flags.groups === undefined &&
    !flags.global &&
    !flags.dryRun &&
    !flags.fireAlarm &&
    (flags.alarm ?? []).length === 0 &&
    (flags.client ?? []).length === 0
  );
}

/**
 * Refuses an unreadable, non-JSON or invalid --input as `local` itself does (the error report, its --json,
 * exit 2) and says so; anything else (a fleet input, a valid one, flags that change it) is left to `local`.
 */
export async function refusedEarly(flags: LocalFlags): Promise<boolean> {
  if (!inputAsGiven(flags)) return false;
  try {
    const given = await readInput(flags.input);
    // A fleet input has its own parser, in the fleet's run.
    if (isRecord(given) && 'targets' in given) return false;
    parseDrillRequest(given);
    return false;
  } catch (error) {
    if (!(error instanceof DrillInputError)) return false;
    await runReporting({ json: flags.json, title: 'failover-drill local' }, () => Promise.reject(error));
    return true;
  }
}
