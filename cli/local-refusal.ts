/**
 * `local --input FILE` refused before the local drill's module graph loads (the local cloud, the SDK
 * clients, the state machine): a refusal costs a parse, not a start-up of everything it will never use.
 */
import { parseDrillRequest } from '../functions/core/drill/request.js';
import { DrillInputError, FleetInputError } from '../functions/shared/errors.js';
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
 * exit 2) and says so; anything else (a valid input, flags that change it) is left to `local`.
 */
export async function refusedEarly(flags: LocalFlags): Promise<boolean> {
  if (!inputAsGiven(flags)) return false;
  let fleet = false;
  try {
    const given = await readInput(flags.input);
    fleet = isRecord(given) && 'targets' in given;
    // A fleet's parser loads the ElastiCache client: imported only for a fleet input.
    if (fleet) (await import('../functions/core/drill/fleet.js')).parseFleetRequest(given);
    else parseDrillRequest(given);
    return false;
  } catch (error) {
    if (!(error instanceof DrillInputError || error instanceof FleetInputError)) return false;
    const title = fleet ? 'failover-drill local (fleet)' : 'failover-drill local';
    await runReporting({ json: flags.json, title }, () => Promise.reject(error));
    return true;
  }
}
