/**
 * Tickets of one entrant: the highest among the roles they hold (1 with none), by the raffle's
 * luck. Roles come from chat badges in KEYWORD mode (badges.ts) or from Helix in PRESENCE mode.
 */
export interface Roles {
  subscriber: boolean;
  vip: boolean;
  moderator: boolean;
}

export interface Luck {
  luckSubscriber: number;
  luckVip: number;
  luckModerator: number;
}

export function ticketsFor(roles: Roles, luck: Luck): number {
  let tickets = 1;
  if (roles.subscriber) tickets = Math.max(tickets, luck.luckSubscriber);
  if (roles.vip) tickets = Math.max(tickets, luck.luckVip);
  if (roles.moderator) tickets = Math.max(tickets, luck.luckModerator);
  return tickets;
}

/** Chat badge set ids → roles: subscriber/founder, vip, moderator/broadcaster. */
export function rolesFromBadges(badges: ReadonlyArray<{ set_id: string }> | null | undefined): Roles {
  const roles: Roles = { subscriber: false, vip: false, moderator: false };
  for (const badge of badges ?? []) {
    switch (badge.set_id) {
      case 'subscriber':
      case 'founder':
        roles.subscriber = true;
        break;
      case 'vip':
        roles.vip = true;
        break;
      case 'moderator':
      case 'broadcaster':
        roles.moderator = true;
        break;
      default:
        break;
    }
  }
  return roles;
}
