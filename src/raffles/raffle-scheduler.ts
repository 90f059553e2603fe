import type { Logger } from 'pino';
import type { Db } from '../db/database';
import type { Raffle } from '../generated/prisma/client';
import { claimDueRaffles, type ClaimedRaffle } from './round-claims';
import type { RaffleEvents } from './raffle-events';
import type { RoundRunner } from './round-runner';

/** One scheduled round, as the scheduler saw it: how late it ran against its due time. */
export interface ScheduledRound {
  raffleId: string;
  number: number;
  dueAt: Date;
  /** When this instance claimed the raffle (database clock): claimedAt − dueAt is the wait to be claimed. */
  claimedAt: Date;
  /** How long the claim waited in this instance's queue for a place in its pool (process clock). */
  queuedMs: number;
  /** The round's own time (database clock, at its commit). */
  at: Date;
  /** at − dueAt, ms. */
  lagMs: number;
}

export interface RaffleSchedulerOptions {
  instanceId: string;
  leaseSeconds: number;
  /** The safety net: look for due raffles at least this often (other instances' raffles). */
  pollMs: number;
  /** Rounds run at once by this instance (each holds a database connection for its commit). */
  concurrency: number;
  /** Told of every round the scheduler ran (the capacity bench measures the lag with it). */
  onRound?(round: ScheduledRound): void;
}

/** Counters since start (the capacity bench reports claim statements per round with them). */
export interface SchedulerStats {
  /** Claim statements run. */
  sweeps: number;
  /** Raffles claimed by them. */
  claimed: number;
  /** Rounds in flight now, and claims waiting to start. */
  inFlight: number;
  queued: number;
}

/**
 * Timer sweeps (the next raffle is due) at most this often: at 2,000 raffles on a 10 s interval a
 * round is due every 5 ms, and a claim per due time would cost more than rounds. Raffles due
 * within this long of each other share a claim. Refills of a backlog are not held back by it.
 */
const MIN_SWEEP_GAP_MS = 100;
/** When the earliest raffle is due but another instance is claiming it right now. */
const CONTENDED_RETRY_MS = 20;

/**
 * Runs every running raffle's rounds at their due times (fixed rate, see round-schedule.ts). State
 * lives in the database, so raffles resume after a restart and move to another instance when one
 * dies; the lease taken by the claim makes each round happen once in total.
 *
 * A sweep claims the due raffles in batches (one statement, FOR UPDATE SKIP LOCKED,
 * round-claims.ts) into a pool of `concurrency` rounds at once, plus a queue of at most as many
 * again: while the pool is full, the queue is what keeps it full across the claim's round trip.
 * When a claim filled every place (a backlog), the queue is refilled as soon as it falls to half,
 * without waiting for the sweep gap: the pool never idles while raffles are due, and claims cost
 * a statement per `concurrency / 2` rounds at most. A claim waits in the queue for at most
 * `concurrency` rounds of this instance to start before it (measured: ScheduledRound.queuedMs);
 * the other instances claim the rest. Measured with a one-statement round (2026-12-02, loaded
 * 2-core VM): refills held to the sweep gap capped an instance at 2 × concurrency per 100 ms,
 * ~155 rounds/s whatever a round costs; claiming only the free places (no queue) reached
 * 370–590 rounds/s, this queue 750–820. Between sweeps one timer sleeps until the earliest running
 * raffle is due (the same statement says when), re-armed when a raffle starts, draws or ends in
 * this process (RaffleEvents), and at most `pollMs` so raffles started or drawn on other
 * instances are found too.
 */
export class RaffleScheduler {
  private timer: NodeJS.Timeout | undefined;
  /** performance.now() the timer fires at; Infinity when unarmed. */
  private wakeAt = Number.POSITIVE_INFINITY;
  private lastSweepAt = Number.NEGATIVE_INFINITY;
  /** The sweep in progress, if any (stop waits for it, then gives back what is still queued). */
  private sweeping: Promise<void> | undefined;
  private sweepAgain = false;
  /** The last claim filled its batch: more raffles may be due, claim again as the queue drains. */
  private backlog = false;
  private readonly queue: Array<{ claim: ClaimedRaffle; queuedAt: number }> = [];
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private stopped = true;
  private unsubscribe: (() => void) | undefined;
  private readonly counters = { sweeps: 0, claimed: 0 };

  constructor(
    private readonly db: Db,
    private readonly rounds: Pick<RoundRunner, 'runClaimed'>,
    private readonly events: Pick<RaffleEvents, 'onScheduleChanged'> | undefined,
    private readonly options: RaffleSchedulerOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.unsubscribe = this.events?.onScheduleChanged((raffle) => this.scheduleChanged(raffle));
    this.wake(0);
  }

  /** Stops, gives back the claims not started yet, and waits for the rounds in flight to finish. */
  async stop(): Promise<void> {
    this.halt();
    await this.sweeping;
    await this.giveBack(this.queue.splice(0).map((entry) => entry.claim));
    await Promise.allSettled(this.inFlight.values());
  }

  /** Stops at once, leaving rounds in flight and their leases as they are (crash simulation). */
  abandon(): void {
    this.halt();
    this.queue.length = 0;
  }

  stats(): SchedulerStats {
    return { ...this.counters, inFlight: this.inFlight.size, queued: this.queue.length };
  }

  private halt(): void {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    this.wakeAt = Number.POSITIVE_INFINITY;
  }

  private scheduleChanged(raffle: Raffle): void {
    if (this.stopped || raffle.status !== 'RUNNING') return;
    this.wake(raffle.nextRoundAt.getTime() - Date.now());
  }

  /**
   * Arms the timer to sweep in `delayMs` (no later than the poll), unless it fires sooner already.
   * A timer sweep waits for MIN_SWEEP_GAP_MS since the last one; a backlog sweep does not.
   */
  private wake(delayMs: number, options: { backlog: boolean } = { backlog: false }): void {
    if (this.stopped) return;
    const now = performance.now();
    let at = now + Math.min(Math.max(0, delayMs), this.options.pollMs);
    if (!options.backlog) at = Math.max(at, this.lastSweepAt + MIN_SWEEP_GAP_MS);
    if (at >= this.wakeAt) return;
    clearTimeout(this.timer);
    this.wakeAt = at;
    this.timer = setTimeout(() => {
      this.wakeAt = Number.POSITIVE_INFINITY;
      void this.sweep();
    }, Math.max(0, Math.ceil(at - now)));
    this.timer.unref?.();
  }

  private async sweep(): Promise<void> {
    if (this.stopped) return;
    if (this.sweeping) {
      this.sweepAgain = true;
      return;
    }
    this.sweeping = this.claimAndRun().finally(() => {
      this.sweeping = undefined;
    });
    await this.sweeping;
    if (this.stopped) return;
    if (this.sweepAgain) {
      this.sweepAgain = false;
      this.wake(0, { backlog: this.needsRefill() });
    }
  }

  /** A backlog, and the queue down to half: claim more now, before the pool runs dry. */
  private needsRefill(): boolean {
    return this.backlog && this.queue.length <= this.options.concurrency / 2;
  }

  /** One sweep: claims what is due into the queue, starts what the pool has room for, re-arms the timer. */
  private async claimAndRun(): Promise<void> {
    const limit = 2 * this.options.concurrency - this.queue.length - this.inFlight.size;
    let nextMs: number = this.options.pollMs;
    if (limit <= 0) {
      // Pool and queue are full: the rounds that end refill it.
      this.backlog = true;
      this.wake(nextMs);
      return;
    }
    this.lastSweepAt = performance.now();
    try {
      this.counters.sweeps += 1;
      const { claimed, msUntilNextDue } = await claimDueRaffles(this.db, {
        instanceId: this.options.instanceId,
        leaseSeconds: this.options.leaseSeconds,
        limit,
      });
      this.counters.claimed += claimed.length;
      const queuedAt = performance.now();
      this.queue.push(...claimed.map((claim) => ({ claim, queuedAt }))); // when stopped meanwhile: given back by stop()
      if (this.stopped) return;
      this.backlog = claimed.length === limit;
      this.pump();
      if (!this.backlog && msUntilNextDue !== null) {
        nextMs = msUntilNextDue <= 0 && claimed.length === 0 ? CONTENDED_RETRY_MS : msUntilNextDue + 1;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'scheduler sweep failed; retrying');
    }
    this.wake(nextMs);
  }

  /** Claims that a sweep made but no round started: free them now rather than when their leases expire. */
  private async giveBack(claimed: ClaimedRaffle[]): Promise<void> {
    if (claimed.length === 0) return;
    await this.db.$executeRaw`
      UPDATE raffles SET lease_owner = NULL, lease_until = NULL
       WHERE lease_owner = ANY(${claimed.map((claim) => claim.token)}::text[])`.catch((error: unknown) =>
      this.logger.warn({ err: error }, 'could not give back unstarted claims; their leases expire by themselves'),
    );
  }

  /** Starts queued rounds while the pool has room. */
  private pump(): void {
    while (!this.stopped && this.inFlight.size < this.options.concurrency && this.queue.length > 0) {
      const { claim, queuedAt } = this.queue.shift()!;
      const queuedMs = performance.now() - queuedAt;
      const run = this.rounds
        .runClaimed(claim.id, claim.token, { force: false })
        .then((result) => {
          if (result.kind === 'round' && this.options.onRound) {
            const { round } = result;
            this.options.onRound({
              raffleId: claim.id,
              number: round.number,
              dueAt: claim.dueAt,
              claimedAt: claim.claimedAt,
              queuedMs,
              at: round.at,
              lagMs: round.at.getTime() - claim.dueAt.getTime(),
            });
          }
        })
        .catch((error: unknown) => this.logger.error({ err: error, raffleId: claim.id }, 'round crashed'))
        .finally(() => {
          this.inFlight.delete(claim.id);
          this.pump();
          if (this.needsRefill()) this.wake(0, { backlog: true });
        });
      this.inFlight.set(claim.id, run);
    }
  }
}
