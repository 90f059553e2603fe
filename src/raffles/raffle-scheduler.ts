import type { Logger } from 'pino';
import type { Db } from '../db/database';
import type { RoundRunner } from './round-runner';

/**
 * Every instance polls for running raffles whose next round is due and runs them through the
 * RoundRunner, whose lease makes each round happen once in total. State lives in the database,
 * so raffles resume after a restart and move to another instance when one dies.
 */
export class RaffleScheduler {
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private stopped = true;

  constructor(
    private readonly db: Db,
    private readonly rounds: RoundRunner,
    private readonly pollMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the rounds in flight to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.allSettled(this.inFlight.values());
  }

  /** Stops polling at once, leaving rounds in flight and their leases as they are (crash simulation). */
  abandon(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    try {
      // The database clock decides what is due and which leases expired, as in RoundRunner.claim.
      const due = await this.db.$queryRaw<{ id: string }[]>`
        SELECT id FROM raffles
         WHERE status = 'RUNNING'
           AND next_round_at <= now()
           AND (lease_until IS NULL OR lease_until < now())
         ORDER BY next_round_at
         LIMIT 100`;
      for (const { id } of due) {
        if (this.stopped || this.inFlight.has(id)) continue;
        const run = this.rounds
          .run(id, { force: false })
          .catch((error: unknown) => this.logger.error({ err: error, raffleId: id }, 'round crashed'))
          .finally(() => this.inFlight.delete(id));
        this.inFlight.set(id, run);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'scheduler poll failed; retrying');
    }
    this.schedule(this.pollMs);
  }
}
