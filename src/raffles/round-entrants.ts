/**
 * Who a round draws from, with their tickets (issue 13): in KEYWORD mode the people who typed the
 * keyword (raffle_entries, roles from badges); in PRESENCE mode the chat (Get Chatters), with
 * tickets from Helix roles when the raffle gives any role luck, else 1 each (the cached path of
 * EntrantLists). Exclusions (broadcaster, configured logins, earlier winners, rerolled-away
 * winners) apply in every mode, before any role is looked up.
 */
import { createHash } from 'node:crypto';
import type { ChatterSource } from '../chatters/chatter';
import { eligibleChatters, exclusionRules } from '../chatters/eligibility';
import type { Db } from '../db/database';
import { keywordEntrants } from '../entry/keyword-entrants';
import type { PresenceLuck } from '../entry/presence-luck';
import { canonicalEntrants, entrantsList } from '../fairness/canonical';
import type { Raffle, Streamer } from '../generated/prisma/client';
import { TwitchNotLinkedError } from '../errors/domain-errors';
import { EntrantLists, type EntrantList } from './round-commit';

export interface RoundEntrantsDeps {
  db: Db;
  chatters: ChatterSource;
  excludedLogins: readonly string[];
  /** Presence-mode role lookups (undefined: Twitch is not configured). */
  luck?: () => Pick<PresenceLuck, 'entrants'> | undefined;
}

export function givesLuck(raffle: Pick<Raffle, 'luckSubscriber' | 'luckVip' | 'luckModerator'>): boolean {
  return raffle.luckSubscriber > 1 || raffle.luckVip > 1 || raffle.luckModerator > 1;
}

export class RoundEntrants {
  private readonly plain = new EntrantLists();

  constructor(private readonly deps: RoundEntrantsDeps) {}

  /** `earlierWinners`: the raffle's earlier winners when the caller read them already (else they are read here). */
  async of(raffle: Raffle & { streamer: Streamer }, earlierWinners?: readonly string[] | null): Promise<EntrantList> {
    const { db } = this.deps;
    const rules = await exclusionRules(db, { streamer: raffle.streamer, raffle, excludedLogins: this.deps.excludedLogins, earlierWinners });
    if (raffle.entryMode === 'KEYWORD') {
      return listOf(eligibleChatters(await keywordEntrants(db, raffle), rules));
    }
    const { chatters } = await this.deps.chatters.snapshot(raffle.streamer);
    if (!givesLuck(raffle)) return this.plain.of(raffle.id, chatters, rules);
    const luck = this.deps.luck?.();
    // The demo chat (no Twitch configured) knows no roles: everyone holds 1 ticket there.
    if (!luck) return this.plain.of(raffle.id, chatters, rules);
    if (!raffle.streamer.twitchUserId) throw new TwitchNotLinkedError();
    const credential = await db.twitchCredential.findUnique({ where: { streamerId: raffle.streamer.id }, select: { scopes: true } });
    const eligible = eligibleChatters(chatters, rules);
    const withTickets = await luck.entrants(
      { id: raffle.streamer.id, twitchUserId: raffle.streamer.twitchUserId, scopes: credential?.scopes ?? [] },
      raffle,
      eligible,
    );
    return listOf(withTickets);
  }
}

function listOf(entrants: ReadonlyArray<{ userId: string; login: string; displayName: string; tickets: number }>): EntrantList {
  const canonical = canonicalEntrants(entrants.map(({ userId, login, displayName, tickets }) => ({ userId, login, displayName, tickets })));
  return { entrants: canonical, entrantsHash: createHash('sha256').update(entrantsList(canonical), 'utf8').digest('hex') };
}
