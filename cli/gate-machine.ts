/**
 * Which state machine the gate was given, asked before anything is started: a pipeline that pastes the
 * wrong ARN (the fleet's, the stop-fault's, someone else's) is refused with the ARN it should have used.
 * The drill and the fleet are told apart by the marker that opens their definition's top-level Comment.
 */
import { DescribeStateMachineCommand, ListStateMachinesCommand, type SFNClient } from '@aws-sdk/client-sfn';

/** What a state machine is to the gate. */
export type MachineKind = 'drill' | 'fleet' | 'stop-fault' | 'other';

/**
 * The prefix of each machine's top-level Comment in statemachines/*.asl.json (gate-machine.test.ts pins
 * them). A Comment is the one free field ASL allows at the top level, and it is deployed as written.
 */
export const MACHINE_MARKERS: Record<Exclude<MachineKind, 'other'>, string> = {
  drill: 'failover-drill: ',
  fleet: 'failover-drill fleet: ',
  'stop-fault': 'fis-az-power: power back.',
};

/** The template's output that names each machine's ARN, for the message. */
const STACK_OUTPUTS: Record<'drill' | 'fleet', string> = {
  drill: 'StateMachineArn',
  fleet: 'FleetStateMachineArn',
};

const DESCRIPTIONS: Record<MachineKind, string> = {
  drill: "failover-drill's drill state machine",
  fleet: "failover-drill's fleet state machine",
  'stop-fault': "failover-drill's stop-fault state machine (fis-az-power's power back)",
  other: 'not a failover-drill state machine',
};

/** Machines described at most while looking for the right ARN: only the refusal pays for it. */
const DESCRIBED_AT_MOST = 10;

/** The state machine given is not the one the gate runs (exit 2); nothing was started. */
export class WrongStateMachineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WrongStateMachineError';
  }
}

/** A described machine's kind: its type and its Comment's marker. */
export function machineKind(described: { definition?: string; type?: string }): MachineKind {
  let comment = '';
  try {
    const definition = JSON.parse(described.definition ?? '') as { Comment?: unknown };
    if (typeof definition.Comment === 'string') comment = definition.Comment;
  } catch {
    return 'other';
  }
  if (described.type === 'EXPRESS')
    return comment.startsWith(MACHINE_MARKERS['stop-fault']) ? 'stop-fault' : 'other';
  if (described.type !== 'STANDARD') return 'other';
  // The fleet's marker is the longer one: it is asked first.
  if (comment.startsWith(MACHINE_MARKERS.fleet)) return 'fleet';
  if (comment.startsWith(MACHINE_MARKERS.drill)) return 'drill';
  return 'other';
}

/**
 * The ARN of a machine of `kind` in the same account and region, found by listing (one page) and describing
 * the likeliest few; undefined when none is found or the caller may not list or describe.
 */
async function findMachine(
  sfn: SFNClient,
  kind: 'drill' | 'fleet',
  exclude: string,
): Promise<string | undefined> {
  try {
    const listed = await sfn.send(new ListStateMachinesCommand({ maxResults: 1000 }));
    const byName = (name = '') => {
      const lower = name.toLowerCase();
      // SAM names them after their logical ids (DrillStateMachine-…, FleetStateMachine-…); locally failover-drill….
      return lower.includes(kind) ? 0 : lower.includes('failover-drill') || lower.includes('drill') ? 1 : 2;
    };
    const candidates = (listed.stateMachines ?? [])
      .filter((m) => m.type === 'STANDARD' && m.stateMachineArn && m.stateMachineArn !== exclude)
      .sort((a, b) => byName(a.name) - byName(b.name))
      .slice(0, DESCRIBED_AT_MOST);
    for (const candidate of candidates) {
      const described = await sfn.send(
        new DescribeStateMachineCommand({ stateMachineArn: candidate.stateMachineArn }),
      );
      if (machineKind(described) === kind) return candidate.stateMachineArn;
    }
  } catch {
    // Not allowed to list or describe: the message names the stack's output instead.
  }
  return undefined;
}

/**
 * Refuses (WrongStateMachineError) a machine that is not the drill's — or, with `fleet`, the fleet's —
 * before anything is started. DescribeStateMachine's own errors (StateMachineDoesNotExist,
 * AccessDeniedException) go to the caller as they are.
 */
export async function checkStateMachine(
  sfn: SFNClient,
  stateMachineArn: string,
  fleet: boolean,
): Promise<void> {
  const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
  const kind = machineKind(described);
  const wanted = fleet ? 'fleet' : 'drill';
  if (kind === wanted) return;
  const found = await findMachine(sfn, wanted, stateMachineArn);
  const output = STACK_OUTPUTS[wanted];
  const use = found ? `${found} (the stack's output ${output})` : `the ARN in the stack's output ${output}`;
  const what = `${stateMachineArn} (${described.name ?? 'unnamed'}, ${described.type ?? 'type unknown'}) is ${DESCRIPTIONS[kind]}`;
  const hint =
    kind === 'fleet' && !fleet
      ? `; to run a fleet, pass --fleet with a fleet input; to run one drill, use ${use}`
      : kind === 'drill' && fleet
        ? `; to run one drill, leave out --fleet; to run a fleet, use ${use}`
        : `; the gate runs the ${wanted} state machine: use ${use}`;
  throw new WrongStateMachineError(`${what}, not the ${wanted}'s; nothing was started${hint}`);
}
