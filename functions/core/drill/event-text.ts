/** ElastiCache's own wording of a test failover's events (older events say "master"); read only here. */
export const EVENT_TEXT = {
  testFailoverCalled: /Test Failover API called for node group (\S+)/,
  failoverCompleted: /Failover from (?:primary|master) node (\S+) to replica node (\S+) completed/,
  recovering: /^Recovering cache nodes/,
  finishedRecovery: /^Finished recovery for cache nodes/,
};
