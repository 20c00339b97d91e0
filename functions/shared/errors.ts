/**
 * The named errors of a drill. The same names flow through the ASL Retry/Catch clauses, the CLI
 * exit codes and the report's `error.name`, so each is declared once, here: no file under `functions/`
 * declares an error class of its own. (`local/` and `cli/` name the errors of the local cloud and the
 * command line themselves.)
 */

/** The input is not a valid drill request: refused before anything is touched (exit 2). */
export class DrillInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrillInputError';
  }
}

/**
 * The fleet input cannot be planned (exit 2): refused before any target is touched. `reason` names
 * the rule, e.g. `duplicate-target`, as GuardrailError's `guardrail` does.
 */
export class FleetInputError extends Error {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(`${reason}: ${message}`);
    this.name = 'FleetInputError';
  }
}

/** A guardrail refused the drill before the fault (exit 2). */
export class GuardrailError extends Error {
  constructor(
    message: string,
    readonly guardrail: string,
  ) {
    super(message);
    this.name = 'GuardrailError';
  }
}

/** The data plane could not be reached or understood (exit 2). */
export class DataPlaneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataPlaneError';
  }
}

/**
 * The writer did not start within its start window after Preflight accepted the drill (the whole baseline,
 * at least a minute: core/drill/writer-options.ts). The fault branch gives up waiting for it (AwaitProbe)
 * before any fault, and a writer starting later still writes nothing (exit 2; raise
 * `writer.baselineSeconds`).
 */
export class WriterStartedLateError extends DataPlaneError {
  constructor(message: string) {
    super(message);
    this.name = 'WriterStartedLateError';
  }
}

/** The data plane's secret could not be read or holds no credential (its value is never quoted; exit 2). */
export class RedisSecretError extends DataPlaneError {
  constructor(message: string) {
    super(message);
    this.name = 'RedisSecretError';
  }
}

/**
 * failed-but-present > 0: a write classified as certainly-not-applied is there, so the figures are
 * suspect (exit 2). The report's verdict is then `error`.
 */
export class ClassificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClassificationError';
  }
}

/** The server refused the credentials (WRONGPASS, NOAUTH, NOPERM): retrying cannot help (exit 2). */
export class RedisAuthError extends DataPlaneError {
  constructor(message: string) {
    super(message);
    this.name = 'RedisAuthError';
  }
}

/** The failover did not complete within the bounded wait (exit 2). */
export class RecoveryTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecoveryTimeoutError';
  }
}

/**
 * fis-az-power: the FIS experiment ended without completing (stopped, failed, cancelled), e.g. its target
 * did not resolve (exit 2). Raised by the state machine's Fail state; named here with the others.
 */
export class FaultExperimentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultExperimentError';
  }
}

/**
 * fis-az-power: the stop-fault state machine did not succeed for an abandoned execution, so an experiment
 * of the run may still hold a zone powered off. The reaper fails with it after cleaning up the rest, and
 * the reaper is invoked again (EventBridge invokes it asynchronously: Lambda retries a failed invocation).
 */
export class FaultStopError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultStopError';
  }
}

/**
 * A stop-condition alarm entered ALARM while the drill ran: the writer is stopped, TestFailover is not
 * called if it had not been, the run is cleaned up (exit 2).
 */
export class StopConditionError extends Error {
  constructor(
    message: string,
    /** The (first) alarm that stopped the drill. */
    readonly alarm: string,
  ) {
    super(message);
    this.name = 'StopConditionError';
  }
}

/**
 * The writer was stopped by the run's halt marker: Cleanup set it because the writer's Parallel branch was
 * abandoned, before or while the writer ran (exit 2).
 */
export class DrillStoppedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrillStoppedError';
  }
}

/** Throttled by an AWS API: the only control-plane error the state machine retries (ASL matches the name). */
export class AwsThrottledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AwsThrottledError';
  }
}

/** Thresholds were exceeded: the drill ran and the gate says fail (exit 1). */
export class DrillThresholdExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrillThresholdExceeded';
  }
}

/** The error as it goes into a report or a Step Functions Cause, without stack or secrets. */
export function errorInfo(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** Named in a client profile's record when its worker thread ended without posting the records. */
export class ProfileWorkerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileWorkerError';
  }
}

/** Named in a shard writer's record when its group's invocation (the fan-out's Map item) stored no records. */
export class ShardGroupMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShardGroupMissingError';
  }
}

/** Per-writer figures a state names are not in the figure store (shared/figure-store.ts). */
export class FigureNotFoundError extends Error {
  constructor(location: string) {
    super(`no figures stored at ${location}`);
    this.name = 'FigureNotFoundError';
  }
}

/**
 * A scale-in (reshard to fewer node groups) would leave too little memory: AWS's best practice is that the
 * retained shards' free memory is at least 1.5× what the removed shards use, and it was not, or could not
 * be read (exit 2, nothing changed). A GuardrailError named `memory-headroom`.
 */
export class MemoryHeadroomError extends GuardrailError {
  constructor(message: string) {
    super(`drill refused, nothing was touched — memory-headroom: ${message}`, 'memory-headroom');
    this.name = 'MemoryHeadroomError';
  }
}
