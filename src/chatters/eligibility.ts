import type { Chatter } from './chatter';

export interface EligibilityRules {
  /** Twitch user ids never eligible: the broadcaster, earlier winners of this raffle. */
  excludeUserIds: Iterable<string>;
  /** Logins never eligible (lowercase): known bots and configured accounts. */
  excludeLogins: Iterable<string>;
}

/**
 * Who may win: each chatter once (by user id, first occurrence kept, so the order Twitch gave is
 * preserved and a pick by index can be re-computed), minus the excluded ids and logins.
 */
export function eligibleChatters(chatters: readonly Chatter[], rules: EligibilityRules): Chatter[] {
  const seen = new Set<string>(rules.excludeUserIds);
  const excludedLogins = new Set(Array.from(rules.excludeLogins, (login) => login.toLowerCase()));
  const eligible: Chatter[] = [];
  for (const chatter of chatters) {
    if (seen.has(chatter.userId)) continue;
    seen.add(chatter.userId);
    if (excludedLogins.has(chatter.login.toLowerCase())) continue;
    eligible.push(chatter);
  }
  return eligible;
}
