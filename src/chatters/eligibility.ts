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
export function eligibleChatters(chatters: readonly Chatter[], rules: EligibilityRules): Chatter[] {
  const excludedIds = new Set(rules.excludeUserIds);
  const excludedLogins = new Set(Array.from(rules.excludeLogins, (login) => login.toLowerCase()));
  return chatters.filter((chatter) => !excludedIds.has(chatter.userId) && !excludedLogins.has(chatter.login));
}
