import type { Db } from '../db/database';
import type { Chatter } from './chatter';

export interface EligibilityRules {
  /** Twitch user ids never eligible: the broadcaster, earlier winners of this raffle. */
  excludeUserIds: Iterable<string>;
  /** Logins never eligible: known bots and configured accounts (any case). */
  excludeLogins: Iterable<string>;
}

/**
 * Who may win: the chatters (each once, as every ChatterSource returns them) minus the excluded
 * ids and logins, in the order given, so a pick by index can be re-computed. One pass of two
 * small-set lookups: it runs on every round, over up to 100k chatters.
 */
export function eligibleChatters<T extends Chatter>(chatters: readonly T[], rules: EligibilityRules): T[] {
  const excludedIds = new Set(rules.excludeUserIds);
  const excludedLogins = new Set(Array.from(rules.excludeLogins, (login) => login.toLowerCase()));
  return chatters.filter((chatter) => !excludedIds.has(chatter.userId) && !excludedLogins.has(chatter.login));
}

export interface ExclusionInput {
  streamer: { twitchUserId: string | null; login: string | null };
  /** The raffle the round belongs to (none: no earlier winners to leave out). */
  raffle: { id: string; allowRepeatWinners: boolean; excludedUserIds?: readonly string[] } | null;
  /** Configured bots and accounts (RAFFLE_EXCLUDED_LOGINS). */
  excludedLogins: readonly string[];
  /** The raffle's earlier winners when the caller read them already (the round runner's one read). */
  earlierWinners?: readonly string[] | null;
}

/**
 * Who never wins a round, the same for a round and for liveChatters: the broadcaster (by id and
 * login), the configured logins, the raffle's rerolled-away winners and, unless the raffle allows
 * repeat winners, its earlier winners.
 */
export async function exclusionRules(db: Pick<Db, 'round'>, input: ExclusionInput): Promise<EligibilityRules> {
  const { streamer, raffle } = input;
  const earlierWinners =
    !raffle || raffle.allowRepeatWinners
      ? []
      : (input.earlierWinners ??
        (await db.round.findMany({ where: { raffleId: raffle.id, outcome: 'WINNER' }, select: { winnerUserId: true } })).flatMap((round) =>
          round.winnerUserId ? [round.winnerUserId] : [],
        ));
  return {
    excludeUserIds: [
      ...(streamer.twitchUserId ? [streamer.twitchUserId] : []),
      ...earlierWinners,
      // Rerolled away or let their claim expire: out even when repeat winners are allowed.
      ...(raffle?.excludedUserIds ?? []),
    ],
    excludeLogins: [...input.excludedLogins, ...(streamer.login ? [streamer.login] : [])],
  };
}
