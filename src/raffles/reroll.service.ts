/**
 * Rerolls (issue 13): a WINNER round is drawn again. In one transaction its prize copy goes back
 * (remaining + 1), its winner joins the raffle's excluded_user_ids, the round is marked rerolled
 * and the raffle waits for a forced round to link to it (pending_reroll_of); then a forced round
 * is drawn at once (FAIRNESS.md: forced = 1) through the round runner, so it is committed,
 * derived, proven and published (Discord, overlay, chat) like any round, with `rerollOf` set.
 *
 * Which rounds: the raffle's WINNER rounds not rerolled yet, while the raffle is RUNNING; or a
 * raffle that ended at most REROLL_AFTER_END_SECONDS ago (typically FINISHED by its last prize)
 * when its rounds take drand randomness: the raffle runs again for that round, and ends again if
 * no prize is left after it. A SEALED raffle that ended has revealed its serverSeed, so its next
 * round's randomness would be public before the commit: such a reroll is refused.
 */
import type { Db } from '../db/database';
import { InvalidStateError, NotFoundError } from '../errors/domain-errors';
import { Prisma, type Round } from '../generated/prisma/client';
import type { RoundRunner } from './round-runner';

export const REROLL_AFTER_END_SECONDS = 600;

export interface RerollDeps {
  db: Db;
  rounds: Pick<RoundRunner, 'run'>;
}

export class RerollService {
  constructor(private readonly deps: RerollDeps) {}

  async reroll(roundId: number, waitMs = 10_000): Promise<Round> {
    const raffleId = await this.takeBack(roundId, 'reroll');
    return this.drawReplacement(raffleId, roundId, waitMs);
  }

  /**
   * The prize copy back, the winner excluded, the round marked and the raffle waiting for the
   * replacement, all or nothing. Returns the raffle id. `why` words the errors.
   */
  async takeBack(roundId: number, why: 'reroll' | 'claim-expired', tx?: Prisma.TransactionClient): Promise<string> {
    const run = async (db: Prisma.TransactionClient) => {
      const round = await db.round.findUnique({ where: { id: roundId }, include: { raffle: true } });
      if (!round) throw new NotFoundError('Round', String(roundId));
      const [raffle] = await db.$queryRaw<{ status: string; fairness: string; ended_at: Date | null; end_reason: string | null; pending_reroll_of: number | null; db_now: Date }[]>`
        SELECT status::text AS status, fairness::text AS fairness, ended_at, end_reason::text AS end_reason, pending_reroll_of, now() AS db_now
          FROM raffles WHERE id = ${round.raffleId} FOR UPDATE`;
      if (!raffle) throw new NotFoundError('Round', String(roundId));
      if (round.outcome !== 'WINNER' || !round.winnerUserId) throw new InvalidStateError(`round ${round.number} has no winner to ${why === 'reroll' ? 'reroll' : 'replace'}`);
      if (round.rerolledAt) throw new InvalidStateError(`round ${round.number} was rerolled already`);
      if (raffle.pending_reroll_of !== null) throw new InvalidStateError('another reroll of this raffle is being drawn right now: try again in a moment');
      let reopen = false;
      if (raffle.status !== 'RUNNING') {
        const endedAgo = raffle.ended_at ? (raffle.db_now.getTime() - raffle.ended_at.getTime()) / 1000 : Infinity;
        if (raffle.end_reason === 'TWITCH_UNLINKED') throw new InvalidStateError('the raffle ended because Twitch was unlinked: link it again and start a new raffle');
        if (endedAgo > REROLL_AFTER_END_SECONDS) throw new InvalidStateError(`the raffle ended more than ${REROLL_AFTER_END_SECONDS / 60} minutes ago: start a new one`);
        if (raffle.fairness === 'SEALED') {
          throw new InvalidStateError('this sealed raffle has ended and revealed its seed, so a new draw would be predictable: start a new raffle (or use drand fairness to reroll after the end)');
        }
        reopen = true;
      }
      const marked = await db.round.updateMany({ where: { id: roundId, rerolledAt: null }, data: { rerolledAt: raffle.db_now } });
      if (marked.count !== 1) throw new InvalidStateError(`round ${round.number} was rerolled already`);
      if (round.itemId) await db.item.update({ where: { id: round.itemId }, data: { remaining: { increment: 1 } } });
      try {
        await db.raffle.update({
          where: { id: round.raffleId },
          data: {
            excludedUserIds: { push: round.winnerUserId },
            pendingRerollOf: roundId,
            ...(reopen ? { status: 'RUNNING', endReason: null, endedAt: null, leaseOwner: null, leaseUntil: null } : {}),
          },
        });
      } catch (error) {
        // The streamer runs another raffle now (one RUNNING raffle per streamer).
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
          throw new InvalidStateError('another raffle of this streamer is running: stop it to reroll this one');
        }
        throw error;
      }
      return round.raffleId;
    };
    return tx ? run(tx) : this.deps.db.$transaction(run);
  }

  /** Draws forced rounds until the one linked to `roundId` exists (another forced draw may take the link first). */
  async drawReplacement(raffleId: string, roundId: number, waitMs = 10_000): Promise<Round> {
    const { db, rounds } = this.deps;
    const deadline = Date.now() + waitMs;
    for (;;) {
      const linked = await db.round.findUnique({ where: { rerollOfId: roundId } });
      if (linked) return linked;
      const result = await rounds.run(raffleId, { force: true });
      if (result.kind === 'round' && result.round.rerollOfId === roundId) return result.round;
      if (result.kind === 'failed') throw result.error;
      if (result.kind === 'not-claimed') {
        const raffle = await db.raffle.findUnique({ where: { id: raffleId }, select: { status: true, pendingRerollOf: true } });
        if (raffle?.status !== 'RUNNING' && raffle?.pendingRerollOf === roundId) throw new InvalidStateError('the raffle ended before the reroll was drawn');
        if (Date.now() > deadline) throw new InvalidStateError('a round is being drawn right now: the reroll follows it');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }
}
