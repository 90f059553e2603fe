/**
 * Tickets for a PRESENCE raffle with luck: the chatters' roles come from Helix (Get Broadcaster
 * Subscriptions, Get VIPs, Get Moderators, each filtered by up to 100 user ids per call), only
 * for the roles the raffle gives luck, cached per streamer, role and user for `ttlMs`. When the
 * streamer did not grant a role's scope the answer is a ValidationError naming it (the raffle
 * start checks the same, so this shows only when scopes changed since).
 */
import type { Chatter } from '../chatters/chatter';
import { ValidationError, type FieldProblem } from '../errors/domain-errors';
import type { ChannelRole, HelixClient, TokenSource } from '../twitch/api';
import type { Entrant } from './keyword-entrants';
import { ticketsFor, type Luck, type Roles } from './tickets';
import { LUCK_SCOPES, type LuckRole } from './twitch-scopes';

const BATCH = 100;

export interface PresenceLuckDeps {
  helix: Pick<HelixClient, 'usersWithRole'>;
  credentials: { tokenSource(streamerId: string): TokenSource };
  /** How long a looked-up role is trusted; default 60 s. */
  ttlMs?: number;
  now?: () => number;
}

export interface LuckStreamer {
  id: string;
  twitchUserId: string;
  /** The scopes the streamer granted. */
  scopes: readonly string[];
}

const ROLE_OF: Record<LuckRole, ChannelRole> = { subscriber: 'subscriber', vip: 'vip', moderator: 'moderator' };
const LUCK_KEY: Record<LuckRole, keyof Luck> = { subscriber: 'luckSubscriber', vip: 'luckVip', moderator: 'luckModerator' };

export class PresenceLuck {
  private readonly cache = new Map<string, { holds: boolean; at: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  /** Helix calls made (tests check the batching and the cache). */
  calls = 0;

  constructor(private readonly deps: PresenceLuckDeps) {
    this.ttlMs = deps.ttlMs ?? 60_000;
    this.now = deps.now ?? Date.now;
  }

  async entrants(streamer: LuckStreamer, luck: Luck, chatters: readonly Chatter[]): Promise<Entrant[]> {
    const roles = (Object.keys(LUCK_KEY) as LuckRole[]).filter((role) => luck[LUCK_KEY[role]] > 1);
    const problems: FieldProblem[] = roles
      .filter((role) => !streamer.scopes.includes(LUCK_SCOPES[role]))
      .map((role) => ({
        path: ['luck', role],
        message: `${role} luck needs the Twitch permission ${LUCK_SCOPES[role]}, which this streamer did not grant: reconnect Twitch once (/link)`,
      }));
    if (problems.length > 0) throw new ValidationError(problems);

    const held = new Map<LuckRole, Set<string>>();
    for (const role of roles) held.set(role, await this.holders(streamer, role, chatters));
    return chatters.map((chatter) => {
      const chatterRoles: Roles = {
        subscriber: held.get('subscriber')?.has(chatter.userId) ?? false,
        vip: held.get('vip')?.has(chatter.userId) ?? false,
        moderator: (held.get('moderator')?.has(chatter.userId) ?? false) || chatter.userId === streamer.twitchUserId,
      };
      return { ...chatter, tickets: ticketsFor(chatterRoles, luck) };
    });
  }

  private async holders(streamer: LuckStreamer, role: LuckRole, chatters: readonly Chatter[]): Promise<Set<string>> {
    const now = this.now();
    const holders = new Set<string>();
    const unknown: string[] = [];
    for (const chatter of chatters) {
      const cached = this.cache.get(key(streamer.id, role, chatter.userId));
      if (cached && now - cached.at < this.ttlMs) {
        if (cached.holds) holders.add(chatter.userId);
      } else {
        unknown.push(chatter.userId);
      }
    }
    const token = this.deps.credentials.tokenSource(streamer.id);
    for (let start = 0; start < unknown.length; start += BATCH) {
      const batch = unknown.slice(start, start + BATCH);
      this.calls += 1;
      const found = await this.deps.helix.usersWithRole(ROLE_OF[role], { broadcasterId: streamer.twitchUserId, userIds: batch, token });
      for (const userId of batch) {
        const holds = found.has(userId);
        this.cache.set(key(streamer.id, role, userId), { holds, at: now });
        if (holds) holders.add(userId);
      }
    }
    this.evict(now);
    return holders;
  }

  private evict(now: number): void {
    if (this.cache.size < 500_000) return;
    for (const [k, entry] of this.cache) if (now - entry.at >= this.ttlMs) this.cache.delete(k);
  }
}

function key(streamerId: string, role: LuckRole, userId: string): string {
  return `${streamerId}\u0000${role}\u0000${userId}`;
}
