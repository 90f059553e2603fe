/**
 * Delivers the side effects a round wrote to `outbox_messages` in its own transaction (today: the
 * Twitch chat announcement), with retries, from any number of instances.
 *
 * Claiming is one statement: due PENDING rows are locked with FOR UPDATE SKIP LOCKED (so two
 * instances never pick the same row), their attempt counter is raised and next_attempt_at is
 * pushed a lease ahead, so nobody else sees them as due while this instance sends. The result
 * is written only if the attempt counter still matches (a fencing token): an instance that
 * stalled past its lease cannot overwrite a later attempt. A crash during a send means the row
 * is retried after the lease (at least once; never twice while the sender is alive).
 */
import type { Logger } from 'pino';
import type { Db } from '../db/database';
import { Prisma } from '../generated/prisma/client';
import type { OutboxStatus } from '../generated/prisma/enums';

export interface ClaimedMessage {
  id: number;
  /** The round of a win announcement; null for a raffle's start announcement. */
  roundId: number | null;
  /** The raffle of a start announcement; null for a win announcement. */
  raffleId: string | null;
  channel: string;
  /** This attempt's number, 1 for the first. */
  attempt: number;
}

export type DeliveryResult =
  /** Delivered; externalId is what the other side calls it (Twitch message_id). */
  | { kind: 'sent'; externalId: string | null }
  /** The other side accepted the request but will not deliver it (Twitch is_sent:false). Final. */
  | { kind: 'dropped'; reason: string }
  /** Worth another try later (no answer, 429, 5xx). */
  | { kind: 'retry'; error: string }
  /** Will never work (bad request, not linked any more). Final. */
  | { kind: 'failed'; error: string };

export type OutboxHandler = (message: ClaimedMessage) => Promise<DeliveryResult>;

export interface OutboxWorkerOptions {
  db: Db;
  logger: Logger;
  /** One handler per channel; rows of other channels are left alone. */
  handlers: Record<string, OutboxHandler>;
  pollMs: number;
  /** Attempts before a row is FAILED. */
  maxAttempts: number;
  /** Delay before the first retry; doubles each attempt (with jitter) up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs?: number;
  /** How long a claim hides a row from other instances; longer than any send can take. */
  leaseMs?: number;
  batchSize?: number;
  random?: () => number;
}

/** What one delivery attempt writes to its row. */
interface RowUpdate {
  status: OutboxStatus;
  lastError?: string | null;
  dropReason?: string;
  sentAt?: Date;
  externalId?: string | null;
  nextAttemptAt?: Date;
}

interface ClaimRow {
  id: number;
  round_id: number | null;
  raffle_id: string | null;
  channel: string;
  attempts: number;
}

export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private kickedWhileRunning = false;
  private stopped = true;
  private readonly channels: string[];
  private readonly retryMaxMs: number;
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly random: () => number;

  constructor(private readonly options: OutboxWorkerOptions) {
    this.channels = Object.keys(options.handlers);
    this.retryMaxMs = options.retryMaxMs ?? 5 * 60_000;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.batchSize = options.batchSize ?? 20;
    this.random = options.random ?? Math.random;
  }

  start(): void {
    if (this.channels.length === 0) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Look for due rows now (a round just committed) instead of at the next poll. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.kickedWhileRunning = true;
      return;
    }
    this.schedule(0);
  }

  /** Stops polling and waits for the sends in flight to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.drain().finally(() => {
        this.running = undefined;
        this.schedule(this.kickedWhileRunning ? 0 : this.options.pollMs);
        this.kickedWhileRunning = false;
      });
    }, delayMs);
    this.timer.unref?.();
  }

  /** Claims and delivers due rows until none is left (or the worker stops). */
  private async drain(): Promise<void> {
    try {
      for (;;) {
        this.kickedWhileRunning = false;
        const claimed = await this.claim();
        for (const message of claimed) {
          // Rows claimed but not tried come back after their lease, on this or another instance.
          if (this.stopped) return;
          await this.deliver(message);
        }
        if (this.stopped || (claimed.length < this.batchSize && !this.kickedWhileRunning)) return;
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'outbox poll failed; trying again');
    }
  }

  private async claim(): Promise<ClaimedMessage[]> {
    const rows = await this.options.db.$queryRaw<ClaimRow[]>`
      UPDATE outbox_messages AS o
      SET attempts = o.attempts + 1,
          next_attempt_at = now() + ${this.leaseMs}::int * interval '1 millisecond'
      FROM (
        SELECT id FROM outbox_messages
        WHERE status = 'PENDING' AND next_attempt_at <= now() AND channel IN (${Prisma.join(this.channels)})
        ORDER BY next_attempt_at, id
        LIMIT ${this.batchSize}::int
        FOR UPDATE SKIP LOCKED
      ) AS due
      WHERE o.id = due.id
      RETURNING o.id, o.round_id, o.raffle_id, o.channel, o.attempts`;
    return rows
      .map((row) => ({ id: row.id, roundId: row.round_id, raffleId: row.raffle_id, channel: row.channel, attempt: row.attempts }))
      .sort((a, b) => a.id - b.id);
  }

  private async deliver(message: ClaimedMessage): Promise<void> {
    const { logger, handlers } = this.options;
    let result: DeliveryResult;
    try {
      result = await handlers[message.channel]!(message);
    } catch (error) {
      result = { kind: 'retry', error: error instanceof Error ? error.message : String(error) };
    }
    const data = this.outcome(message, result);
    const written = await this.options.db.outboxMessage.updateMany({
      where: { id: message.id, status: 'PENDING', attempts: message.attempt },
      data,
    });
    const context = { outboxId: message.id, roundId: message.roundId, channel: message.channel, attempt: message.attempt };
    if (written.count === 0) {
      logger.warn(context, 'outbox result not recorded: the row was claimed again meanwhile');
    } else if (data.status === 'SENT') {
      logger.info(context, 'outbox message sent');
    } else {
      logger.warn({ ...context, status: data.status, error: data.lastError ?? data.dropReason }, 'outbox message not sent');
    }
  }

  private outcome(message: ClaimedMessage, result: DeliveryResult): RowUpdate {
    const now = new Date();
    switch (result.kind) {
      case 'sent':
        return { status: 'SENT', sentAt: now, externalId: result.externalId, lastError: null };
      case 'dropped':
        return { status: 'DROPPED', dropReason: truncate(result.reason), lastError: null };
      case 'failed':
        return { status: 'FAILED', lastError: truncate(result.error) };
      case 'retry': {
        if (message.attempt >= this.options.maxAttempts) return { status: 'FAILED', lastError: truncate(result.error) };
        return { status: 'PENDING', lastError: truncate(result.error), nextAttemptAt: new Date(now.getTime() + this.backoffMs(message.attempt)) };
      }
    }
  }

  /** Exponential: base·2^(attempt−1), capped, with ±25 % jitter so instances do not retry in step. */
  private backoffMs(attempt: number): number {
    const delay = Math.min(this.retryMaxMs, this.options.retryBaseMs * 2 ** (attempt - 1));
    return Math.round(delay * (0.75 + this.random() * 0.5));
  }
}

function truncate(text: string, max = 500): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
