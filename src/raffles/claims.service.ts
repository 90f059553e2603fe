/**
 * Claim windows (issue 13). A WINNER round of a raffle with claimSeconds > 0 is written PENDING
 * with its deadline (round-runner). The winner's own `!claim` / `!resgatar` in chat before the
 * deadline makes it CLAIMED; at the deadline the job here makes it EXPIRED on whichever instance
 * gets there first (one conditional UPDATE on claim_status = 'PENDING', with SKIP LOCKED, in the
 * same transaction as the copy going back and the winner's exclusion), then draws the replacement
 * round at once (rerollOf). Both changes publish a CLAIM raffle event naming the round.
 * A raffle whose last copy waits for a claim is not FINISHED until that claim is decided.
 */
import type { Logger } from 'pino';
import type { Db } from '../db/database';
import type { RaffleEvents } from './raffle-events';
import type { RerollService } from './reroll.service';

/** Chat commands that claim, any case, as the message's first word. */
export const CLAIM_COMMANDS = ['!claim', '!resgatar'] as const;

export function isClaimCommand(text: string): boolean {
  const first = text.trim().split(/\s+/u)[0]?.toLowerCase() ?? '';
  return (CLAIM_COMMANDS as readonly string[]).includes(first);
}

export interface ClaimServiceDeps {
  db: Db;
  events: RaffleEvents;
  rerolls: Pick<RerollService, 'takeBack' | 'drawReplacement'>;
  logger: Logger;
  /** How often the deadline job looks (default 1 s). */
  pollMs?: number;
  /** A replacement left undrawn (the instance died after the expiry) is drawn after this long. */
  orphanAfterSeconds?: number;
}

export class ClaimService {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly deps: ClaimServiceDeps) {}

  /** A chat line of a raffle's chat: the pending winner's own claim command claims (before the deadline). */
  async fromChat(line: { raffleId: string; event: { chatter_user_id: string; message: { text: string } } }): Promise<boolean> {
    if (!isClaimCommand(line.event.message.text)) return false;
    const { db } = this.deps;
    const claimed = await db.$queryRaw<{ id: number; number: number; raffle_id: string }[]>`
      UPDATE rounds SET claim_status = 'CLAIMED', claimed_at = now()
       WHERE raffle_id = ${line.raffleId} AND winner_user_id = ${line.event.chatter_user_id}
         AND claim_status = 'PENDING' AND claim_deadline > now()
      RETURNING id, number, raffle_id`;
    if (claimed.length === 0) return false;
    const raffle = await db.raffle.findUniqueOrThrow({ where: { id: line.raffleId } });
    for (const round of claimed) this.deps.events.claimChanged(raffle, round);
    await this.finishIfDone(line.raffleId);
    return true;
  }

  /** Expires every claim past its deadline (each exactly once, whichever instance runs it) and redraws. */
  async expireDue(): Promise<number> {
    const { db, logger } = this.deps;
    let expired = 0;
    for (;;) {
      const taken = await db.$transaction(async (tx) => {
        const [row] = await tx.$queryRaw<{ id: number; number: number; raffle_id: string; item_id: string | null; status: string; fairness: string }[]>`
          UPDATE rounds r SET claim_status = 'EXPIRED'
            FROM raffles f
           WHERE r.id = (SELECT id FROM rounds WHERE claim_status = 'PENDING' AND claim_deadline <= now()
                          ORDER BY claim_deadline LIMIT 1 FOR UPDATE SKIP LOCKED)
             AND f.id = r.raffle_id
          RETURNING r.id, r.number, r.raffle_id, r.item_id, f.status::text AS status, f.fairness::text AS fairness`;
        if (!row) return null;
        if (row.status === 'RUNNING') {
          await this.deps.rerolls.takeBack(row.id, 'claim-expired', tx);
          return { ...row, redraw: true };
        }
        // The raffle was stopped meanwhile: the copy goes back, no redraw.
        if (row.item_id) await tx.item.update({ where: { id: row.item_id }, data: { remaining: { increment: 1 } } });
        return { ...row, redraw: false };
      });
      if (!taken) break;
      expired += 1;
      this.deps.events.claimChanged({ id: taken.raffle_id, streamerId: (await db.raffle.findUniqueOrThrow({ where: { id: taken.raffle_id } })).streamerId }, taken);
      logger.info({ raffleId: taken.raffle_id, roundId: taken.id, redraw: taken.redraw }, 'claim expired');
      if (taken.redraw) {
        await this.deps.rerolls.drawReplacement(taken.raffle_id, taken.id).catch((error: unknown) =>
          logger.warn({ err: String(error), roundId: taken.id }, 'the redraw after an expired claim failed; the job tries again'),
        );
      }
    }
    await this.drawOrphans();
    return expired;
  }

  /** Replacements whose round was taken back a while ago but never drawn (an instance died in between). */
  private async drawOrphans(): Promise<void> {
    const { db, logger } = this.deps;
    const after = this.deps.orphanAfterSeconds ?? 15;
    const orphans = await db.$queryRaw<{ id: string; pending_reroll_of: number }[]>`
      SELECT f.id, f.pending_reroll_of FROM raffles f JOIN rounds r ON r.id = f.pending_reroll_of
       WHERE f.status = 'RUNNING' AND r.rerolled_at < now() - make_interval(secs => ${after}::double precision)
         AND (f.lease_until IS NULL OR f.lease_until < now())`;
    for (const orphan of orphans) {
      await this.deps.rerolls.drawReplacement(orphan.id, orphan.pending_reroll_of).catch((error: unknown) =>
        logger.warn({ err: String(error), raffleId: orphan.id }, 'drawing a left-over replacement failed'),
      );
    }
  }

  /** A raffle whose last copy was waiting for this claim ends now. */
  private async finishIfDone(raffleId: string): Promise<void> {
    const { db } = this.deps;
    const ended = await db.$queryRaw<{ id: string }[]>`
      UPDATE raffles f SET status = 'FINISHED', end_reason = 'ITEMS_EXHAUSTED', ended_at = now(), lease_owner = NULL, lease_until = NULL
       WHERE f.id = ${raffleId} AND f.status = 'RUNNING' AND f.pending_reroll_of IS NULL
         AND NOT EXISTS (SELECT 1 FROM items i WHERE i.streamer_id = f.streamer_id AND i.removed_at IS NULL AND i.remaining > 0)
         AND NOT EXISTS (SELECT 1 FROM rounds r WHERE r.raffle_id = f.id AND r.claim_status = 'PENDING')
      RETURNING f.id`;
    if (ended.length === 1) this.deps.events.raffleEnded(await db.raffle.findUniqueOrThrow({ where: { id: raffleId } }));
  }

  start(): void {
    const pollMs = this.deps.pollMs ?? 1_000;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.expireDue()
        .then(() => undefined)
        .catch((error: unknown) => this.deps.logger.warn({ err: String(error) }, 'claim deadline job failed'))
        .finally(() => {
          this.running = null;
        });
    }, pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
