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

/**
 * Raffles due within this long of each other are claimed by one statement: at 2,000 raffles on a
 * 10 s interval a round is due every 5 ms, and a claim per due time would cost more than rounds.
 */
const MIN_SWEEP_GAP_MS = 100;
/** When the earliest raffle is due but another instance is claiming it right now. */
const CONTENDED_RETRY_MS = 20;

/**
 * Runs every running raffle's rounds at their due times (fixed rate, see round-schedule.ts). State
 * lives in the database, so raffles resume after a restart and move to another instance when one
 * dies; the lease taken by the claim makes each round happen once in total.
 *
 * A sweep claims the due raffles in batches (one statement, FOR UPDATE SKIP LOCKED, round-claims.ts)
 * into a small pool of `concurrency` rounds at once; claimed raffles wait in a queue of at most as
 * many again. Between sweeps one timer sleeps until the earliest running raffle is due (one query),
 * re-armed when a raffle starts, draws or ends in this process (RaffleEvents), and at most `pollMs`
 * so raffles started or drawn on other instances are found too.
 */
export class RaffleScheduler {
  private timer: NodeJS.Timeout | undefined;
  /** performance.now() the timer fires at; Infinity when unarmed. */
  private wakeAt = Number.POSITIVE_INFINITY;
  private lastSweepAt = Number.NEGATIVE_INFINITY;
  /** The sweep in progress, if any (stop waits for its claims to give them back). */
  private sweeping: Promise<void> | undefined;
  private sweepAgain = false;
  /** The last claim filled its batch: more raffles may be due, claim again as the queue drains. */
  private backlog = false;
  private readonly queue: ClaimedRaffle[] = [];
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private stopped = true;
  private unsubscribe: (() => void) | undefined;

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
    const unstarted = this.queue.splice(0);
    if (unstarted.length > 0) {
      await this.db.$executeRaw`
        UPDATE raffles SET lease_owner = NULL, lease_until = NULL
         WHERE lease_owner = ANY(${unstarted.map((claim) => claim.token)}::text[])`.catch((error: unknown) =>
        this.logger.warn({ err: error }, 'could not give back unstarted claims; their leases expire by themselves'),
      );
    }
    await Promise.allSettled(this.inFlight.values());
  }

  /** Stops at once, leaving rounds in flight and their leases as they are (crash simulation). */
  abandon(): void {
    this.halt();
    this.queue.length = 0;
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

  /** Arms the timer to sweep in `delayMs` (no later than the poll), unless it fires sooner already. */
  private wake(delayMs: number): void {
    if (this.stopped) return;
    const now = performance.now();
    const at = Math.max(now + Math.min(Math.max(0, delayMs), this.options.pollMs), this.lastSweepAt + MIN_SWEEP_GAP_MS);
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
      this.wake(0);
    }
  }

  /** One sweep: claims what is due into the queue, starts what the pool has room for, re-arms the timer. */
  private async claimAndRun(): Promise<void> {
    this.lastSweepAt = performance.now();
    let nextMs: number = this.options.pollMs;
    try {
      const limit = 2 * this.options.concurrency - this.queue.length - this.inFlight.size;
      const { claimed, msUntilNextDue } = await claimDueRaffles(this.db, {
        instanceId: this.options.instanceId,
        leaseSeconds: this.options.leaseSeconds,
        limit,
      });
      this.backlog = limit > 0 && claimed.length === limit;
      this.queue.push(...claimed); // when stopped meanwhile: given back by stop()
      if (this.stopped) return;
      this.pump();
      if (!this.backlog && msUntilNextDue !== null) {
        nextMs = msUntilNextDue <= 0 && claimed.length === 0 ? CONTENDED_RETRY_MS : msUntilNextDue + 1;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'scheduler sweep failed; retrying');
    }
    this.wake(nextMs);
  }

  /** Starts queued rounds while the pool has room. */
  private pump(): void {
    while (!this.stopped && this.inFlight.size < this.options.concurrency && this.queue.length > 0) {
      const claim = this.queue.shift()!;
      const run = this.rounds
        .runClaimed(claim.id, claim.token, { force: false })
        .then((result) => {
          if (result.kind === 'failed') return;
          if (result.kind === 'round' && this.options.onRound) {
            const { round } = result;
            this.options.onRound({
              raffleId: claim.id,
              number: round.number,
              dueAt: claim.dueAt,
              at: round.at,
              lagMs: round.at.getTime() - claim.dueAt.getTime(),
            });
          }
        })
        .catch((error: unknown) => this.logger.error({ err: error, raffleId: claim.id }, 'round crashed'))
        .finally(() => {
          this.inFlight.delete(claim.id);
          this.pump();
          if (this.backlog && this.queue.length < this.options.concurrency) this.wake(0);
        });
      this.inFlight.set(claim.id, run);
    }
  }
}
