/**
 * The entrants of a KEYWORD raffle: everyone who typed the keyword since it started (one row per
 * person in raffle_entries, written by whichever instance reads the chat), with their tickets by
 * the raffle's luck and the roles their badges showed. In the round runner's Chatter shape plus
 * `tickets`, ordered by user id bytewise (FAIRNESS.md's entrantsList order). Exclusions
 * (broadcaster, bots, earlier winners) stay the round runner's job (chatters/eligibility.ts).
 */
import type { Chatter } from '../chatters/chatter';
import type { Db } from '../db/database';
import { ticketsFor, type Luck } from './tickets';

export interface Entrant extends Chatter {
  /** 1 unless luck gives the entrant's highest role more. */
  tickets: number;
}

export interface KeywordRaffle extends Luck {
  id: string;
}

export async function keywordEntrants(db: Pick<Db, '$queryRaw'>, raffle: KeywordRaffle): Promise<Entrant[]> {
  const rows = await db.$queryRaw<
    Array<{ user_id: string; login: string; display_name: string; subscriber: boolean; vip: boolean; moderator: boolean }>
  >`
    SELECT user_id, login, display_name, subscriber, vip, moderator
      FROM raffle_entries
     WHERE raffle_id = ${raffle.id}
     ORDER BY user_id COLLATE "C"`;
  return rows.map((row) => ({
    userId: row.user_id,
    login: row.login,
    displayName: row.display_name,
    tickets: ticketsFor(row, raffle),
  }));
}
