/**
 * Writes keyword entries to PostgreSQL in batches: rows wait at most `flushMs` (or until
 * `batchSize` are queued), then one INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING writes
 * them, so the first message of each person counts and repeats cost nothing. One flush at a
 * time; a failed flush keeps its rows and is retried (bounded by `maxQueued`, oldest dropped
 * with a log line). `flush()` waits until everything queued so far is written.
 */
import type { Logger } from 'pino';
import type { Db } from '../db/database';
import type { Roles } from './tickets';

export interface EntryRow extends Roles {
  raffleId: string;
  userId: string;
  login: string;
  displayName: string;
  firstMessageAt: Date;
  messageId: string;
  sourceBroadcasterId: string | null;
}

export interface EntryWriterOptions {
  db: Db;
  logger: Logger;
  batchSize?: number;
  flushMs?: number;
  maxQueued?: number;
}

export class EntryWriter {
  private queue: EntryRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private failures = 0;
  private readonly batchSize: number;
  private readonly flushMs: number;
  private readonly maxQueued: number;
  /** Rows written (new entries) and rows sent in all. */
  readonly stats = { inserted: 0, written: 0, batches: 0, dropped: 0 };

  constructor(private readonly options: EntryWriterOptions) {
    this.batchSize = options.batchSize ?? 1_000;
    this.flushMs = options.flushMs ?? 20;
    this.maxQueued = options.maxQueued ?? 200_000;
  }

  get pending(): number {
    return this.queue.length;
  }

  add(row: EntryRow): void {
    this.queue.push(row);
    if (this.queue.length > this.maxQueued) {
      const dropped = this.queue.splice(0, this.queue.length - this.maxQueued);
      this.stats.dropped += dropped.length;
      this.options.logger.error({ dropped: dropped.length }, 'entry queue full (database away?); oldest entries dropped');
    }
    if (this.queue.length >= this.batchSize) this.kick(0);
    else this.kick(this.flushMs);
  }

  /** Writes everything queued so far (retrying failures until `deadlineMs`). */
  async flush(deadlineMs = 10_000): Promise<void> {
    const until = Date.now() + deadlineMs;
    while (this.queue.length > 0 || this.running) {
      if (Date.now() > until) throw new Error(`entries not written within ${deadlineMs} ms (${this.queue.length} queued)`);
      if (this.running) await this.running.catch(() => {});
      else await this.drain().catch(() => new Promise((resolve) => setTimeout(resolve, 50)));
    }
  }

  private kick(delayMs: number): void {
    if (this.running) return;
    if (delayMs === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      void this.drain().catch(() => {});
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.drain().catch(() => {});
    }, delayMs);
  }

  private drain(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        while (this.queue.length > 0) {
          const batch = this.queue.slice(0, this.batchSize);
          await this.write(batch);
          this.queue.splice(0, batch.length);
          this.failures = 0;
        }
      } catch (error) {
        this.failures += 1;
        this.options.logger.warn({ err: error instanceof Error ? error.message : String(error), queued: this.queue.length }, 'writing entries failed; retrying');
        const retryIn = Math.min(5_000, 100 * 2 ** Math.min(this.failures, 6));
        setTimeout(() => this.kick(0), retryIn).unref();
        throw error;
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async write(batch: EntryRow[]): Promise<void> {
    const column = <K extends keyof EntryRow>(key: K) => batch.map((row) => row[key]);
    const inserted = await this.options.db.$executeRaw`
      INSERT INTO raffle_entries
        (raffle_id, user_id, login, display_name, subscriber, vip, moderator, first_message_at, message_id, source_broadcaster_id)
      SELECT * FROM unnest(
        ${column('raffleId')}::text[], ${column('userId')}::text[], ${column('login')}::text[], ${column('displayName')}::text[],
        ${column('subscriber')}::boolean[], ${column('vip')}::boolean[], ${column('moderator')}::boolean[],
        ${batch.map((row) => row.firstMessageAt.toISOString())}::timestamptz[], ${column('messageId')}::text[],
        ${column('sourceBroadcasterId')}::text[])
      ON CONFLICT (raffle_id, user_id) DO NOTHING`;
    this.stats.inserted += inserted;
    this.stats.written += batch.length;
    this.stats.batches += 1;
  }
}
