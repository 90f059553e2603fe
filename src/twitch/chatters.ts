/** Pure helpers over the chatter list that Helix "Get Chatters" returns. */

export interface Chatter {
  userId: string;
  login: string;
  displayName: string;
}

export interface EligibilityRules {
  /** Twitch user ids that may not win (the broadcaster, bots, recent winners...). */
  excludeUserIds?: Iterable<string>;
  /** Logins that may not win; compared case-insensitively. */
  excludeLogins?: Iterable<string>;
}

/**
 * Keeps the first occurrence of each user id, in order. Twitch can return a user on two pages
 * when the chat changes while we page through it.
 */
export function dedupeChatters(chatters: readonly Chatter[]): Chatter[] {
  const seen = new Set<string>();
  const unique: Chatter[] = [];
  for (const chatter of chatters) {
    if (seen.has(chatter.userId)) continue;
    seen.add(chatter.userId);
    unique.push(chatter);
  }
  return unique;
}

/** The chatters that may win under the given rules, in their original order. */
export function eligibleChatters(chatters: readonly Chatter[], rules: EligibilityRules = {}): Chatter[] {
  const excludedIds = new Set(rules.excludeUserIds ?? []);
  const excludedLogins = new Set<string>();
  for (const login of rules.excludeLogins ?? []) excludedLogins.add(login.toLowerCase());
  if (excludedIds.size === 0 && excludedLogins.size === 0) return chatters.slice();
  return chatters.filter(
    (chatter) => !excludedIds.has(chatter.userId) && !excludedLogins.has(chatter.login.toLowerCase()),
  );
}
