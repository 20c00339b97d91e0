/**
 * How the gate tells the drill's state machine from the fleet's, the stop-fault's and anyone else's: the
 * markers pinned against the real ASL files as template.yaml deploys them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTemplate, PROJECT_ROOT } from '../local/template.js';
import { machineKind } from './gate-machine.js';

/** A state machine of template.yaml as DescribeStateMachine shows it: its type and its ASL file. */
function deployed(logicalId: string): { type: string; definition: string } {
  const { DefinitionUri, Type } = loadTemplate().Resources[logicalId]!.Properties as {
    DefinitionUri: string;
    Type: string;
  };
  return { type: Type, definition: readFileSync(join(PROJECT_ROOT, DefinitionUri), 'utf8') };
}

describe('machineKind', () => {
  it("knows the template's three machines by their type and their Comment's marker", () => {
    // Prepare
    const machines = ['DrillStateMachine', 'FleetStateMachine', 'FaultStopStateMachine'].map(deployed);

    // Act
    const kinds = machines.map(machineKind);

    // Assess
    expect(kinds).toEqual(['drill', 'fleet', 'stop-fault']);
  });

  it('calls anything else other: another Comment, the right Comment on the wrong type, no definition', () => {
    // Prepare
    const drill = deployed('DrillStateMachine');
    const cases = [
      { type: 'STANDARD', definition: JSON.stringify({ Comment: 'Orders: charge, ship', States: {} }) },
      { type: 'STANDARD', definition: JSON.stringify({ States: {} }) },
      { type: 'EXPRESS', definition: drill.definition },
      { type: 'STANDARD', definition: 'not JSON' },
      { type: 'STANDARD' },
    ];

    // Act
    const kinds = cases.map(machineKind);

    // Assess
    expect(kinds).toEqual(['other', 'other', 'other', 'other', 'other']);
  });
});
