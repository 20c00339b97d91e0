/**
 * `fault: "none"`: the drill only measures a fault something else injects. Nothing is started (the ASL's
 * ObserveOnly ends the fault branch at once), the writer alone sees the fault and its end, nothing is undone.
 */
import * as z from 'zod';
import type { FaultSource } from './index.js';

export const observeOnlySchema = z.literal('none');

export const observeOnly: FaultSource<'none', 'none'> = {
  name: 'none',
  summary: 'measure-only: something else injects the fault',
  schema: observeOnlySchema,
  checkRequest: () => undefined,
  guardrails: {
    // Nothing is promoted by the drill: the group may be drilled without automatic failover.
    needsAutomaticFailover: false,
    spendsTestFailoverBudget: false,
    judge: () => ({}),
  },
  start: { state: 'ObserveOnly', by: 'nothing' },
  recovery: { endedBy: 'whatever injects it', recoveredBy: 'writer' },
  undo: null,
  report: {
    injects: false,
    // Never shown: no T0 (requestedAt 0) puts no event on the timeline.
    requested: 'TestFailover requested',
    dryRun: () => 'would observe a fault injected by something else',
  },
  asl: { entry: 'ObserveOnly', branch: ['ObserveOnly'], outside: [] },
};
