/**
 * The TestFailover quota: at most `limit` node groups in any rolling 24 hours per account and region.
 * The local cloud counts per process.
 */
export const TEST_FAILOVER_LIMIT = 15;
const WINDOW_MS = 24 * 60 * 60 * 1000;

export class FailoverBudget {
  private readonly uses: number[] = [];

  constructor(
    readonly limit = TEST_FAILOVER_LIMIT,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Node groups that may still be failed over now. */
  remaining(): number {
    const horizon = this.clock() - WINDOW_MS;
    while (this.uses.length > 0 && this.uses[0]! <= horizon) this.uses.shift();
    return this.limit - this.uses.length;
  }

  /** Spends one node group; false (and nothing spent) when the quota is used up. */
  take(): boolean {
    if (this.remaining() <= 0) return false;
    this.uses.push(this.clock());
    return true;
  }
}
